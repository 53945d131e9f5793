"""Text a person typed (batch names, descriptions, file names): printable, and visible.

Control characters (NUL included) break logs, file names and terminals; bidirectional overrides and
isolates make a name display as something else ("exe.mp4" shown as "4pm.exe"); lone surrogates cannot be
stored as UTF-8 at all; a name of spaces looks like no name. Each is refused with the reason.
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\t\n\r")


def _check(value: str, *, multiline: bool) -> str:
    if not value.strip():
        raise ValueError("must contain visible characters, not only whitespace")
    for index, char in enumerate(value):
        if char in BIDI_CONTROLS:
            raise ValueError(f"must not contain the bidirectional control U+{ord(char):04X} (at {index})")
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError(f"must not contain the lone surrogate U+{ord(char):04X} (at {index})")
        if category == "Cc" and not (multiline and char in LINE_BREAKS):
            raise ValueError(f"must not contain the control character U+{ord(char):04X} (at {index})")
    return value


def display_line(value: str) -> str:
    return _check(value, multiline=False)


def display_text(value: str) -> str:
    return _check(value, multiline=True)


Name = Annotated[str, Field(min_length=1, max_length=100, strict=True), AfterValidator(display_line)]
Description = Annotated[str, Field(max_length=2000, strict=True), AfterValidator(display_text)]
FileName = Annotated[str, Field(min_length=1, max_length=255, strict=True), AfterValidator(display_line)]
Identifier = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$", strict=True)]
