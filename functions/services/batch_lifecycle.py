"""The state machine's bookkeeping tasks: prepare, gate, begin, finish, fail, retry, complete.

Each task is idempotent: Step Functions may deliver a task twice, and a second delivery finds the
conditional write already done and changes nothing.
"""

import json
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from functions.deployment import MEDIA, TRANSCRIBER
from functions.domain import object_keys
from functions.domain.batch_control import batch_outcome, gate_action, outcome_message, unfinished_videos
from functions.domain.batch_cost import Footprint, batch_usage
from functions.domain.batch_progress import estimate_time_remaining
from functions.domain.enums import BatchStatus, Stage, VideoStatus
from functions.domain.errors import IllegalTransition
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.pipeline_contract import (
    BatchOutcome,
    BeginVideoOutput,
    FailureDecision,
    GateOutput,
    PrepareBatchOutput,
    TaskError,
    VideoOutcome,
    VideoRef,
)
from functions.domain.pricing import cost_of
from functions.domain.quotas import limits_for
from functions.domain.summary import build_summary
from functions.domain.transitions import BatchAction, VideoAction
from functions.observability import tracer
from functions.services.access import batch_not_found, require_batch
from functions.services.context import Services
from functions.services.slots import slot_freed
from functions.services.workspace import Workspace

NON_RETRYABLE_ERRORS = frozenset({"InvalidMediaError", "UnsupportedSettingError", "SourceChangedError"})
UNRECORDED_FAILURE = "Processing stopped and its error could not be recorded; retry the video"


@tracer.capture_method
def prepare_batch(ctx: Services, batch_id: str) -> PrepareBatchOutput:
    """The Map's items: every video still waiting to run, and how many may run at once."""
    batch = require_batch(ctx, batch_id)
    videos = ctx.batch_videos.of_batch(batch_id)
    items = [
        VideoRef(batch_id=batch_id, video_id=bv.video_id, position=bv.position)
        for bv in videos
        if bv.status in {VideoStatus.PENDING, VideoStatus.PROCESSING}
    ]
    return PrepareBatchOutput(
        batch_id=batch_id, videos=items, max_concurrency=limits_for(batch.tier).videos_in_flight
    )


@tracer.capture_method
def check_gate(ctx: Services, ref: VideoRef) -> GateOutput:
    """run: go on; wait: the batch is paused (or resumed into the queue); stop: no longer wanted."""
    batch = require_batch(ctx, ref.batch_id)
    video = ctx.batch_videos.get(ref.batch_id, ref.video_id)
    return GateOutput(action=gate_action(batch.status, video.status if video else None))


@tracer.capture_method
def park_until_resumed(ctx: Services, ref: VideoRef, task_token: str) -> None:
    """Hold the task token until resume sends it back; if the batch was resumed meanwhile, send it
    back at once so the video never waits for a resume that already happened."""
    if not ctx.task_tokens.park(ref.batch_id, ref.video_id, task_token, ctx.clock()):
        ctx.workflow.send_success(task_token, {"resumed": True})


@tracer.capture_method
def begin_video(ctx: Services, ref: VideoRef) -> BeginVideoOutput:
    now = ctx.clock()
    video = ctx.batch_videos.get(ref.batch_id, ref.video_id)
    fields: dict[str, Any] = {"current_stage": None, "progress_percentage": 0, "error_message": None}
    if video is not None and video.started_at is None:
        fields["started_at"] = now
    if video is not None and video.processing_result is None:
        fields["processing_result"] = {"timings": {}}
    ctx.batch_videos.transition(ref.batch_id, ref.video_id, VideoAction.START, now, set_fields=fields)
    return BeginVideoOutput(attempt=(video.retry_count if video else 0) + 1)


def _stage_timings(video: BatchVideo) -> dict[str, float]:
    result = video.processing_result or {}
    timings = result.get("timings") or {}
    return {str(k): float(v) for k, v in timings.items()}


@tracer.capture_method
def finish_video(ctx: Services, ref: VideoRef) -> VideoOutcome:
    """Mark the video completed and move the batch's counters in the same transaction."""
    video = ctx.batch_videos.get(ref.batch_id, ref.video_id)
    if video is None:
        return VideoOutcome(status="missing")
    now = ctx.clock()
    wall = sum(_stage_timings(video).values())
    duration = video.duration or 0.0
    try:
        ctx.batch_videos.transition(
            ref.batch_id,
            ref.video_id,
            VideoAction.COMPLETE,
            now,
            set_fields={
                "progress_percentage": 100,
                "current_stage": None,
                "completed_at": now,
                "error_message": None,
            },
            batch_add={
                "completed_videos": 1,
                "processed_duration_seconds": duration,
                "processing_seconds": wall,
            },
        )
    except IllegalTransition as already:
        return VideoOutcome(status=already.current or "missing")
    refresh_eta(ctx, ref.batch_id)
    Workspace(ctx, ref.batch_id, ref.video_id).clear()
    return VideoOutcome(status=VideoStatus.COMPLETED)


def refresh_eta(ctx: Services, batch_id: str) -> None:
    """The batch's estimate after a video finished. None written when no video is left: *Complete
    batch* sets it to 0 with the outcome, and a write here would be one more stream record for the
    progress fan-out to number and post ahead of the batch's end."""
    batch = require_batch(ctx, batch_id)
    if batch.finished_videos >= batch.total_videos:
        return
    eta = estimate_time_remaining(
        total_duration=batch.total_duration_seconds,
        processed_duration=batch.processed_duration_seconds,
        processing_seconds=batch.processing_seconds,
        videos_left=batch.total_videos - batch.finished_videos,
        concurrency=limits_for(batch.tier).videos_in_flight,
    )
    ctx.batches.update(batch_id, ctx.clock(), set_fields={"estimated_time_remaining": eta})


def _describe_error(error: TaskError) -> tuple[str, str]:
    """(error type, message a user can act on) from a Catch's {Error, Cause}."""
    error_type = error.error or "Error"
    cause = error.cause
    message = cause
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        parsed = None
    if isinstance(parsed, dict):
        error_type = str(parsed.get("errorType") or error_type)
        message = str(parsed.get("errorMessage") or cause)
    if error_type in {"States.Timeout", "Sandbox.Timedout"}:
        message = "Processing took longer than the time allowed for one attempt"
    return error_type, (message or error_type)[:2000]


@tracer.capture_method
def handle_failure(
    ctx: Services, ref: VideoRef, error: TaskError, retry_delays: Sequence[int]
) -> FailureDecision:
    """Decide whether a failed attempt is tried again (after a backoff) or the video fails for good."""
    error_type, message = _describe_error(error)
    video = ctx.batch_videos.get(ref.batch_id, ref.video_id)
    batch = require_batch(ctx, ref.batch_id)
    now = ctx.clock()
    give_up = FailureDecision(retry=False, wait_seconds=0, error_type=error_type)
    if video is None or video.status.is_terminal or batch.status is BatchStatus.CANCELLED:
        return give_up
    retryable = error_type not in NON_RETRYABLE_ERRORS
    if retryable and video.retry_count < video.max_retries:
        delays = list(retry_delays) or [0]
        wait = delays[min(video.retry_count, len(delays) - 1)]
        ctx.batch_videos.update(
            ref.batch_id,
            ref.video_id,
            now,
            set_fields={"retry_count": video.retry_count + 1, "error_message": f"Retrying after: {message}"},
            only_if=video.status,  # pending too: a gate error happens before begin
        )
        return FailureDecision(retry=True, wait_seconds=wait, error_type=error_type)
    if retryable:
        message = f"{message} (gave up after {video.retry_count} retries)"
    with suppress(IllegalTransition):  # already failed or cancelled by a concurrent request
        ctx.batch_videos.transition(
            ref.batch_id,
            ref.video_id,
            VideoAction.FAIL,
            now,
            set_fields={"error_message": message, "completed_at": now},
            batch_add={"failed_videos": 1},
        )
    Workspace(ctx, ref.batch_id, ref.video_id).clear()
    return give_up


@tracer.capture_method
def complete_batch(ctx: Services, batch_id: str) -> BatchOutcome:
    """Every video is terminal: write the summary report and give the batch its outcome.

    `completed` when at least one video completed (the failures are listed in the summary), `failed`
    when none did (batch_control.batch_outcome). A batch already ended (cancelled meanwhile) keeps its
    status; the summary report is still written so it says what happened.
    """
    batch, videos = _batch_and_videos(ctx, batch_id)  # one Query: it ends every execution's critical path
    if not batch.status.is_terminal and unfinished_videos(videos):
        # The Map has ended, so a video still unfinished is one whose failure could not be recorded
        # ("Failure not recorded"): it fails alone, and the batch ends as its other videos decide.
        mark_unfinished_videos(ctx, batch, VideoAction.FAIL, UNRECORDED_FAILURE)
        batch, videos = _batch_and_videos(ctx, batch_id)
    statuses = [v.status for v in videos]
    outcome = batch_outcome(statuses, cancelled=batch.status is BatchStatus.CANCELLED)
    message = outcome_message(statuses) if outcome is not BatchStatus.COMPLETED else None
    if outcome is None:  # a video's status changed under us after it was marked: nothing to settle
        outcome, message = BatchStatus.FAILED, "The execution ended before every video finished"
    now = ctx.clock()
    summary = {**(batch.summary or {}), **build_summary(batch, videos, now)}  # keeps e.g. drop_folder
    usage = batch_usage(
        videos,
        Footprint(media_memory_gb=MEDIA.memory_mb / 1024, transcriber_memory_gb=TRANSCRIBER.memory_mb / 1024),
    )
    summary["usage"] = usage.model_dump(mode="json")
    summary["cost"] = cost_of(usage).model_dump(mode="json", by_alias=True)
    summary["outcome"] = (batch.status if batch.status.is_terminal else outcome).value
    summary["error_message"] = batch.error_message if batch.status.is_terminal else message
    report_key = object_keys.report_key(batch_id)
    ctx.storage.put_json(ctx.config.media_bucket, report_key, summary)
    summary["report_key"] = report_key
    if batch.status.is_terminal:
        return BatchOutcome(status=batch.status)
    action = BatchAction.COMPLETE if outcome is BatchStatus.COMPLETED else BatchAction.FAIL
    try:
        done = ctx.batches.transition(
            batch,
            action,
            now,
            set_fields={
                "completed_at": now,
                "summary": summary,
                "estimated_time_remaining": 0,
                "error_message": message,
            },
        )
    except IllegalTransition as lost:
        return BatchOutcome(status=lost.current or "missing")
    slot_freed(ctx, batch_id)
    return BatchOutcome(status=done.status)


def _batch_and_videos(ctx: Services, batch_id: str) -> tuple[BatchJob, list[BatchVideo]]:
    found = ctx.batches.get_with_videos(batch_id)
    if found is None:
        raise batch_not_found(batch_id)
    return found


@tracer.capture_method
def fail_batch(ctx: Services, batch_id: str, error: TaskError) -> BatchOutcome:
    """The execution itself broke (not one video): fail the batch and the videos it left behind."""
    batch = require_batch(ctx, batch_id)
    _, message = _describe_error(error)
    now = ctx.clock()
    mark_unfinished_videos(ctx, batch, VideoAction.FAIL, f"The batch failed: {message}")
    try:
        ctx.batches.transition(
            batch,
            BatchAction.FAIL,
            now,
            set_fields={
                "completed_at": now,
                "error_message": message,
                "estimated_time_remaining": None,
            },
        )
    except IllegalTransition as lost:
        return BatchOutcome(status=lost.current or "missing")
    slot_freed(ctx, batch_id)
    return BatchOutcome(status=BatchStatus.FAILED)


def mark_unfinished_videos(ctx: Services, batch: BatchJob, action: VideoAction, message: str) -> int:
    """Fail or cancel every video of the batch that has not reached a terminal status."""
    counter = "failed_videos" if action is VideoAction.FAIL else "cancelled_videos"
    changed = 0
    for video in unfinished_videos(ctx.batch_videos.of_batch(batch.id)):
        try:
            ctx.batch_videos.transition(
                batch.id,
                video.video_id,
                action,
                ctx.clock(),
                set_fields={
                    "error_message": message,
                    "completed_at": ctx.clock(),
                    "current_stage": None,
                },
                batch_add={counter: 1},
            )
            changed += 1
        except IllegalTransition:
            continue
    return changed


def record_stage_result(
    ctx: Services, ref: VideoRef, stage: Stage | str, result: dict[str, Any], seconds: float
) -> None:
    key = stage.value if isinstance(stage, Stage) else stage
    ctx.batch_videos.update(
        ref.batch_id,
        ref.video_id,
        ctx.clock(),
        set_fields={
            f"processing_result.{key}": result,
            f"processing_result.timings.{key}": round(seconds, 3),
        },
    )
