"""What the export routes answer (API schemas, in docs/openapi.json)."""

from datetime import datetime

from pydantic import BaseModel, Field

from functions.domain.enums import BatchExportKind, ExportStatus
from functions.domain.exports import BatchExport, ExportOptions


class ExportAccepted(BaseModel):
    export_id: str
    status: ExportStatus
    reused: bool = Field(
        default=False, description="True when an identical request made in the last 24 h answered."
    )


class ExportSummary(BaseModel):
    export_id: str
    format: BatchExportKind
    status: ExportStatus
    options: ExportOptions
    created_at: datetime
    completed_at: datetime | None = None
    file_size: int | None = None
    expires_at: datetime
    expired: bool

    @classmethod
    def of(cls, record: BatchExport, now: datetime) -> "ExportSummary":
        return cls(
            export_id=record.id,
            format=record.format,
            status=record.status,
            options=record.options,
            created_at=record.created_at,
            completed_at=record.completed_at,
            file_size=record.file_size,
            expires_at=record.expires_at,
            expired=record.is_expired(now),
        )


class ExportDetail(ExportSummary):
    batch_id: str
    progress: int = Field(ge=0, le=100)
    current_operation: str | None = Field(default=None, examples=["adding video 5/20"])
    download_url: str | None = Field(
        default=None, description="Presigned, minted on each request; set once completed and not expired."
    )
    hls_url: str | None = Field(default=None, description="Playlist exports with hls: the HLS playlist.")
    links_expire_at: datetime | None = Field(
        default=None,
        description="When the first link of this answer stops working: download_url, hls_url and, for a "
        "playlist, every entry in it. Links are short-lived (they cannot outlive the credentials that sign "
        "them); ask again before this time for fresh ones, until expires_at.",
    )
    error_message: str | None = None


class ExportHistory(BaseModel):
    batch_id: str
    exports: list[ExportSummary]
