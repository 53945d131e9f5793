"""Use cases behind the batch endpoints: create, list, read, add videos, start."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.domain import batch_control, object_keys
from functions.domain.batch_control import Control
from functions.domain.batch_listing import SortField, SortOrder
from functions.domain.enums import BatchStatus, Stage, Tier, UploadStatus, VideoStatus
from functions.domain.errors import (
    Conflict,
    IllegalTransition,
    InvalidRequest,
    MembershipConflict,
    NotFound,
    QuotaExceeded,
    RateLimited,
)
from functions.domain.links import Link
from functions.domain.membership import require_one_transaction
from functions.domain.models import BatchJob, BatchVideo, Video, new_id
from functions.domain.quotas import limits_for
from functions.domain.schemas import (
    BatchJobCreate,
    BatchJobCreated,
    BatchJobDetail,
    BatchJobList,
    BatchJobResponse,
    BatchVideoResponse,
    FileSpec,
    StartResponse,
    VideosAdded,
)
from functions.domain.transitions import BatchAction
from functions.domain.uploads import CheckedFile, check_file, safe_name
from functions.observability import tracer
from functions.services.access import batch_not_found, require_batch
from functions.services.context import Services
from functions.services.links import mint_link
from functions.services.queue_view import position_in_queue
from functions.services.uploads import prepare_upload, upload_target

__all__ = ["SortField", "SortOrder"]


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
        prepare_upload(
            ctx,
            Video(
                id=(video_id := new_id()),
                user_id=caller.user_id,
                original_name=f.name,
                size=f.size,
                content_type=f.content_type,
                s3_key=upload_key(caller.user_id, video_id, f.name),
                created_at=now,
                updated_at=now,
            ),
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
    uploads = [upload_target(ctx, batch.id, video, n) for n, video in enumerate(videos, start=1)]
    return BatchJobCreated(
        batch_job=BatchJobResponse.of(batch), upload_urls=[u.url for u in uploads], uploads=uploads
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
    order: SortOrder | None = None,
) -> BatchJobList:
    """One bounded read for the page (an offset is read and skipped: it costs what it skips; next_token
    resumes where the last page ended) and, unless the first page holds them all, one COUNT for `total`."""
    page = ctx.batches.page_for_user(
        caller.user_id, status, sort, limit, after=next_token, skip=offset, order=order
    )
    everything = next_token is None and page.next_token is None and (page.items or offset == 0)
    return BatchJobList(
        batch_jobs=[BatchJobResponse.of(b) for b in page.items],
        total=offset + len(page.items) if everything else ctx.batches.count_for_user(caller.user_id, status),
        limit=limit,
        offset=offset,
        next_token=page.next_token,
    )


def output_link(ctx: Services, batch_video: BatchVideo) -> Link | None:
    """Download links are minted on every read: a URL signed by a Lambda role dies with its session."""
    if not batch_video.output_key:
        return None
    name = batch_video.output_key.rsplit("/", 1)[-1]
    return mint_link(ctx, ctx.config.media_bucket, batch_video.output_key, download_name=name)


def artifact_links(ctx: Services, batch_video: BatchVideo) -> dict[str, Link]:
    """Download links of each stage's full data (by stage name) and of each file the export published
    beside the video (by output name: captions_srt, poster, thumbnail, edl, …), minted on every read."""
    links = {}
    bucket = ctx.config.media_bucket
    for stage, summary in (batch_video.processing_result or {}).items():
        if isinstance(summary, dict) and summary.get("artifact_key"):
            links[stage] = mint_link(ctx, bucket, str(summary["artifact_key"]))
    exported = (batch_video.processing_result or {}).get(Stage.EXPORTING.value)
    outputs = exported.get("outputs") if isinstance(exported, dict) else None
    for name, key in (outputs or {}).items():
        file_name = None if str(key).endswith(".jpg") else str(key).rsplit("/", 1)[-1]  # images show inline
        links[name] = mint_link(ctx, bucket, str(key), download_name=file_name)
    return links


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
            BatchVideoResponse.of(bv, output_link(ctx, bv), upload_status, artifact_links(ctx, bv))
        )
    position = position_in_queue(ctx, batch_id) if batch.status is BatchStatus.QUEUED else None
    return BatchJobDetail(
        **BatchJobResponse.of(batch).model_dump(), videos=responses, queue_position=position
    )


ADD_ATTEMPTS = 20  # concurrent membership changes retry on the fresh count; each attempt is one transaction


def _new_slots(
    ctx: Services, caller: Caller, batch: BatchJob, video_ids: list[str], now: datetime
) -> list[tuple[Video, BatchVideo]]:
    if len(set(video_ids)) != len(video_ids):
        raise InvalidRequest("video_ids lists a video more than once")
    slots = []
    for video_id in video_ids:
        video = ctx.videos.get(video_id)
        if video is None or video.user_id != caller.user_id:
            raise InvalidRequest(f"Video '{video_id}' not found")
        if ctx.batch_videos.get(batch.id, video_id) is not None:
            raise Conflict(f"Video '{video_id}' is already in this batch")
        if video.status is UploadStatus.AWAITING_UPLOAD:
            raise Conflict(f"Video '{video_id}' ({video.original_name}) has not been uploaded yet")
        member = BatchVideo(
            batch_job_id=batch.id,
            video_id=video_id,
            position=1,  # placeholder: the position is given when the members are written
            original_name=video.original_name,
            status=VideoStatus.PENDING,
            upload_status=video.status,
            duration=video.duration,
            error_message=video.error_message if video.status is UploadStatus.INVALID else None,
            created_at=now,
            updated_at=now,
        )
        slots.append((video, member))
    return slots


def _file_slots(
    ctx: Services, caller: Caller, batch: BatchJob, files: list[FileSpec], now: datetime
) -> list[tuple[Video, BatchVideo]]:
    slots = []
    for f in files:
        checked = check_file(f.name, f.size, f.content_type)
        video_id = new_id()
        video = Video(
            id=video_id,
            user_id=caller.user_id,
            original_name=checked.name,
            size=checked.size,
            content_type=checked.content_type,
            s3_key=upload_key(caller.user_id, video_id, checked.name),
            created_at=now,
            updated_at=now,
        )
        member = BatchVideo(
            batch_job_id=batch.id,
            video_id=video_id,
            position=1,  # placeholder: the position is given when the members are written
            original_name=checked.name,
            current_stage=Stage.UPLOADING,
            created_at=now,
            updated_at=now,
        )
        slots.append((video, member))
    return slots


def _require_room(batch: BatchJob, caller: Caller, adding: int) -> int:
    if batch.status is not BatchStatus.PENDING:
        raise Conflict(f"Videos can only be added before the batch starts; it is '{batch.status.value}'")
    limit = limits_for(caller.tier).max_videos_per_batch
    if batch.total_videos + adding > limit:
        raise QuotaExceeded(
            f"The batch would hold {batch.total_videos + adding} videos; the {caller.tier.value} plan "
            f"allows {limit}"
        )
    return limit


@tracer.capture_method
def add_videos(
    ctx: Services,
    caller: Caller,
    batch_id: str,
    video_ids: list[str] | None = None,
    files: list[FileSpec] | None = None,
) -> VideosAdded:
    """Add uploaded videos, or new files (with an upload target each), at the end of a pending batch.

    The members and the batch's count are written in one transaction conditional on the count read
    (positions are total+1…) and on the plan's limit, so two concurrent adds can neither exceed the
    limit nor take the same position: the loser reads the new count and tries again, or is refused."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    adding = len(video_ids or files or [])
    _require_room(batch, caller, adding)
    now = ctx.clock()
    if files is not None:
        slots = _file_slots(ctx, caller, batch, files, now)
        slots = [(prepare_upload(ctx, video), member) for video, member in slots]
        ctx.videos.put_many(video for video, _ in slots)
    else:
        slots = _new_slots(ctx, caller, batch, video_ids or [], now)
    for _ in range(ADD_ATTEMPTS):
        limit = _require_room(batch, caller, adding)
        members = [
            member.model_copy(update={"position": batch.total_videos + n})
            for n, (_, member) in enumerate(slots, start=1)
        ]
        try:
            ctx.batches.add_videos(batch, members, now, limit)
            break
        except MembershipConflict:
            batch = require_batch(ctx, batch_id, caller.user_id)
            if files is None:
                _new_slots(ctx, caller, batch, video_ids or [], now)  # raises if one joined meanwhile
    else:
        raise Conflict("The batch is changing too fast; try again")
    detail = get_batch_detail(ctx, caller, batch_id)
    uploads = [
        upload_target(ctx, batch_id, video, m.position) for (video, _), m in zip(slots, members, strict=True)
    ]
    return VideosAdded(**detail.model_dump(), uploads=uploads if files is not None else [])


def _movable(members: list[BatchVideo], video_id: str) -> BatchVideo:
    for member in members:
        if member.video_id == video_id:
            if member.status not in {VideoStatus.UPLOADING, VideoStatus.PENDING}:
                raise Conflict(f"'{member.original_name}' is {member.status.value}; only pending videos move")
            return member
    raise NotFound(f"The batch has no video '{video_id}'", title="Video not found")


@tracer.capture_method
def remove_video(ctx: Services, caller: Caller, batch_id: str, video_id: str) -> BatchJobDetail:
    """Take a pending video out of a batch that has not started; the ones after it move up."""
    for _ in range(ADD_ATTEMPTS):
        batch = require_batch(ctx, batch_id, caller.user_id)
        if batch.status is not BatchStatus.PENDING:
            raise Conflict(
                f"Videos can only be removed before the batch starts; it is '{batch.status.value}'"
            )
        members = ctx.batch_videos.of_batch(batch_id)
        removed = _movable(members, video_id)
        after = [m for m in members if m.position > removed.position]
        require_one_transaction(len(after) + 1, "removal")  # the removed member and the ones moving up
        try:
            ctx.batches.remove_video(batch, removed, after, ctx.clock())
            return get_batch_detail(ctx, caller, batch_id)
        except MembershipConflict:
            continue
    raise Conflict("The batch is changing too fast; try again")


@tracer.capture_method
def reorder_videos(ctx: Services, caller: Caller, batch_id: str, video_ids: list[str]) -> BatchJobDetail:
    """Give every video of a pending batch its new position (the list is the whole new order)."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    if batch.status is not BatchStatus.PENDING:
        raise Conflict(f"Videos can only be reordered before the batch starts; it is '{batch.status.value}'")
    members = ctx.batch_videos.of_batch(batch_id)
    if len(set(video_ids)) != len(video_ids) or set(video_ids) != {m.video_id for m in members}:
        raise InvalidRequest("video_ids must list every video of the batch exactly once, in the new order")
    moves = []
    for position, video_id in enumerate(video_ids, start=1):
        member = _movable(members, video_id)
        if member.position != position:
            moves.append((member, position))
    if moves:
        require_one_transaction(len(moves), "reorder")
        try:
            ctx.batches.reorder(batch, moves, ctx.clock())
        except MembershipConflict as changed:
            raise Conflict("The batch changed meanwhile; reload it and reorder again") from changed
    return get_batch_detail(ctx, caller, batch_id)


@tracer.capture_method
def start_batch(ctx: Services, caller: Caller, batch_id: str) -> StartResponse:
    return start_checked(ctx, require_batch(ctx, batch_id, caller.user_id))


def start_checked(ctx: Services, batch: BatchJob) -> StartResponse:
    """Start a pending batch whose every file is uploaded and checked (the API's start, a drop folder's)."""
    batch_id = batch.id
    batch_control.check_control(Control.START, batch.status)
    videos = ctx.batch_videos.of_batch(batch_id)
    batch_control.check_uploaded(videos)  # the seed's 400 "All videos must be uploaded before starting"
    unchecked, checked = checked_versions(ctx, videos)
    if unchecked:
        raise Conflict(
            f"{', '.join(unchecked)}: changed after it was checked; it is being checked again, "
            "start the batch once it is",
            title="Videos not checked",
        )
    now = ctx.clock()
    pin_sources(ctx, batch_id, videos, checked, now)
    try:
        ctx.batches.transition(
            batch,
            BatchAction.ENQUEUE,
            now,
            set_fields={
                "queued_at": now,  # started_at is set on admission, when processing begins
                "total_duration_seconds": sum(bv.duration or 0.0 for bv in videos),
            },
        )
    except IllegalTransition as lost:
        raise batch_control.refusal(Control.START, BatchStatus(lost.current or "processing")) from lost
    # Every start goes through the fair queue: admitted now if the caps have room and nobody waiting
    # goes first, else it stays queued (GET shows its position).
    from functions.services.admission import admit_waiting

    admit_waiting(ctx)
    started = require_batch(ctx, batch_id)
    run = started.execution_count if started.status is not BatchStatus.QUEUED else started.execution_count + 1
    execution_arn = started.execution_arn or ctx.workflow.execution_arn(
        batch_control.execution_name(batch.id, max(run, 1))
    )
    return StartResponse(job_id=execution_arn, batch_job=BatchJobResponse.of(started))


def checked_versions(ctx: Services, slots: list[BatchVideo]) -> tuple[list[str], dict[str, str]]:
    """(the files whose object is not the version that was probed: replaced after probing, its event
    not handled yet; a batch never starts on a file nobody checked, {video id: the checked ETag})."""
    names, checked = [], {}
    for slot in slots:
        video = ctx.videos.get(slot.video_id)
        if video is None or video.etag is None:  # records probed before ETags were kept
            continue
        head = ctx.storage.head(ctx.config.ingest_bucket, video.s3_key)
        if head is None or head.get("ETag") != video.etag:
            names.append(video.original_name)
        else:
            checked[video.id] = video.etag
    return names, checked


def pin_sources(
    ctx: Services, batch_id: str, slots: list[BatchVideo], checked: dict[str, str], now: datetime
) -> None:
    """Each slot keeps the version of its file checked at the start: the pipeline reads that version
    only (S3 GetObject IfMatch), so a file replaced after the start fails its video instead of being
    processed as the one probed."""
    for slot in slots:
        etag = checked.get(slot.video_id)
        if etag is not None and slot.source_etag != etag:
            ctx.batch_videos.update(batch_id, slot.video_id, now, set_fields={"source_etag": etag})


def execution_name(batch: BatchJob) -> str:
    """The batch id names its first execution; later runs (retry-failed, recovery) add a run number."""
    return batch_control.execution_name(batch.id, max(batch.execution_count, 1))


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
