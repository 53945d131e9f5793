"""The entities of reelflow. Pure data with their ranges and defaults; persistence lives in adapters/."""

from datetime import datetime
from typing import Any
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

from functions.domain.enums import (
    BatchStatus,
    Stage,
    Tier,
    UploadStatus,
    VideoStatus,
)
from functions.domain.settings import BatchSettings

DEFAULT_PRIORITY = 5
DEFAULT_MAX_RETRIES = 3


def new_id() -> str:
    return str(uuid4())


class Entity(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)


class User(Entity):
    id: str = Field(min_length=1, max_length=128)
    tier: Tier = Tier.FREE
    created_at: datetime


class Video(Entity):
    """An uploaded file, probed once on arrival. A video can belong to several batches."""

    id: str = Field(default_factory=new_id)
    user_id: str
    original_name: str = Field(min_length=1, max_length=255)
    size: int | None = Field(default=None, ge=0)
    content_type: str | None = None
    status: UploadStatus = UploadStatus.AWAITING_UPLOAD
    s3_key: str
    duration: float | None = Field(default=None, ge=0)
    width: int | None = Field(default=None, ge=0)
    height: int | None = Field(default=None, ge=0)
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_channels: int | None = Field(default=None, ge=1, description="Of the first audio stream.")
    container: str | None = None
    frame_rate: float | None = Field(default=None, ge=0)
    error_message: str | None = None
    etag: str | None = Field(default=None, description="The ETag of the object that was probed.")
    probe_count: int = Field(default=0, ge=0, description="How many object versions were probed.")
    upload_id: str | None = Field(default=None, description="The multipart upload in progress, if any.")
    part_size: int | None = Field(default=None, gt=0)
    created_at: datetime
    updated_at: datetime


class BatchJob(Entity):
    id: str = Field(default_factory=new_id)
    user_id: str
    tier: Tier = Tier.FREE
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    settings: BatchSettings = Field(default_factory=BatchSettings)
    status: BatchStatus = BatchStatus.PENDING
    total_videos: int = Field(default=0, ge=0)
    completed_videos: int = Field(default=0, ge=0)
    failed_videos: int = Field(default=0, ge=0)
    cancelled_videos: int = Field(default=0, ge=0)
    total_duration_seconds: float = Field(default=0.0, ge=0)
    processed_duration_seconds: float = Field(default=0.0, ge=0)
    processing_seconds: float = Field(default=0.0, ge=0, description="Wall time spent on finished videos.")
    estimated_time_remaining: int | None = Field(default=None, ge=0)
    priority: int = Field(default=DEFAULT_PRIORITY, ge=0, le=10)
    execution_arn: str | None = None
    execution_count: int = Field(default=0, ge=0)
    recovery_count: int = Field(default=0, ge=0, description="Executions started to recover a dead one.")
    queued_at: datetime | None = None  # when it last entered `queued`: its age in the fair queue
    source: str = "api"
    summary: dict[str, Any] | None = None
    error_message: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    updated_at: datetime

    @property
    def finished_videos(self) -> int:
        return self.completed_videos + self.failed_videos + self.cancelled_videos


class BatchVideo(Entity):
    """One video's place in one batch: its position, progress and result."""

    id: str = Field(default_factory=new_id)
    batch_job_id: str
    video_id: str
    position: int = Field(ge=1)
    original_name: str = ""
    status: VideoStatus = VideoStatus.UPLOADING
    upload_status: UploadStatus | None = None  # the video's, copied when the slot is made and released
    progress_percentage: int = Field(default=0, ge=0, le=100)
    current_stage: Stage | None = None  # set to uploading by whoever creates the slot
    error_message: str | None = None
    retry_count: int = Field(default=0, ge=0)
    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0, le=10)
    duration: float | None = Field(default=None, ge=0)
    processing_result: dict[str, Any] | None = None
    output_key: str | None = None
    output_video_url: str | None = None
    # The ETag of the file's version checked when the batch started (or the video was retried): the
    # pipeline reads that version only, a file replaced since fails the video ("file changed after start").
    source_etag: str | None = None
    # A split render's picture parts rendered so far (a number set: a part recorded twice counts once),
    # and when a part last moved the bar (epoch seconds: the parts' shared write throttle).
    rendered_parts: list[int] | None = None
    progress_written_at: float | None = None
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    updated_at: datetime


class Connection(Entity):
    """An open WebSocket connection and what it listens to."""

    connection_id: str
    user_id: str
    batch_id: str | None = None
    connected_at: datetime
    expires_at: datetime


class TranscriptionJob(Entity):
    """An Amazon Transcribe job whose completion event answers a waiting task token."""

    job_name: str
    batch_id: str
    video_id: str
    token: str
    expires_at: datetime
