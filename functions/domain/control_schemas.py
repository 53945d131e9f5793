"""Request and response bodies of the control endpoints (pause, resume, cancel, retry-failed, delete)."""

from pydantic import BaseModel, ConfigDict, Field

from functions.domain.schemas import BatchJobResponse


class RetryFailedRequest(BaseModel):
    """Without `video_ids`, every failed video with retries left is run again."""

    model_config = ConfigDict(extra="forbid")

    video_ids: list[str] | None = Field(
        default=None,
        max_length=500,
        description="Retry exactly these failed videos (the UI's per-row Retry).",
    )


class RetryFailedResponse(BaseModel):
    job_id: str = Field(description="ARN of the new execution, named `{batch_id}-run{N}`.")
    execution_name: str
    retried_video_ids: list[str] = Field(description="The videos run again, in position order.")
    batch_job: BatchJobResponse


class CancelResponse(BaseModel):
    batch_job: BatchJobResponse
    cancelled_video_ids: list[str] = Field(description="Videos this request cancelled.")
    execution_stopped: bool = Field(description="Whether a running execution was stopped.")
    removed_objects: int = Field(description="Work files and unfinished results removed from S3.")
