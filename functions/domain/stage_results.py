"""What each stage records about a video: a compact summary per stage, kept together with the stage
timings in the BatchVideo's `processing_result`, and the outcome a stage task returns to the workflow.

The stored form is `model_dump(mode="json")` of these models (the shape the API and the demo's
results.json show); `ProcessingResult.model_validate` reads it back.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.domain.enums import CaptionsMode, ExportFormat, ExportQuality, HighlightSensitivity
from functions.domain.media_values import CutPlan, Highlight, Interval, MediaValue, ProbeResult, Transcript
from functions.domain.routing import Route

SUMMARY_TEXT_CHARS = 2000
SUMMARY_KEEP_INTERVALS = 50  # a longer list of kept intervals stays in the artifact only
SUMMARY_HIGHLIGHTS = 20
SUMMARY_SCENE_CUTS = 100


class StageSummary(MediaValue):
    """One stage's record on the BatchVideo (unknown stored fields are ignored when read)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Skipped(StageSummary):
    """A stage the settings or the video left nothing to do for."""

    skipped: Literal[True] = True
    reason: str


class ProbeSummary(ProbeResult):
    route: Route

    @property
    def probe(self) -> ProbeResult:
        return ProbeResult.model_validate(self.model_dump(exclude={"route"}))


class TranscriptSummary(StageSummary):
    omitted_when_none = frozenset({"artifact_key", "language_detected"})

    engine: str
    language: str  # the spoken language: with the `auto` setting, the one the engine detected
    language_detected: bool | None = None  # true when `language` was detected (setting `auto`)
    segment_count: int
    word_count: int
    text: str
    artifact_key: str | None = None

    @classmethod
    def of(cls, transcript: Transcript, requested: str | None = None) -> "TranscriptSummary":
        """`requested` is the batch's language setting: `auto` marks the language as detected."""
        text = transcript.text
        return cls(
            engine=transcript.engine,
            language=transcript.language,
            language_detected=True if requested == "auto" else None,
            segment_count=len(transcript.segments),
            word_count=len(transcript.words),
            text=text if len(text) <= SUMMARY_TEXT_CHARS else text[:SUMMARY_TEXT_CHARS] + "…",
        )


class CutPlanSummary(StageSummary):
    """The cut plan without its silences; the kept intervals too when there are few of them."""

    omitted_when_none = frozenset({"note", "keep", "artifact_key"})

    threshold_db: float
    min_silence_duration: float
    margin: float
    cuts: int
    kept_seconds: float
    removed_seconds: float
    note: str | None = None
    keep: list[Interval] | None = None
    artifact_key: str | None = None

    @classmethod
    def of(cls, plan: CutPlan) -> "CutPlanSummary":
        keep = plan.keep if len(plan.keep) <= SUMMARY_KEEP_INTERVALS else None
        return cls.model_validate({**plan.model_dump(exclude={"silences", "keep"}), "keep": keep})


class HighlightsSummary(StageSummary):
    omitted_when_none = frozenset({"artifact_key"})

    sensitivity: HighlightSensitivity
    count: int
    highlights: list[Highlight]
    scene_cuts: list[float]
    artifact_key: str | None = None


class ClipSummary(StageSummary):
    """A highlight clip: its output names and where it sits on the edited output (seconds)."""

    name: str
    poster: str
    start: float
    end: float
    score: float


class ExportSummary(StageSummary):
    omitted_when_none = frozenset({"captions", "captions_note", "clips"})

    key: str
    format: ExportFormat
    quality: ExportQuality
    duration: float
    expected_duration: float
    width: int
    height: int
    video_codec: str
    audio_codec: str | None = None
    size: int
    cuts: int
    outputs: dict[str, str] = Field(
        default_factory=dict,
        description="Files published beside the video, by name (captions_srt, captions_vtt, poster, "
        "thumbnail, edl, fcpxml, removed_parts, chapters, clip_1, clip_1_poster, …): their keys in the "
        "media bucket.",
    )
    clips: list[ClipSummary] | None = None  # highlight clips, best first (null when the setting is off)
    captions: CaptionsMode | None = None  # as delivered: a burn is a soft track where ffmpeg lacks libass
    captions_note: str | None = None


class ProcessingResult(BaseModel):
    """A video's `processing_result`: each stage's summary under its name, and each stage's seconds."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    probe: ProbeSummary | None = None
    transcribing: TranscriptSummary | Skipped | None = None
    removing_silence: CutPlanSummary | Skipped | None = None
    detecting_highlights: HighlightsSummary | Skipped | None = None
    exporting: ExportSummary | None = None
    timings: dict[str, float] = Field(default_factory=dict)


class StageOutcome(BaseModel):
    """What a stage task returns to the workflow (the ASL reads `route` after probing)."""

    model_config = ConfigDict(frozen=True)

    stage: str
    skipped: bool | None = None
    route: Route | None = None
    pending: bool | None = None
    job: str | None = None

    def as_output(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


# Any stage's summary, as stored under the stage's name.
Summary = ProbeSummary | TranscriptSummary | CutPlanSummary | HighlightsSummary | ExportSummary | Skipped
