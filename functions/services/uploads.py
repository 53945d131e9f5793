"""Use cases of uploads: the upload target of a slot (one signed PUT, or a multipart upload for files over
100 MB), minting it on demand, and completing, aborting or resuming a multipart upload.

Every URL signs the size: a single PUT signs Content-Length and Content-Type, a part URL signs the
part's exact Content-Length (functions/domain/upload_limits.py), so S3 refuses any other body.
"""

from datetime import timedelta

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import Conflict, NotFound
from functions.domain.models import BatchVideo, Video
from functions.domain.schemas import MultipartPart, MultipartUpload, UploadTarget
from functions.domain.upload_limits import (
    CompletedPart,
    MultipartPlan,
    PartSpec,
    missing_parts,
    needs_multipart,
    plan_multipart,
    signed_put,
    validate_complete,
)
from functions.domain.upload_schemas import (
    CompleteUploadRequest,
    UploadedPart,
    UploadParts,
    UploadRequest,
    UploadState,
)
from functions.domain.uploads import check_file
from functions.observability import tracer
from functions.services.access import require_batch
from functions.services.context import Services

NO_UPLOAD = "This file is not being uploaded in parts"


def _base(batch_id: str, video_id: str) -> str:
    return f"/api/batch-jobs/{batch_id}/uploads/{video_id}"


def prepare_upload(ctx: Services, video: Video) -> Video:
    """Start the multipart upload of a large file (before the video is stored): upload id, part size."""
    if video.size is None or not needs_multipart(video.size):
        return video
    plan = plan_multipart(video.size)
    upload_id = ctx.storage.start_multipart(ctx.config.ingest_bucket, video.s3_key, video.content_type)
    return video.model_copy(update={"upload_id": upload_id, "part_size": plan.part_size})


def _plan(video: Video) -> MultipartPlan:
    if video.upload_id is None or video.size is None or video.part_size is None:
        raise Conflict(NO_UPLOAD)
    return plan_multipart(video.size, video.part_size)


def _part_url(ctx: Services, video: Video, spec: PartSpec) -> str:
    assert video.upload_id is not None
    return ctx.storage.presigned_part(
        ctx.config.ingest_bucket,
        video.s3_key,
        video.upload_id,
        spec.number,
        spec.size,
        ctx.config.upload_url_expiry_seconds,
    )


def upload_target(ctx: Services, batch_id: str, video: Video, position: int) -> UploadTarget:
    """Where and how the client uploads this video's file; no URL while its size is unknown."""
    expires = ctx.config.upload_url_expiry_seconds
    url: str | None = None
    headers: dict[str, str] = {}
    multipart = None
    if video.upload_id is not None:
        plan = _plan(video)
        base = _base(batch_id, video.id)
        multipart = MultipartUpload(
            upload_id=video.upload_id,
            part_size=plan.part_size,
            parts=[MultipartPart(part_number=p.number, url=_part_url(ctx, video, p)) for p in plan.parts],
            complete_url=f"{base}/complete",
            abort_url=f"{base}/abort",
            list_parts_url=f"{base}/parts",
        )
    elif video.size is not None:
        signed = signed_put(video.original_name, video.size, video.content_type)
        url, headers = ctx.storage.presigned_put(
            ctx.config.ingest_bucket,
            video.s3_key,
            expires,
            content_type=signed.content_type,
            size=signed.content_length,
        )
    return UploadTarget(
        video_id=video.id,
        position=position,
        file_name=video.original_name,
        key=video.s3_key,
        url=url,
        headers=headers,
        expires_at=ctx.clock() + timedelta(seconds=expires),
        multipart=multipart,
    )


def _slot(ctx: Services, user_id: str, batch_id: str, video_id: str) -> tuple[BatchVideo, Video]:
    require_batch(ctx, batch_id, user_id)
    slot = ctx.batch_videos.get(batch_id, video_id)
    video = ctx.videos.get(video_id) if slot else None
    if slot is None or video is None:
        raise NotFound(f"The batch has no video '{video_id}'", title="Video not found")
    return slot, video


def _state(video: Video) -> UploadState:
    return UploadState(
        video_id=video.id,
        file_name=video.original_name,
        upload_status=video.status,
        error_message=video.error_message,
    )


@tracer.capture_method
def request_upload(
    ctx: Services, user_id: str, batch_id: str, video_id: str, request: UploadRequest
) -> UploadTarget:
    """A fresh upload target for a slot of a batch that has not started: its first upload, or a
    corrected file for a video that was invalid (or replaced before the start). A multipart upload
    still open for the slot is aborted first: one upload per slot."""
    batch = require_batch(ctx, batch_id, user_id)
    slot, video = _slot(ctx, user_id, batch_id, video_id)
    open_slot = slot.status in {VideoStatus.UPLOADING, VideoStatus.PENDING}
    if batch.status is not BatchStatus.PENDING or not open_slot:
        raise Conflict(f"'{video.original_name}' can only be uploaded before the batch starts")
    checked = check_file(video.original_name, request.size, request.content_type)
    if video.upload_id is not None:
        ctx.storage.abort_multipart(ctx.config.ingest_bucket, video.s3_key, video.upload_id)
    fresh = {"size": checked.size, "content_type": checked.content_type, "upload_id": None, "part_size": None}
    declared = video.model_copy(update=fresh)
    declared = prepare_upload(ctx, declared)
    stored = ctx.videos.set_upload(
        video.id,
        ctx.clock(),
        {
            "size": declared.size,
            "content_type": declared.content_type,
            "upload_id": declared.upload_id,
            "part_size": declared.part_size,
        },
    )
    return upload_target(ctx, batch_id, stored, slot.position)


@tracer.capture_method
def upload_parts(ctx: Services, user_id: str, batch_id: str, video_id: str, with_urls: bool) -> UploadParts:
    """What S3 already holds of a multipart upload, and the parts still to send (fresh URLs on request)."""
    _, video = _slot(ctx, user_id, batch_id, video_id)
    plan = _plan(video)
    assert video.upload_id is not None
    held = ctx.storage.list_parts(ctx.config.ingest_bucket, video.s3_key, video.upload_id)
    return UploadParts(
        video_id=video.id,
        upload_id=video.upload_id,
        size=plan.size,
        part_size=plan.part_size,
        uploaded=[UploadedPart(part_number=p.part_number, etag=p.etag, size=p.size or 0) for p in held],
        missing=[
            MultipartPart(part_number=spec.number, url=_part_url(ctx, video, spec) if with_urls else "")
            for spec in missing_parts(plan, held)
        ],
    )


@tracer.capture_method
def complete_upload(
    ctx: Services, user_id: str, batch_id: str, video_id: str, request: CompleteUploadRequest
) -> UploadState:
    """CompleteMultipartUpload with the client's parts; S3's Object Created event then ingests the file
    exactly as after a single PUT."""
    _, video = _slot(ctx, user_id, batch_id, video_id)
    plan = _plan(video)
    assert video.upload_id is not None
    parts = validate_complete(plan, [CompletedPart(p.part_number, p.etag) for p in request.parts])
    ctx.storage.complete_multipart(ctx.config.ingest_bucket, video.s3_key, video.upload_id, parts)
    ctx.videos.set_upload(video.id, ctx.clock(), {"upload_id": None})
    completed = ctx.videos.get(video.id) or video
    return _state(completed)


@tracer.capture_method
def abort_upload(ctx: Services, user_id: str, batch_id: str, video_id: str) -> UploadState:
    """Drop the parts sent so far; POST …/uploads/{video_id} starts the file again."""
    _, video = _slot(ctx, user_id, batch_id, video_id)
    if video.upload_id is None:
        raise Conflict(NO_UPLOAD)
    ctx.storage.abort_multipart(ctx.config.ingest_bucket, video.s3_key, video.upload_id)
    return _state(ctx.videos.set_upload(video.id, ctx.clock(), {"upload_id": None}))
