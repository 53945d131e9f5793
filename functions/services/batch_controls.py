"""Use cases behind the control endpoints: pause, resume, cancel, retry-failed, delete (seed 3.5).

The rules (which status allows which control, the seed's messages, the retry plan, execution names) are
pure code in `functions/domain/batch_control.py`; here each control is one conditional transition of
the batch (`functions/domain/transitions.py`), so of two concurrent requests exactly one wins and the
loser gets the same refusal as a request that came too late. Work that follows the winning write (video
statuses, task tokens, S3 cleanup) is idempotent and conditional too, so counters stay exact when the
state machine moves videos at the same time.
"""

from dataclasses import dataclass

from functions.domain import object_keys
from functions.domain.batch_control import (
    CANCEL_CLEANUP_PREFIXES,
    CONTROL_RULES,
    DELETE_PREFIXES,
    Control,
    check_control,
    execution_name,
    plan_retry,
    refusal,
)
from functions.domain.control_schemas import CancelResponse, RetryFailedResponse
from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import DomainError, IllegalTransition, NotFound
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.schemas import BatchJobResponse
from functions.domain.transitions import BatchAction, VideoAction
from functions.observability import logger, tracer
from functions.services.access import BATCH_NOT_FOUND, require_batch
from functions.services.admission import admit_waiting
from functions.services.batch_lifecycle import mark_unfinished_videos
from functions.services.batches import Caller
from functions.services.context import Services
from functions.services.parked_tokens import release_parked
from functions.services.slots import slot_freed

CANCELLED_BY_USER = "Cancelled by the user"


def _lost(control: Control, lost: IllegalTransition, batch_id: str) -> DomainError:
    """The refusal for a request whose conditional write found the batch in another status."""
    if lost.current is None:
        return NotFound(f"No batch job with id '{batch_id}' exists for this user", title=BATCH_NOT_FOUND)
    return refusal(control, BatchStatus(lost.current))


def _transition(
    ctx: Services, control: Control, batch: BatchJob, action: BatchAction, **fields: object
) -> BatchJob:
    try:
        return ctx.batches.transition(batch, action, ctx.clock(), set_fields=fields or None)
    except IllegalTransition as lost:
        raise _lost(control, lost, batch.id) from lost


@tracer.capture_method
def pause_batch(ctx: Services, caller: Caller, batch_id: str) -> BatchJobResponse:
    """No new video starts (the gate parks them); running videos finish."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    check_control(Control.PAUSE, batch.status)
    paused = _transition(ctx, Control.PAUSE, batch, BatchAction.PAUSE, estimated_time_remaining=None)
    slot_freed(ctx, batch_id)
    return BatchJobResponse.of(paused)


@tracer.capture_method
def resume_batch(ctx: Services, caller: Caller, batch_id: str) -> BatchJobResponse:
    """Back into the fair queue: when admitted (at once if the caps have room) the parked videos
    continue where they stopped; until then they stay parked and the batch answers `queued`."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    check_control(Control.RESUME, batch.status)
    _transition(ctx, Control.RESUME, batch, BatchAction.RESUME_TO_QUEUE, queued_at=ctx.clock())
    admit_waiting(ctx)  # its admission sends the parked task tokens back to the live execution
    return BatchJobResponse.of(require_batch(ctx, batch_id))


def _cancel_cleanup(ctx: Services, batch_id: str, cancelled: list[BatchVideo]) -> int:
    """The batch's work files, and whatever the cancelled videos left (results, transcripts, a partial
    output); outputs and results of completed videos stay."""
    media = ctx.config.media_bucket
    removed = sum(
        ctx.storage.delete_prefix(media, object_keys.batch_prefix(prefix, batch_id))
        for prefix in CANCEL_CLEANUP_PREFIXES
    )
    for video in cancelled:
        for prefix in (object_keys.Prefix.RESULTS, object_keys.Prefix.TRANSCRIPTS):
            removed += ctx.storage.delete_prefix(
                media, object_keys.video_prefix(prefix, batch_id, video.video_id)
            )
        removed += ctx.storage.delete_prefix(media, object_keys.output_prefix(batch_id, video.position))
    return removed


def _stop_execution(ctx: Services, cancelled: BatchJob) -> bool:
    """Stop the cancelled batch's execution; False if there is none to stop or the stop failed. The
    cancel is already committed, so a failed stop is logged, not raised: the execution's gate sees
    `cancelled` before each video and the sweep ends what is left, and the batch stays consistent."""
    if not cancelled.execution_arn:
        return False
    try:
        return ctx.workflow.stop(cancelled.execution_arn, "BatchCancelled", CANCELLED_BY_USER, cancelled.id)
    except Exception:
        logger.exception(
            "Could not stop a cancelled batch's execution; its gate stops it",
            extra={"batch_id": cancelled.id, "execution_arn": cancelled.execution_arn},
        )
        return False


@tracer.capture_method
def cancel_batch(ctx: Services, caller: Caller, batch_id: str) -> CancelResponse:
    """Cancel at once: the execution (and a Fargate task) stops, unfinished videos are cancelled and
    counted, work files are removed."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    check_control(Control.CANCEL, batch.status)
    now = ctx.clock()
    cancelled = _transition(
        ctx, Control.CANCEL, batch, BatchAction.CANCEL, completed_at=now, estimated_time_remaining=None
    )
    stopped = _stop_execution(ctx, cancelled) if batch.status is not BatchStatus.PENDING else False
    before = {v.video_id for v in ctx.batch_videos.of_batch(batch_id) if v.status is VideoStatus.CANCELLED}
    mark_unfinished_videos(ctx, cancelled, VideoAction.CANCEL, CANCELLED_BY_USER)
    videos = ctx.batch_videos.of_batch(batch_id)
    now_cancelled = [v for v in videos if v.status is VideoStatus.CANCELLED and v.video_id not in before]
    if stopped:
        ctx.task_tokens.drop_all(batch_id)  # their execution is gone: just drop them
    else:
        release_parked(ctx, batch_id)  # waiting iterations see `cancelled` at the gate and stop
    removed = _cancel_cleanup(ctx, batch_id, [v for v in videos if v.status is VideoStatus.CANCELLED])
    slot_freed(ctx, batch_id)
    return CancelResponse(
        batch_job=BatchJobResponse.of(require_batch(ctx, batch_id)),
        cancelled_video_ids=[v.video_id for v in now_cancelled],
        execution_stopped=stopped,
        removed_objects=removed,
    )


@tracer.capture_method
def retry_failed(
    ctx: Services, caller: Caller, batch_id: str, video_ids: list[str] | None = None
) -> RetryFailedResponse:
    """Run the failed videos with retries left (or exactly `video_ids`) again, as a new execution."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    videos = ctx.batch_videos.of_batch(batch_id)
    plan = plan_retry(batch_id, batch.status, batch.execution_count, videos, video_ids)
    now = ctx.clock()
    try:
        # The batch moves first: it is the write two concurrent retries race for. No `execution_arn`
        # while queued: admission then starts `{batch}-run{N}` even if the finished run has not
        # quite ended yet, instead of taking it for a resumed batch's live execution.
        ctx.batches.transition(
            batch,
            BatchAction.RETRY_TO_QUEUE,
            now,
            set_fields={
                "completed_at": None,
                "error_message": None,
                "estimated_time_remaining": None,
                "execution_arn": None,
                "queued_at": now,
            },
        )
    except IllegalTransition as lost:
        raise _lost(Control.RETRY_FAILED, lost, batch_id) from lost
    by_id = {v.video_id: v for v in videos}
    for video_id in plan.video_ids:  # reset before admission: the new run's prepare step lists them
        video = by_id[video_id]
        source = ctx.videos.get(video_id)
        ctx.batch_videos.transition(
            batch_id,
            video_id,
            VideoAction.RETRY,
            now,
            set_fields={
                "error_message": None,
                "completed_at": None,
                "progress_percentage": 0,
                "current_stage": None,
                "retry_count": video.retry_count + 1,
                # the file checked now is the one this run reads (a corrected upload, say)
                "source_etag": source.etag if source is not None else video.source_etag,
            },
            batch_add={"failed_videos": -1},
        )
    admit_waiting(ctx)  # admission names the run `{batch}-run{N}`, N = execution_count + 1
    current = require_batch(ctx, batch_id)
    arn = current.execution_arn
    if current.status is BatchStatus.QUEUED or arn is None:
        arn = ctx.workflow.execution_arn(execution_name(batch_id, current.execution_count + 1))
    return RetryFailedResponse(
        job_id=arn,
        execution_name=arn.rsplit(":", 1)[-1],
        retried_video_ids=list(plan.video_ids),
        batch_job=BatchJobResponse.of(current),
    )


@dataclass(frozen=True)
class Deletion:
    batch_id: str
    removed_objects: int
    removed_videos: int


@tracer.capture_method
def delete_batch(ctx: Services, caller: Caller, batch_id: str) -> Deletion:
    """Remove a finished batch: its records and every S3 object it owns (media prefixes, and the
    uploads and video items of videos no other batch uses)."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    check_control(Control.DELETE, batch.status)
    members = ctx.batch_videos.of_batch(batch_id)
    deleted = ctx.batches.delete(batch_id, CONTROL_RULES[Control.DELETE].allowed)
    if deleted is None:
        current = ctx.batches.get(batch_id)
        if current is None:
            raise NotFound(f"No batch job with id '{batch_id}' exists for this user", title=BATCH_NOT_FOUND)
        raise refusal(Control.DELETE, current.status)
    media = ctx.config.media_bucket
    removed = sum(
        ctx.storage.delete_prefix(media, object_keys.batch_prefix(prefix, batch_id))
        for prefix in DELETE_PREFIXES
    )
    removed_videos = 0
    for member in members:
        if ctx.batch_videos.of_video(member.video_id):  # still in another batch: its upload stays
            continue
        video = ctx.videos.get(member.video_id)
        if video is None:
            continue
        removed += ctx.storage.delete_prefix(
            ctx.config.ingest_bucket, object_keys.upload_prefix(video.user_id, video.id)
        )
        ctx.videos.delete(video.id)
        removed_videos += 1
    logger.info("Batch deleted", extra={"batch_id": batch_id, "objects": removed, "videos": removed_videos})
    return Deletion(batch_id, removed, removed_videos)
