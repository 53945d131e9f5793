"""The S3 drop folder: objects under `dropbox/{user_id}/{folder}/` become one batch per folder.

An object event creates the folder's batch (pending, named after the folder) if it does not exist, then
asks whether the folder may start; so does the scheduled sweep (`sweep`), for folders started by a quiet
period. What the batch contains is decided from a listing of the folder when it starts
(`functions/domain/drop_folder.py`), so duplicated or reordered events change nothing: ids derive from
names and every record is written conditionally.
"""

from contextlib import suppress
from dataclasses import dataclass

from functions.domain.drop_folder import (
    DropFileKind,
    DropFolderPlan,
    DropKey,
    DropObject,
    ManifestResult,
    StartTiming,
    classify,
    default_batch_name,
    drop_batch_id,
    drop_video_id,
    folder_prefix,
    parse_drop_key,
    parse_manifest,
    plan_drop_folder,
    plan_start_reason,
    refusal,
)
from functions.domain.enums import BatchStatus, Tier, UploadStatus, VideoStatus
from functions.domain.errors import DomainError, IllegalTransition, MembershipConflict
from functions.domain.models import BatchJob, BatchVideo, Video
from functions.domain.transitions import BatchAction
from functions.observability import logger, tracer
from functions.services.batches import start_checked
from functions.services.context import Services
from functions.services.ingestion import probe_video, release_batches

SOURCE = "dropbox"


@dataclass(frozen=True)
class Folder:
    user_id: str
    folder: str


def timing(ctx: Services) -> StartTiming:
    return StartTiming(
        quiet_seconds=ctx.config.drop_quiet_period_seconds, settle_seconds=ctx.config.drop_settle_seconds
    )


def _tier(ctx: Services, user_id: str) -> Tier:
    user = ctx.users.get(user_id)
    return user.tier if user else Tier.FREE


@tracer.capture_method
def note_object(ctx: Services, key: str, start_timing: StartTiming | None = None) -> str:
    """An object arrived under dropbox/: make sure its folder's batch exists, then try to start it."""
    drop_key = parse_drop_key(key)
    if drop_key is None:
        return "ignored"
    now = ctx.clock()
    batch = BatchJob(
        id=drop_batch_id(drop_key.user_id, drop_key.folder),
        user_id=drop_key.user_id,
        tier=_tier(ctx, drop_key.user_id),
        name=default_batch_name(drop_key.folder),
        source=SOURCE,
        summary={"drop_folder": {"folder": drop_key.folder}},
        created_at=now,
        updated_at=now,
    )
    with suppress(MembershipConflict):  # the folder's batch exists (an earlier file, a redelivery)
        ctx.batches.create(batch, [])
    if classify(drop_key) is DropFileKind.VIDEO and refusal(drop_key, None) is None:
        _probe_on_arrival(ctx, batch, drop_key)
    return try_start(ctx, Folder(drop_key.user_id, drop_key.folder), start_timing or timing(ctx))


def _probe_on_arrival(ctx: Services, batch: BatchJob, drop_key: DropKey) -> None:
    """Each file is probed by its own object event, as it arrives (one invocation each on AWS, in
    parallel), so the start only reads what was recorded: probing 1,000 files one after the other in the
    invocation that starts the folder would not fit its time. A file the plan leaves out later (over the
    limit, a refused name) keeps a video record that no batch holds, as an upload never added does."""
    video = Video(
        id=drop_video_id(batch.id, drop_key.key),
        user_id=drop_key.user_id,
        original_name=drop_key.file_name,
        s3_key=drop_key.key,
        created_at=batch.created_at,
        updated_at=batch.created_at,
    )
    _probed(ctx, video)


def _probed(ctx: Services, video: Video) -> Video:
    """The video's record (written once: a redelivered event or a second starter finds it), probed once
    per version of its file ("already-probed" when its object event probed this one), as now stored."""
    ctx.videos.create(video)
    stored = ctx.videos.get(video.id) or video
    probe_video(ctx, stored, ctx.config.ingest_bucket)
    return ctx.videos.get(video.id) or stored


@tracer.capture_method
def sweep(ctx: Services, start_timing: StartTiming | None = None) -> dict[str, str]:
    """The scheduled check: every pending drop-folder batch that may start now starts."""
    outcomes = {}
    for batch in ctx.batches.list_by_status(BatchStatus.PENDING):
        if batch.source != SOURCE or batch.total_videos:
            continue
        folder = (batch.summary or {}).get("drop_folder", {}).get("folder")
        if isinstance(folder, str):
            outcomes[batch.id] = try_start(ctx, Folder(batch.user_id, folder), start_timing or timing(ctx))
    return outcomes


def _plan(ctx: Services, folder: Folder) -> DropFolderPlan:
    bucket = ctx.config.ingest_bucket
    listing = ctx.storage.list_objects(bucket, folder_prefix(folder.user_id, folder.folder))
    objects = [DropObject(o.key, o.size, o.last_modified) for o in listing]
    limit = ctx.config.drop_folder_max_videos
    plan = plan_drop_folder(folder.user_id, folder.folder, limit, objects, None)
    manifest: ManifestResult | None = None
    if plan.manifest_key is not None:
        manifest = parse_manifest(ctx.storage.get_bytes(bucket, plan.manifest_key))
        plan = plan_drop_folder(folder.user_id, folder.folder, limit, objects, manifest)
    return plan


def try_start(ctx: Services, folder: Folder, start_timing: StartTiming) -> str:
    """Start the folder's batch if the folder is complete (`drop_folder.start_reason`), else wait."""
    batch = ctx.batches.get(drop_batch_id(folder.user_id, folder.folder))
    if batch is None or batch.status is not BatchStatus.PENDING or batch.total_videos:
        return "started-already"
    plan = _plan(ctx, folder)
    uploads = ctx.storage.multipart_uploads(
        ctx.config.ingest_bucket, folder_prefix(folder.user_id, folder.folder)
    )
    reason = plan_start_reason(plan, ctx.clock(), uploads, start_timing)
    if reason is None:
        return "waiting"
    batch = _fill(ctx, batch, plan)
    if batch.status is not BatchStatus.PENDING:
        return "started-already"
    if plan.failure_reason is not None:
        try:
            ctx.batches.transition(
                batch,
                BatchAction.REJECT,
                ctx.clock(),
                set_fields={"error_message": plan.failure_reason, "completed_at": ctx.clock()},
            )
        except IllegalTransition:
            return "started-already"
        return "failed"
    try:
        start_checked(ctx, batch)
    except DomainError as refused:  # lost a race with another starter, or a file still being checked
        logger.info("Drop folder not started", extra={"batch_id": batch.id, "reason": refused.detail})
        return "waiting"
    logger.info("Drop folder started", extra={"batch_id": batch.id, "reason": reason.value})
    return f"started: {reason.value}"


def _fill(ctx: Services, batch: BatchJob, plan: DropFolderPlan) -> BatchJob:
    """Write the folder's videos (probed) and members, once: a second starter finds them there."""
    now = ctx.clock()
    members = []
    for planned in plan.videos:
        video = Video(
            id=planned.video_id,
            user_id=plan.user_id,
            original_name=planned.file_name,
            size=planned.size,
            s3_key=planned.key,
            created_at=now,
            updated_at=now,
        )
        probed = _probed(ctx, video)
        invalid = probed.status is UploadStatus.INVALID
        members.append(
            BatchVideo(
                batch_job_id=batch.id,
                video_id=video.id,
                position=planned.position,
                original_name=planned.file_name,
                status=VideoStatus.PENDING,
                duration=probed.duration,
                error_message=probed.error_message if invalid else None,
                created_at=now,
                updated_at=now,
            )
        )
    ctx.batches.update(
        batch.id,
        now,
        set_fields={
            "name": plan.name,
            "description": plan.description,
            "settings": plan.settings,
            "priority": plan.priority,
            "summary": {"drop_folder": {"folder": plan.folder, **plan.report}},
        },
    )
    if members:
        with suppress(MembershipConflict):  # another starter wrote them
            ctx.batches.add_videos(batch, members, now)
        for member in members:
            release_batches(ctx, member.video_id)
    return ctx.batches.get(batch.id) or batch
