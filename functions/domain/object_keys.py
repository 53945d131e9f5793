"""Where every object lives in S3: the one layout the services write and the IAM grants in `infra/` read.

Ingest bucket: `uploads/` (presigned uploads), `dropbox/` (the drop folder).
Media bucket: `work/` (scratch), `results/` (stage artifacts), `transcripts/` (Amazon Transcribe output),
`outputs/` (rendered videos), `reports/` (batch summaries), `exports/` (ZIP, merged, playlist).
"""

from enum import StrEnum
from pathlib import PurePosixPath


class Prefix(StrEnum):
    UPLOADS = "uploads"
    DROPBOX = "dropbox"
    WORK = "work"
    RESULTS = "results"
    TRANSCRIPTS = "transcripts"
    OUTPUTS = "outputs"
    REPORTS = "reports"
    EXPORTS = "exports"


MEDIA_PREFIXES = (
    Prefix.WORK,
    Prefix.RESULTS,
    Prefix.TRANSCRIPTS,
    Prefix.OUTPUTS,
    Prefix.REPORTS,
    Prefix.EXPORTS,
)
BATCH_SCOPED_PREFIXES = MEDIA_PREFIXES  # every media prefix is followed by the batch id


def upload_key(user_id: str, video_id: str, safe_file_name: str) -> str:
    return f"{Prefix.UPLOADS}/{user_id}/{video_id}/{safe_file_name}"


def video_id_from_upload_key(key: str) -> str | None:
    """uploads/{user_id}/{video_id}/{file name} → video_id."""
    parts = key.split("/")
    if len(parts) >= 4 and parts[0] == Prefix.UPLOADS:
        return parts[2]
    return None


def work_key(batch_id: str, video_id: str, file_name: str) -> str:
    return f"{Prefix.WORK}/{batch_id}/{video_id}/{file_name}"


def artifact_key(batch_id: str, video_id: str, stage: str) -> str:
    return f"{Prefix.RESULTS}/{batch_id}/{video_id}/{stage}.json"


def transcript_key(batch_id: str, video_id: str, job_name: str) -> str:
    return f"{Prefix.TRANSCRIPTS}/{batch_id}/{video_id}/{job_name}.json"


def output_key(batch_id: str, position: int, safe_file_name: str, extension: str) -> str:
    return output_extra_key(batch_id, position, safe_file_name, f".{extension}")


def output_extra_key(batch_id: str, position: int, safe_file_name: str, suffix: str) -> str:
    """A file published beside the output video, named like it: `suffix` is `.srt`, `.vtt`,
    `.poster.jpg`, `.thumb.jpg`, `.edl`, `.fcpxml` or `.removed.mp4`."""
    stem = PurePosixPath(safe_file_name).stem
    return f"{Prefix.OUTPUTS}/{batch_id}/{position:03d}_{stem}{suffix}"


def report_key(batch_id: str) -> str:
    return f"{Prefix.REPORTS}/{batch_id}/summary.json"


def batch_prefix(prefix: Prefix, batch_id: str) -> str:
    """Everything a batch owns under one media prefix (for cleanup and deletion)."""
    return f"{prefix}/{batch_id}/"


def export_object_key(batch_id: str, export_id: str, file_name: str) -> str:
    """An export's files: exports/{batch_id}/{export_id}/{file} (expired by the bucket's lifecycle rule)."""
    return f"{Prefix.EXPORTS}/{batch_id}/{export_id}/{file_name}"


def video_prefix(prefix: Prefix, batch_id: str, video_id: str) -> str:
    """One video's files under a per-video media prefix (work, results, transcripts)."""
    return f"{prefix}/{batch_id}/{video_id}/"


def output_prefix(batch_id: str, position: int) -> str:
    """Every rendered output of the video at `position` (its name starts with the position)."""
    return f"{Prefix.OUTPUTS}/{batch_id}/{position:03d}_"


def upload_prefix(user_id: str, video_id: str) -> str:
    """Everything uploaded for one video."""
    return f"{Prefix.UPLOADS}/{user_id}/{video_id}/"
