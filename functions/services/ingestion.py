"""An upload arrived: probe it once, record what it is, and release the batches waiting for it."""

from dataclasses import dataclass
from urllib.parse import unquote_plus

from functions.domain import object_keys
from functions.domain.enums import UploadStatus, VideoStatus
from functions.domain.errors import IllegalTransition, InvalidMediaError
from functions.domain.models import Video
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
    """Returns what happened, for logs and tests: uploaded, invalid, ignored, missing or already-probed."""
    video_id = video_id_from_key(event.key)
    video = ctx.videos.get(video_id) if video_id else None
    if video is None or video.s3_key != event.key:
        logger.warning("Upload matches no video", extra={"key": event.key})
        return "ignored"
    outcome = probe_video(ctx, video, event.bucket)
    release_batches(ctx, video.id, refresh=outcome in PROBED)
    return outcome


def probe_video(ctx: Services, video: Video, bucket: str) -> str:
    """Probe the object as it is now, once per version (its ETag): a corrected upload of an invalid file
    or a file replaced after probing is probed again, a redelivered or stale event finds its version
    recorded. Reading the object's current ETag (not the event's) keeps out-of-order events harmless."""
    head = ctx.storage.head(bucket, video.s3_key)
    if head is None:
        return "missing"
    etag, size = str(head["ETag"]), int(head["ContentLength"])
    if etag == video.etag:
        return "already-probed"
    fields: dict[str, object]
    try:
        if size > MAX_FILE_SIZE:
            raise InvalidMediaError(f"The file is {size} bytes; the limit is {MAX_FILE_SIZE} bytes (2 GB)")
        if video.size is not None and size != video.size:
            raise InvalidMediaError(
                f"The upload is {size} bytes but {video.size} bytes were declared; upload the file again"
            )
        info = probe(ctx.storage.presigned_get(bucket, video.s3_key, 900))
        fields = {**info.model_dump(), "status": UploadStatus.UPLOADED.value, "error_message": None}
        fields["size"] = size
    except InvalidMediaError as invalid:
        fields = {
            "status": UploadStatus.INVALID.value,
            "error_message": f"{video.original_name}: {invalid}",
            "size": video.size or size,
        }
    recorded = ctx.videos.record_probe(video.id, etag, fields, ctx.clock())
    return recorded.status.value if recorded is not None else "already-probed"


PROBED = {UploadStatus.UPLOADED.value, UploadStatus.INVALID.value}  # outcomes of a new probe


def release_batches(ctx: Services, video_id: str, refresh: bool = False) -> None:
    """Move every batch slot of this video from uploading to pending (idempotent); with `refresh` (the
    file was probed again: corrected or replaced), pending slots take the new duration and error too."""
    video = ctx.videos.get(video_id)
    if video is None or video.status is UploadStatus.AWAITING_UPLOAD:
        return
    for slot in ctx.batch_videos.of_video(video_id):
        fields: dict[str, object] = {
            "duration": video.duration,
            "current_stage": None,
            "upload_status": video.status.value,
            "error_message": video.error_message if video.status is UploadStatus.INVALID else None,
        }
        if slot.status is VideoStatus.PENDING and refresh:  # probed again before the start
            ctx.batch_videos.update(
                slot.batch_job_id, video_id, ctx.clock(), set_fields=fields, only_if=VideoStatus.PENDING
            )
            continue
        if slot.status is not VideoStatus.UPLOADING:
            continue
        try:
            ctx.batch_videos.transition(
                slot.batch_job_id, video_id, VideoAction.MARK_UPLOADED, ctx.clock(), set_fields=fields
            )
        except IllegalTransition:
            continue
