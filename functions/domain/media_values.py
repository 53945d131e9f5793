"""What the media code finds in a video, as values: the probe, the cut plan, highlights, the transcript.

Each is made once by the stage that finds it and read, unchanged in type, by the stages after it and
the render. Stored as JSON with `model_dump(mode="json")` (an interval is a `[start, end]` pair) and read
back with `model_validate`, which also accepts what DynamoDB returns (integers for whole floats).
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

Interval = tuple[float, float]  # (start, end) in seconds of the source


class MediaValue(BaseModel):
    """A frozen value. Optional fields named in `omitted_when_none` are left out of the stored form
    when unset, as they were before these values had types."""

    model_config = ConfigDict(frozen=True)
    omitted_when_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if not (k in self.omitted_when_none and v is None)}


class ProbeResult(MediaValue):
    """What ffprobe reports about a video file."""

    duration: float
    width: int
    height: int
    video_codec: str
    audio_codec: str | None = None
    container: str
    frame_rate: float
    size: int | None = None
    frame_count: int | None = None  # video frames the file really holds (None: not counted)
    video_duration: float | None = None  # each stream's own duration, as it ends
    audio_duration: float | None = None
    audio_channels: int | None = None  # of the first audio stream (None: not probed, or no audio)

    omitted_when_none: ClassVar[frozenset[str]] = frozenset(
        {"frame_count", "video_duration", "audio_duration", "audio_channels"}
    )

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


class CutPlan(MediaValue):
    """Silence removal as data: the silences found and the intervals the render keeps."""

    omitted_when_none = frozenset({"note"})

    threshold_db: float
    min_silence_duration: float
    margin: float
    silences: list[Interval]
    keep: list[Interval]
    cuts: int
    kept_seconds: float
    removed_seconds: float
    note: str | None = None


@dataclass(frozen=True)
class Event:
    """A moment worth a highlight: a keyword spoken, a loudness peak or a scene cut."""

    time: float
    score: float
    reason: str


class Moment(MediaValue):
    """One event inside a highlight: when it happens in the source and where it plays in the output."""

    time: float
    reason: str
    output_time: float | None = None  # null: silence removal cut it


class Highlight(MediaValue):
    """A scored window of the source (`start`, `end`) and the same window on the edited output
    (`output_start`, `output_end`; null when silence removal cut all of it)."""

    omitted_when_none: ClassVar[frozenset[str]] = frozenset({"output_start", "output_end"})

    start: float
    end: float
    score: float
    reasons: list[str]
    moments: list[Moment] = []
    output_start: float | None = None
    output_end: float | None = None


class Highlights(MediaValue):
    """Every highlight chosen and every event they were built from."""

    highlights: list[Highlight]
    events: list[Event]


class Word(MediaValue):
    word: str
    start: float
    end: float
    probability: float | None = None


class Segment(MediaValue):
    start: float
    end: float
    text: str
    words: list[Word] = Field(default_factory=list)


class Transcript(MediaValue):
    """The transcript format shared by both speech engines."""

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
