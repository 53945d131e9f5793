"""Amazon Transcribe's output as a Transcript (the format both speech engines share, in the domain)."""

import re
from typing import Any

from functions.domain.languages import AUTO, from_amazon_code
from functions.domain.media_values import Segment, Transcript, Word

__all__ = ["Segment", "Transcript", "Word", "from_amazon_transcribe"]

SENTENCE_END = re.compile(r"[.?!]$")
SEGMENT_GAP_SECONDS = 1.0


def spoken_language(result: dict[str, Any], requested: str, job_language: str | None = None) -> str:
    """The requested language, or with `auto` the one Amazon identified (the output's
    `results.language_code`, else the job's `LanguageCode`), as a short code."""
    if requested != AUTO:
        return requested
    identified = result.get("results", {}).get("language_code") or job_language
    return from_amazon_code(str(identified)) if identified else AUTO


def from_amazon_transcribe(
    result: dict[str, Any], language: str, duration: float, job_language: str | None = None
) -> Transcript:
    """Amazon Transcribe's JSON (results.items: pronunciations with times, punctuation without) →
    segments split at sentence ends or pauses, words with times and confidence. With `language` `auto`
    the transcript records the language Amazon identified."""
    segments: list[Segment] = []
    words: list[Word] = []

    def close() -> None:
        if words:
            text = " ".join(w.word for w in words)
            segments.append(Segment(start=words[0].start, end=words[-1].end, text=text, words=list(words)))
            words.clear()

    for item in result.get("results", {}).get("items", []):
        alternative = (item.get("alternatives") or [{}])[0]
        content = str(alternative.get("content", ""))
        if item.get("type") == "punctuation":
            if words:
                words[-1] = words[-1].model_copy(update={"word": words[-1].word + content})
                if SENTENCE_END.search(content):
                    close()
            continue
        start, end = float(item["start_time"]), float(item["end_time"])
        if words and start - words[-1].end > SEGMENT_GAP_SECONDS:
            close()
        confidence = alternative.get("confidence")
        words.append(
            Word(
                word=content,
                start=start,
                end=end,
                probability=float(confidence) if confidence is not None else None,
            )
        )
    close()
    spoken = spoken_language(result, language, job_language)
    return Transcript(engine="amazon-transcribe", language=spoken, duration=duration, segments=segments)
