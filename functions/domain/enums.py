"""Enumerations shared by models, API schemas and the state machine."""

from enum import StrEnum


class Tier(StrEnum):
    FREE = "free"
    CREATOR = "creator"
    PRO = "pro"


class BatchStatus(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    PROCESSING = "processing"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_BATCH_STATUSES


TERMINAL_BATCH_STATUSES = frozenset({BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED})


class VideoStatus(StrEnum):
    """Status of a BatchVideo (a video's place in one batch)."""

    PENDING = "pending"
    UPLOADING = "uploading"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_VIDEO_STATUSES


TERMINAL_VIDEO_STATUSES = frozenset({VideoStatus.COMPLETED, VideoStatus.FAILED, VideoStatus.CANCELLED})


class UploadStatus(StrEnum):
    """Status of an uploaded file (the Video entity), independent of any batch."""

    AWAITING_UPLOAD = "awaiting_upload"
    UPLOADED = "uploaded"
    INVALID = "invalid"


class Stage(StrEnum):
    UPLOADING = "uploading"
    TRANSCRIBING = "transcribing"
    REMOVING_SILENCE = "removing_silence"
    DETECTING_HIGHLIGHTS = "detecting_highlights"
    EXPORTING = "exporting"


class Language(StrEnum):
    EN = "en"
    ES = "es"
    RU = "ru"
    DE = "de"
    FR = "fr"
    AUTO = "auto"  # detect the spoken language (one of the five) and record it


class HighlightSensitivity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    MAX = "max"


class CaptionsMode(StrEnum):
    OFF = "off"
    SIDECAR = "sidecar"  # SRT + WebVTT files beside the video
    BURN = "burn"  # sidecar files, and the text drawn into the picture in the same encode
    SOFT = "soft"  # sidecar files, and a subtitle track muxed into the video (mov_text / WebVTT)


class ClipAspect(StrEnum):
    """Highlight clips to post: none, vertical (9:16, Shorts, Reels, TikTok) or square (1:1)."""

    OFF = "off"
    VERTICAL = "vertical"
    SQUARE = "square"


class ExportFormat(StrEnum):
    MP4 = "mp4"
    MOV = "mov"
    WEBM = "webm"


class ExportQuality(StrEnum):
    Q720P = "720p"
    Q1080P = "1080p"
    Q4K = "4k"

    @property
    def height(self) -> int:
        return {"720p": 720, "1080p": 1080, "4k": 2160}[self.value]


class BatchExportKind(StrEnum):
    ZIP = "zip"
    MERGED = "merged"
    PLAYLIST = "playlist"


class ExportStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
