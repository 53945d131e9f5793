"""An upload arrived: probe it once, record what it is, and release the batches waiting for it."""

from dataclasses import dataclass
from urllib.parse import unquote_plus

from functions.domain import object_keys
from functions.domain.enums import UploadStatus, VideoStatus
from functions.domain.errors import IllegalTransition, InvalidMediaError
from functions.domain.transitions import VideoAction
from functions.domain.uploads import MAX_FILE_SIZE
from functions.media.probe import probe
from functions.observability import logger, tracer
from functions.services.context import Services


@dataclass(frozen=True)
class ObjectCreated:
    bucket: str
    key: str
    size: int | None = None

    @classmethod
    def from_raw(cls, bucket: str, key: str, size: int | None) -> "ObjectCreated":
        return cls(bucket=bucket, key=unquote_plus(key), size=size)


def video_id_from_key(key: str) -> str | None:
    return object_keys.video_id_from_upload_key(key)


@tracer.capture_method
def handle_upload(ctx: Services, event: ObjectCreated) -> str:
    """Returns what happened, for logs and tests: uploaded, invalid, ignored or already-probed."""
    video_id = video_id_from_key(event.key)
    video = ctx.videos.get(video_id) if video_id else None
    if video is None or video.s3_key != event.key:
        logger.warning("Upload matches no video", extra={"key": event.key})
        return "ignored"
    outcome = "already-probed"
    if video.status is UploadStatus.AWAITING_UPLOAD:
        now = ctx.clock()
        fields: dict[str, object]
        try:
            if event.size is not None and event.size > MAX_FILE_SIZE:
                raise InvalidMediaError(
                    f"The file is {event.size} bytes; the limit is {MAX_FILE_SIZE} bytes (2 GB)"
                )
            url = ctx.storage.presigned_get(event.bucket, event.key, 900)
            info = probe(url)
            fields = {**info.model_dump(), "status": UploadStatus.UPLOADED.value, "error_message": None}
            fields["size"] = event.size or info.size or video.size
        except InvalidMediaError as invalid:
            fields = {
                "status": UploadStatus.INVALID.value,
                "error_message": str(invalid),
                "size": event.size or video.size,
            }
        recorded = ctx.videos.record_probe(video.id, fields, now)
        if recorded is not None:
            video = recorded
            outcome = video.status.value
    release_batches(ctx, video.id)
    return outcome


def release_batches(ctx: Services, video_id: str) -> None:
    """Move every batch slot of this video from uploading to pending (idempotent)."""
    video = ctx.videos.get(video_id)
    if video is None or video.status is UploadStatus.AWAITING_UPLOAD:
        return
    for slot in ctx.batch_videos.of_video(video_id):
        if slot.status is not VideoStatus.UPLOADING:
            continue
        fields: dict[str, object] = {
            "duration": video.duration,
            "current_stage": None,
            "upload_status": video.status.value,
        }
        if video.status is UploadStatus.INVALID:
            fields["error_message"] = video.error_message
        try:
            ctx.batch_videos.transition(
                slot.batch_job_id, video_id, VideoAction.MARK_UPLOADED, ctx.clock(), set_fields=fields
            )
        except IllegalTransition:
            continue
