"""Processing settings shared by every video of a batch, with their ranges and combination rules."""

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from functions.domain.enums import (
    CaptionsMode,
    ClipAspect,
    ExportFormat,
    ExportQuality,
    HighlightSensitivity,
    Language,
)

MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 50
MAX_HIGHLIGHT_CLIPS = 3  # clips per video: bounds the export's extra work (a Lambda's minutes and /tmp)

Keyword = Annotated[str, Field(min_length=1, max_length=MAX_KEYWORD_LENGTH)]


class BatchSettings(BaseModel):
    """What to do to every video of a batch. Defaults favour a talking-head video edited for upload."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    transcribe: bool = Field(default=True, strict=True, description="Transcribe speech with word times.")
    language: Language = Field(
        default=Language.EN, description="Spoken language of the videos; auto detects it per video."
    )
    remove_silence: bool = Field(default=True, strict=True, description="Cut pauses out of the video.")
    silence_threshold: float = Field(
        default=-35.0,
        strict=True,
        ge=-60.0,
        le=-20.0,
        description="Loudness in dBFS below which audio counts as silence.",
    )
    min_silence_duration: float = Field(
        default=1.0,
        strict=True,
        ge=0.5,
        le=5.0,
        description="Shortest pause, in seconds, that is cut; shorter ones stay.",
    )
    margin: float = Field(
        default=0.2,
        strict=True,
        ge=0.0,
        le=2.0,
        description="Seconds of the pause kept on each side of speech.",
    )
    detect_highlights: bool = Field(default=True, strict=True, description="Score highlight moments.")
    highlight_sensitivity: HighlightSensitivity = Field(
        default=HighlightSensitivity.MEDIUM, description="How many highlights survive: low keeps the fewest."
    )
    keywords: list[Keyword] = Field(
        default_factory=list, max_length=MAX_KEYWORDS, description="Words that mark a highlight when spoken."
    )
    export_format: ExportFormat = Field(default=ExportFormat.MP4, description="Container of the output.")
    export_quality: ExportQuality = Field(
        default=ExportQuality.Q1080P, description="Maximum output height; smaller inputs are never upscaled."
    )
    captions: CaptionsMode = Field(
        default=CaptionsMode.OFF,
        description="Subtitles timed to the edited video: SRT + WebVTT files, burnt in, or a soft track.",
    )
    cut_lists: bool = Field(
        default=False, strict=True, description="EDL and FCPXML timelines of the kept parts."
    )
    removed_parts_preview: bool = Field(
        default=False,
        strict=True,
        description="A short video of what silence removal cut, to check the threshold.",
    )

    highlight_clips: ClipAspect = Field(
        default=ClipAspect.OFF,
        description=f"Short clips around the top {MAX_HIGHLIGHT_CLIPS} highlights, captions burnt in, each "
        "with a poster: vertical (9:16) or square.",
    )
    highlight_clip_seconds: float = Field(
        default=30.0,
        strict=True,
        ge=5.0,
        le=90.0,
        description="Length of each highlight clip in seconds (the whole output when it is shorter).",
    )

    def clip_seconds(self, duration: float) -> float:
        """The most seconds of highlight clips a video lasting `duration` gets (their render's bound)."""
        if self.highlight_clips is ClipAspect.OFF:
            return 0.0
        return MAX_HIGHLIGHT_CLIPS * min(self.highlight_clip_seconds, duration)

    @field_validator("keywords", mode="before")
    @classmethod
    def split_keywords(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list) and all(isinstance(k, str) for k in value):
            cleaned = [k.strip().lower() for k in value]
            return list(dict.fromkeys(k for k in cleaned if k != ""))
        return value  # anything else is left to the type check (a 422, not a TypeError)

    @model_validator(mode="after")
    def check_combinations(self) -> Self:
        if self.keywords and not self.detect_highlights:
            raise ValueError("keywords are only used by highlight detection: set detect_highlights to true")
        if self.keywords and not self.transcribe:
            raise ValueError("keywords are matched in the transcript: set transcribe to true")
        if self.captions is not CaptionsMode.OFF and not self.transcribe:
            raise ValueError("captions are made from the transcript: set transcribe to true")
        if self.highlight_clips is not ClipAspect.OFF and not self.detect_highlights:
            raise ValueError("highlight_clips are cut around highlights: set detect_highlights to true")
        if self.removed_parts_preview and not self.remove_silence:
            raise ValueError(
                "removed_parts_preview shows what silence removal cut: set remove_silence to true"
            )
        if self.remove_silence and 2 * self.margin >= self.min_silence_duration:
            raise ValueError(
                f"margin ({self.margin:g} s) kept on both sides would swallow every silence of "
                f"min_silence_duration ({self.min_silence_duration:g} s): lower margin below "
                f"{self.min_silence_duration / 2:g} s or raise min_silence_duration"
            )
        return self
