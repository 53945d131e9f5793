"""Request and response bodies of the HTTP API (they also generate the OpenAPI document)."""

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from functions.domain.batch_progress import batch_progress_percentage
from functions.domain.enums import BatchStatus, Stage, Tier, UploadStatus, VideoStatus
from functions.domain.links import Link, earliest
from functions.domain.models import DEFAULT_PRIORITY, BatchJob, BatchVideo
from functions.domain.quotas import TIER_LIMITS
from functions.domain.settings import BatchSettings
from functions.domain.text import Description, FileName, Identifier, Name
from functions.domain.uploads import MAX_FILE_SIZE

MAX_VIDEOS_PER_BATCH = max(limit.max_videos_per_batch for limit in TIER_LIMITS.values())


class ErrorResponse(BaseModel):
    error: str = Field(description="Short title of the error.")
    detail: str | list[dict[str, Any]] = Field(description="What went wrong and what to do about it.")


class FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FileName = Field(description="Original file name, with its extension.")
    size: int = Field(gt=0, le=MAX_FILE_SIZE, strict=True, description="Size in bytes (2 GB at most).")
    content_type: str | None = Field(default=None, max_length=100, pattern=r"^[\x21-\x7e]+$", strict=True)


class BatchJobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    settings: BatchSettings = Field(default_factory=BatchSettings)
    priority: int = Field(default=DEFAULT_PRIORITY, ge=0, le=10, strict=True)
    video_count: int | None = Field(default=None, ge=1, le=MAX_VIDEOS_PER_BATCH, strict=True)
    files: list[FileSpec] | None = Field(default=None, min_length=1, max_length=MAX_VIDEOS_PER_BATCH)

    @model_validator(mode="after")
    def count_and_files_agree(self) -> Self:
        if self.video_count is None and self.files is None:
            raise ValueError("give video_count, files, or both")
        if self.video_count is not None and self.files is not None and self.video_count != len(self.files):
            raise ValueError(f"video_count is {self.video_count} but {len(self.files)} files are listed")
        return self

    @property
    def count(self) -> int:
        return len(self.files) if self.files is not None else int(self.video_count or 0)


class MultipartPart(BaseModel):
    part_number: int
    url: str


class MultipartUpload(BaseModel):
    upload_id: str
    part_size: int
    parts: list[MultipartPart]
    complete_url: str = Field(description="POST here with the parts' ETags to finish the upload.")
    abort_url: str
    list_parts_url: str


class UploadTarget(BaseModel):
    video_id: str
    position: int
    file_name: str
    key: str
    method: Literal["PUT"] = "PUT"
    url: str | None = Field(
        description="The presigned single PUT; null when the file goes in parts (see multipart) or its size "
        "is not known yet (POST /api/batch-jobs/{id}/uploads/{video_id} with the size mints the URL)."
    )
    headers: dict[str, str] = Field(
        description="Headers the PUT must carry (they are part of the signature)."
    )
    expires_at: datetime
    multipart: MultipartUpload | None = None


class BatchVideoResponse(BaseModel):
    id: str
    batch_job_id: str
    video_id: str
    position: int
    original_name: str
    status: VideoStatus
    upload_status: UploadStatus | None = None
    progress_percentage: int
    current_stage: Stage | None
    error_message: str | None
    retry_count: int
    max_retries: int
    duration: float | None
    processing_result: dict[str, Any] | None
    artifacts: dict[str, str] = Field(
        default_factory=dict,
        description="Download URLs, minted on every read: each stage's full data by stage name "
        "(transcribing, removing_silence, detecting_highlights) and each file published beside the output "
        "by name (captions_srt, captions_vtt, poster, thumbnail, edl, fcpxml, removed_parts, chapters, and "
        "the highlight clips clip_1, clip_1_poster, clip_2, …).",
    )
    output_video_url: str | None
    links_expire_at: datetime | None = Field(
        default=None,
        description="When the first of output_video_url and the artifacts' URLs stops working (null: no "
        "link). Each is valid until at least this time; read the batch again before it for fresh ones.",
    )
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(
        cls,
        batch_video: BatchVideo,
        output: Link | None = None,
        upload_status: UploadStatus | None = None,
        artifacts: dict[str, Link] | None = None,
    ) -> "BatchVideoResponse":
        data = batch_video.model_dump(exclude={"output_key", "output_video_url", "upload_status"})
        links = artifacts or {}
        return cls(
            **data,
            output_video_url=output.url if output else None,
            links_expire_at=earliest([output, *links.values()]),
            upload_status=upload_status,
            artifacts={name: link.url for name, link in links.items()},
        )


class BatchJobResponse(BaseModel):
    id: str
    user_id: str
    tier: Tier
    name: str
    description: str | None
    settings: BatchSettings
    status: BatchStatus
    total_videos: int
    completed_videos: int
    failed_videos: int
    cancelled_videos: int
    progress_percentage: int = Field(
        description="Share of videos that finished (completed, failed or cancelled)."
    )
    total_duration_seconds: float
    processed_duration_seconds: float
    estimated_time_remaining: int | None
    priority: int
    execution_arn: str | None
    source: str
    summary: dict[str, Any] | None
    error_message: str | None
    created_at: datetime
    queued_at: datetime | None = Field(
        default=None, description="When a queued batch entered the fair queue (null unless queued)."
    )
    started_at: datetime | None = Field(
        description="When processing began (admission from the queue), not when the batch was queued."
    )
    completed_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, batch: BatchJob) -> "BatchJobResponse":
        data = batch.model_dump(exclude={"processing_seconds", "execution_count"})
        return cls(**data, progress_percentage=batch_progress_percentage(batch))


class BatchJobDetail(BatchJobResponse):
    videos: list[BatchVideoResponse]
    queue_position: int | None = Field(
        default=None,
        description="A queued batch's 1-based place in the fair queue's order (null unless queued).",
    )


class BatchJobCreated(BaseModel):
    batch_job: BatchJobResponse
    upload_urls: list[str | None] = Field(
        description="One presigned PUT URL per video, in position order (null: see uploads[i])."
    )
    uploads: list[UploadTarget]


class BatchJobList(BaseModel):
    batch_jobs: list[BatchJobResponse]
    total: int = Field(description="Batches matching the status filter (all pages).")
    limit: int
    offset: int
    next_token: str | None = Field(
        default=None,
        description="Pass as next_token to get the page after this one; null on the last page.",
    )


class StartResponse(BaseModel):
    job_id: str = Field(description="ARN of the Step Functions execution (named after the batch).")
    batch_job: BatchJobResponse


class AddVideosRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    video_ids: list[Identifier] | None = Field(
        default=None, min_length=1, max_length=MAX_VIDEOS_PER_BATCH, description="Videos already uploaded."
    )
    files: list[FileSpec] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_VIDEOS_PER_BATCH,
        description="New files: the reply carries an upload target for each new slot.",
    )

    @model_validator(mode="after")
    def one_source(self) -> Self:
        if (self.video_ids is None) == (self.files is None):
            raise ValueError("give either video_ids or files")
        return self


class VideosAdded(BatchJobDetail):
    uploads: list[UploadTarget] = Field(default_factory=list, description="Targets of the new files.")


class BatchJobEdit(BaseModel):
    """A new name or description (or both) for a batch that has not started; a description of null
    clears it, a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, description="The new name (1 to 100 characters).")
    description: Description | None = Field(
        default=None, description="The new description (up to 2000 characters); null clears it."
    )

    @model_validator(mode="after")
    def something_to_change(self) -> Self:
        if not self.model_fields_set & {"name", "description"}:
            raise ValueError("give name, description, or both")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null; a batch always has a name")
        return self

    def changes(self) -> dict[str, str | None]:
        """The stored fields this edit sets (None removes the description)."""
        return {
            field: getattr(self, field) for field in ("name", "description") if field in self.model_fields_set
        }


class ReorderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    video_ids: list[Identifier] = Field(
        min_length=1,
        max_length=MAX_VIDEOS_PER_BATCH,
        description="Every video of the batch, in the new order (position 1 first).",
    )
