"""The transcript format shared by both engines, and the conversion of Amazon Transcribe's output."""

import re
from typing import Any

from pydantic import BaseModel, Field

SENTENCE_END = re.compile(r"[.?!]$")
SEGMENT_GAP_SECONDS = 1.0


class Word(BaseModel):
    word: str
    start: float
    end: float
    probability: float | None = None


class Segment(BaseModel):
    start: float
    end: float
    text: str
    words: list[Word] = Field(default_factory=list)


class Transcript(BaseModel):
    engine: str
    language: str
    duration: float
    segments: list[Segment] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments).strip()

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def summary(self) -> dict[str, Any]:
        text = self.text
        return {
            "engine": self.engine,
            "language": self.language,
            "segment_count": len(self.segments),
            "word_count": len(self.words),
            "text": text if len(text) <= 2000 else text[:2000] + "…",
        }


def from_amazon_transcribe(result: dict[str, Any], language: str, duration: float) -> Transcript:
    """Amazon Transcribe's JSON (results.items: pronunciations with times, punctuation without) →
    segments split at sentence ends or pauses, words with times and confidence."""
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
    return Transcript(engine="amazon-transcribe", language=language, duration=duration, segments=segments)
