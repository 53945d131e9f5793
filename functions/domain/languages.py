"""The five spoken languages as Amazon Transcribe names them, both ways."""

AMAZON_LANGUAGE_CODES = {"en": "en-US", "es": "es-ES", "ru": "ru-RU", "de": "de-DE", "fr": "fr-FR"}
AUTO = "auto"


def from_amazon_code(code: str) -> str:
    """`es-ES` → `es`; a code outside the five keeps its language part (`pt-BR` → `pt`)."""
    for short, amazon in AMAZON_LANGUAGE_CODES.items():
        if amazon.lower() == code.lower():
            return short
    return code.split("-", 1)[0].lower()
