"""Use cases behind the batch endpoints: create, list, read, add videos, start."""

from dataclasses import dataclass
from datetime import timedelta

from functions.domain import object_keys
from functions.domain.batch_listing import SortField
from functions.domain.enums import BatchStatus, Stage, Tier, UploadStatus, VideoStatus
from functions.domain.errors import Conflict, IllegalTransition, InvalidRequest, QuotaExceeded, RateLimited
from functions.domain.models import BatchJob, BatchVideo, Video, new_id
from functions.domain.quotas import limits_for
from functions.domain.schemas import (
    BatchJobCreate,
    BatchJobCreated,
    BatchJobDetail,
    BatchJobList,
    BatchJobResponse,
    BatchVideoResponse,
    StartResponse,
    UploadTarget,
)
from functions.domain.transitions import BatchAction
from functions.domain.uploads import CheckedFile, check_file, safe_name
from functions.observability import tracer
from functions.services.access import batch_not_found, require_batch
from functions.services.context import Services

__all__ = ["SortField"]
ALREADY_PROCESSING = "Batch is already processing"


@dataclass(frozen=True)
class Caller:
    user_id: str
    tier: Tier


def upload_key(user_id: str, video_id: str, file_name: str) -> str:
    return object_keys.upload_key(user_id, video_id, safe_name(file_name))


def _planned_files(request: BatchJobCreate) -> list[CheckedFile]:
    if request.files is None:
        return [check_file(f"video_{i:03d}.mp4", None, None) for i in range(1, request.count + 1)]
    return [check_file(f.name, f.size, f.content_type) for f in request.files]


@tracer.capture_method
def create_batch(ctx: Services, caller: Caller, request: BatchJobCreate) -> BatchJobCreated:
    limits = limits_for(caller.tier)
    if request.count > limits.max_videos_per_batch:
        raise QuotaExceeded(
            f"{request.count} videos requested; the {caller.tier.value} plan allows "
            f"{limits.max_videos_per_batch} per batch"
        )
    files = _planned_files(request)
    now = ctx.clock()
    ctx.users.upsert(caller.user_id, caller.tier, now)
    if limits.batch_creations_per_hour is not None:
        window_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        used = ctx.users.consume_creation_quota(
            caller.user_id,
            window=now.strftime("%Y%m%d%H"),
            limit=limits.batch_creations_per_hour,
            expires_epoch=int(window_end.timestamp()) + 3600,
        )
        if used is None:
            raise RateLimited(
                f"Your plan allows {limits.batch_creations_per_hour} batch creations per hour; "
                "try again later or upgrade"
            )
    batch = BatchJob(
        user_id=caller.user_id,
        tier=caller.tier,
        name=request.name,
        description=request.description,
        settings=request.settings,
        priority=request.priority,
        total_videos=len(files),
        created_at=now,
        updated_at=now,
    )
    videos = [
        Video(
            id=(video_id := new_id()),
            user_id=caller.user_id,
            original_name=f.name,
            size=f.size,
            content_type=f.content_type,
            s3_key=upload_key(caller.user_id, video_id, f.name),
            created_at=now,
            updated_at=now,
        )
        for f in files
    ]
    batch_videos = [
        BatchVideo(
            batch_job_id=batch.id,
            video_id=video.id,
            position=position,
            original_name=video.original_name,
            upload_status=UploadStatus.AWAITING_UPLOAD,
            current_stage=Stage.UPLOADING,
            created_at=now,
            updated_at=now,
        )
        for position, video in enumerate(videos, start=1)
    ]
    ctx.videos.put_many(videos)
    ctx.batches.create(batch, batch_videos)
    uploads = [upload_target(ctx, video, position) for position, video in enumerate(videos, start=1)]
    return BatchJobCreated(
        batch_job=BatchJobResponse.of(batch), upload_urls=[u.url for u in uploads], uploads=uploads
    )


def upload_target(ctx: Services, video: Video, position: int) -> UploadTarget:
    expires = ctx.config.upload_url_expiry_seconds
    url, headers = ctx.storage.presigned_put(
        ctx.config.ingest_bucket, video.s3_key, expires, content_type=video.content_type, size=video.size
    )
    return UploadTarget(
        video_id=video.id,
        position=position,
        file_name=video.original_name,
        key=video.s3_key,
        url=url,
        headers=headers,
        expires_at=ctx.clock() + timedelta(seconds=expires),
    )


@tracer.capture_method
def list_batches(
    ctx: Services,
    caller: Caller,
    status: BatchStatus | None,
    limit: int,
    offset: int,
    sort: SortField,
    next_token: str | None = None,
) -> BatchJobList:
    """One bounded read for the page (an offset is read and skipped: it costs what it skips; next_token
    resumes where the last page ended) and, unless the first page holds them all, one COUNT for `total`."""
    page = ctx.batches.page_for_user(caller.user_id, status, sort, limit, after=next_token, skip=offset)
    everything = next_token is None and page.next_token is None and (page.items or offset == 0)
    return BatchJobList(
        batch_jobs=[BatchJobResponse.of(b) for b in page.items],
        total=offset + len(page.items) if everything else ctx.batches.count_for_user(caller.user_id, status),
        limit=limit,
        offset=offset,
        next_token=page.next_token,
    )


def output_url(ctx: Services, batch_video: BatchVideo) -> str | None:
    """Download URLs are minted on every read: a URL signed by a Lambda role dies with its session."""
    if not batch_video.output_key:
        return None
    name = batch_video.output_key.rsplit("/", 1)[-1]
    return ctx.storage.presigned_get(
        ctx.config.media_bucket, batch_video.output_key, ctx.config.download_url_expiry_seconds, name
    )


def artifact_urls(ctx: Services, batch_video: BatchVideo) -> dict[str, str]:
    urls = {}
    for stage, summary in (batch_video.processing_result or {}).items():
        if isinstance(summary, dict) and summary.get("artifact_key"):
            urls[stage] = ctx.storage.presigned_get(
                ctx.config.media_bucket, str(summary["artifact_key"]), ctx.config.download_url_expiry_seconds
            )
    return urls


@tracer.capture_method
def get_batch_detail(ctx: Services, caller: Caller, batch_id: str) -> BatchJobDetail:
    """One read for the batch and its videos; the upload status is on each slot (slots written before it
    was are completed by one batched read of their videos)."""
    found = ctx.batches.get_with_videos(batch_id)
    if found is None or found[0].user_id != caller.user_id:
        raise batch_not_found(batch_id)
    batch, videos = found
    waiting = {VideoStatus.UPLOADING, VideoStatus.PENDING}
    unknown = [bv.video_id for bv in videos if bv.status in waiting and bv.upload_status is None]
    stored = ctx.videos.get_many(unknown) if unknown else {}
    responses = []
    for bv in videos:
        upload_status = None
        if bv.status in waiting:
            video = stored.get(bv.video_id)
            upload_status = bv.upload_status or (video.status if video else None)
        responses.append(
            BatchVideoResponse.of(bv, output_url(ctx, bv), upload_status, artifact_urls(ctx, bv))
        )
    return BatchJobDetail(**BatchJobResponse.of(batch).model_dump(), videos=responses)


@tracer.capture_method
def add_videos(ctx: Services, caller: Caller, batch_id: str, video_ids: list[str]) -> BatchJobDetail:
    batch = require_batch(ctx, batch_id, caller.user_id)
    if batch.status is not BatchStatus.PENDING:
        raise Conflict(f"Videos can only be added before the batch starts; it is '{batch.status.value}'")
    if len(set(video_ids)) != len(video_ids):
        raise InvalidRequest("video_ids lists a video more than once")
    limit = limits_for(caller.tier).max_videos_per_batch
    if batch.total_videos + len(video_ids) > limit:
        raise QuotaExceeded(
            f"The batch would hold {batch.total_videos + len(video_ids)} videos; "
            f"the {caller.tier.value} plan allows {limit}"
        )
    existing = {bv.video_id for bv in ctx.batch_videos.of_batch(batch_id)}
    now = ctx.clock()
    additions = []
    for offset, video_id in enumerate(video_ids, start=1):
        video = ctx.videos.get(video_id)
        if video is None or video.user_id != caller.user_id:
            raise InvalidRequest(f"Video '{video_id}' not found")
        if video_id in existing:
            raise Conflict(f"Video '{video_id}' is already in this batch")
        if video.status is UploadStatus.AWAITING_UPLOAD:
            raise Conflict(f"Video '{video_id}' ({video.original_name}) has not been uploaded yet")
        additions.append(
            BatchVideo(
                batch_job_id=batch_id,
                video_id=video_id,
                position=batch.total_videos + offset,
                original_name=video.original_name,
                status=VideoStatus.PENDING,
                upload_status=video.status,
                duration=video.duration,
                error_message=video.error_message if video.status is UploadStatus.INVALID else None,
                created_at=now,
                updated_at=now,
            )
        )
    ctx.batches.add_videos(batch, additions, now)
    return get_batch_detail(ctx, caller, batch_id)


@tracer.capture_method
def start_batch(ctx: Services, caller: Caller, batch_id: str) -> StartResponse:
    batch = require_batch(ctx, batch_id, caller.user_id)
    if batch.status is not BatchStatus.PENDING:
        if batch.status.is_terminal:
            raise InvalidRequest(
                f"Batch has already finished ({batch.status.value})", title="Batch already finished"
            )
        raise InvalidRequest(f"Batch status is '{batch.status.value}'", title=ALREADY_PROCESSING)
    videos = ctx.batch_videos.of_batch(batch_id)
    if not videos:
        raise InvalidRequest("The batch has no videos; add some before starting it")
    waiting = [bv.original_name for bv in videos if bv.status is VideoStatus.UPLOADING]
    if waiting:
        raise Conflict(
            f"{len(waiting)} of {len(videos)} videos are not uploaded yet: {', '.join(waiting[:5])}"
            + ("…" if len(waiting) > 5 else ""),
            title="Videos not uploaded",
        )
    now = ctx.clock()
    try:
        started = ctx.batches.transition(
            batch,
            BatchAction.START,
            now,
            set_fields={
                "started_at": now,
                "total_duration_seconds": sum(bv.duration or 0.0 for bv in videos),
                "execution_arn": ctx.workflow.execution_arn(batch.id),
            },
            add_fields={"execution_count": 1},
        )
    except IllegalTransition as lost:
        raise InvalidRequest(f"Batch status is '{lost.current}'", title=ALREADY_PROCESSING) from lost
    execution_arn = launch_execution(ctx, started)
    return StartResponse(job_id=execution_arn, batch_job=BatchJobResponse.of(started))


def execution_name(batch: BatchJob) -> str:
    """The batch id names its first execution; later runs (retry-failed) add a run number."""
    return batch.id if batch.execution_count <= 1 else f"{batch.id}-run{batch.execution_count}"


def launch_execution(ctx: Services, batch: BatchJob) -> str:
    name = execution_name(batch)
    try:
        arn = ctx.workflow.start(name, {"batch_id": batch.id})
    except Exception as error:
        ctx.batches.transition(
            batch,
            BatchAction.FAIL,
            ctx.clock(),
            set_fields={
                "error_message": f"Could not start processing: {error}",
                "completed_at": ctx.clock(),
            },
        )
        raise
    if arn != batch.execution_arn:
        ctx.batches.update(batch.id, ctx.clock(), set_fields={"execution_arn": arn})
    return arn
