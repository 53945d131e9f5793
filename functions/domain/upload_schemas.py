"""Request and response bodies of the upload endpoints (multipart, resume, on-demand upload URLs)."""

from pydantic import BaseModel, ConfigDict, Field

from functions.domain.enums import UploadStatus
from functions.domain.schemas import MultipartPart
from functions.domain.uploads import MAX_FILE_SIZE


class UploadRequest(BaseModel):
    """Mint an upload target for a slot: its first upload (a batch created with video_count only) or a
    corrected file replacing an invalid one."""

    model_config = ConfigDict(extra="forbid")

    size: int = Field(gt=0, le=MAX_FILE_SIZE, description="Size in bytes (2 GB at most); it is signed.")
    content_type: str | None = Field(default=None, max_length=100)


class PartETag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    part_number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200, description="The ETag header S3 returned for the part.")


class CompleteUploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parts: list[PartETag] = Field(min_length=1, max_length=10_000)


class UploadedPart(BaseModel):
    part_number: int
    etag: str
    size: int


class UploadParts(BaseModel):
    video_id: str
    upload_id: str
    size: int
    part_size: int
    uploaded: list[UploadedPart] = Field(description="The parts S3 already holds.")
    missing: list[MultipartPart] = Field(
        description="The parts still to send, each with a fresh URL when urls=true (else url is empty)."
    )


class UploadState(BaseModel):
    video_id: str
    file_name: str
    upload_status: UploadStatus = Field(
        description="awaiting_upload until the file is probed (locally it is probed before the reply)."
    )
    error_message: str | None
