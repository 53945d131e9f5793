"""Steering a batch (seed 3.5, issue 9): which statuses allow which control, and what each one decides.

The tables below are the rules the control endpoints enforce before their conditional write; the write
itself is conditioned on the same source statuses (`functions/domain/transitions.py`), so a request that
loses a race is refused by DynamoDB with the same message.

| control | allowed from | refused with |
|---|---|---|
| start | pending | 400 "Batch is already processing" (400 "Batch already finished" once terminal) |
| pause | processing, queued | 400 "Batch is not running" |
| resume | paused | 400 "Batch is not paused" |
| cancel | pending, queued, processing, paused | 400 "Batch already finished" |
| retry-failed | completed, failed (with retryable failed videos) | 400 "Nothing to retry" |
| delete | completed, failed, cancelled | 409 "Batch is still active" |

Pause and resume interact with the fair queue (`functions/domain/scheduling.py`): a paused batch holds no
running slot, so resuming (and retrying) goes through admission like a start: `processing` when the caps
have room, else `queued` (admitting such a batch sends its parked task tokens back instead of starting a
new execution).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import Conflict, DomainError, InvalidRequest
from functions.domain.models import BatchVideo
from functions.domain.object_keys import BATCH_SCOPED_PREFIXES, Prefix

B = BatchStatus
V = VideoStatus

# The seed's texts (3.8) and the titles of the other refusals.
BATCH_NOT_FOUND = "Batch job not found"
ALREADY_PROCESSING = "Batch is already processing"
ALREADY_FINISHED = "Batch already finished"
NOT_UPLOADED = "All videos must be uploaded before starting"
NOT_RUNNING = "Batch is not running"
NOT_PAUSED = "Batch is not paused"
NOTHING_TO_RETRY = "Nothing to retry"
STILL_ACTIVE = "Batch is still active"


class Control(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    RETRY_FAILED = "retry-failed"
    DELETE = "delete"


@dataclass(frozen=True)
class ControlRule:
    allowed: frozenset[BatchStatus]
    http_status: int  # of the refusal
    title: str  # the refusal's `error`


CONTROL_RULES: dict[Control, ControlRule] = {
    Control.START: ControlRule(frozenset({B.PENDING}), 400, ALREADY_PROCESSING),
    Control.PAUSE: ControlRule(frozenset({B.PROCESSING, B.QUEUED}), 400, NOT_RUNNING),
    Control.RESUME: ControlRule(frozenset({B.PAUSED}), 400, NOT_PAUSED),
    Control.CANCEL: ControlRule(
        frozenset({B.PENDING, B.QUEUED, B.PROCESSING, B.PAUSED}), 400, ALREADY_FINISHED
    ),
    Control.RETRY_FAILED: ControlRule(frozenset({B.COMPLETED, B.FAILED}), 400, NOTHING_TO_RETRY),
    Control.DELETE: ControlRule(frozenset({B.COMPLETED, B.FAILED, B.CANCELLED}), 409, STILL_ACTIVE),
}

_REFUSAL_DETAIL: dict[Control, str] = {
    Control.START: "Batch status is '{status}'; only a pending batch can be started",
    Control.PAUSE: "Batch status is '{status}'; only a processing or queued batch can be paused",
    Control.RESUME: "Batch status is '{status}'; only a paused batch can be resumed",
    Control.CANCEL: "Batch status is '{status}'; a finished batch cannot be cancelled",
    Control.RETRY_FAILED: (
        "Batch status is '{status}'; failed videos can be retried once the batch has finished"
    ),
    Control.DELETE: "Batch status is '{status}'; cancel it or wait for it to finish before deleting it",
}


def refusal(control: Control, status: BatchStatus) -> DomainError:
    """The `{error, detail}` error for a control that the batch's status does not allow."""
    rule = CONTROL_RULES[control]
    if control is Control.START and status.is_terminal:
        return InvalidRequest(f"Batch has already finished ({status.value})", title=ALREADY_FINISHED)
    detail = _REFUSAL_DETAIL[control].format(status=status.value)
    if rule.http_status == 409:
        return Conflict(detail, title=rule.title)
    return InvalidRequest(detail, title=rule.title)


def is_allowed(control: Control, status: BatchStatus) -> bool:
    return status in CONTROL_RULES[control].allowed


def check_control(control: Control, status: BatchStatus) -> None:
    """Raise the seed's error when `status` does not allow `control`."""
    if not is_allowed(control, status):
        raise refusal(control, status)


def check_uploaded(videos: Sequence[BatchVideo]) -> None:
    """Start needs at least one video and every upload done (seed 3.8: 400)."""
    if not videos:
        raise InvalidRequest("The batch has no videos; add some before starting it", title=NOT_UPLOADED)
    waiting = sorted((v for v in videos if v.status is V.UPLOADING), key=lambda v: v.position)
    if waiting:
        names = ", ".join(v.original_name or v.video_id for v in waiting[:5])
        more = "…" if len(waiting) > 5 else ""
        raise InvalidRequest(
            f"{len(waiting)} of {len(videos)} videos are not uploaded yet: {names}{more}", title=NOT_UPLOADED
        )


# ---- the gate --------------------------------------------------------------------------------------

GateAction = Literal["run", "wait", "stop"]


class ParkedToken(NamedTuple):
    """A video waiting at the gate (`wait`): its task token, sent back on resume."""

    batch_id: str
    video_id: str
    token: str


def gate_action(batch_status: BatchStatus, video_status: VideoStatus | None) -> GateAction:
    """What a video of a running execution does before each attempt (the state machine's gate).

    `wait` parks its task token: the batch is paused, or was resumed into `queued` and waits for a slot
    (admission sends the tokens back). `stop` when the batch or the video no longer wants work.
    """
    if video_status not in {V.PENDING, V.PROCESSING}:
        return "stop"
    if batch_status is B.PROCESSING:
        return "run"
    if batch_status in {B.PAUSED, B.QUEUED}:
        return "wait"
    return "stop"


# ---- cancel ----------------------------------------------------------------------------------------

CANCELLABLE_VIDEO_STATUSES = frozenset({V.UPLOADING, V.PENDING, V.PROCESSING})
CANCEL_CLEANUP_PREFIXES: tuple[Prefix, ...] = (Prefix.WORK,)  # outputs of completed videos stay
DELETE_PREFIXES: tuple[Prefix, ...] = BATCH_SCOPED_PREFIXES  # plus the uploads only this batch uses


def unfinished_videos(videos: Iterable[BatchVideo]) -> list[BatchVideo]:
    """The videos cancel marks `cancelled` and a failed batch marks `failed` (each counted once)."""
    return [v for v in videos if v.status in CANCELLABLE_VIDEO_STATUSES]


# ---- retry-failed ----------------------------------------------------------------------------------


def is_retryable(video: BatchVideo) -> bool:
    return video.status is V.FAILED and video.retry_count < video.max_retries


@dataclass(frozen=True)
class RetryPlan:
    """The videos a retry-failed request re-runs, in position order, and the execution that runs them."""

    video_ids: tuple[str, ...]
    run: int  # execution number: the batch's execution_count + 1
    execution_name: str


def _label(video: BatchVideo) -> str:
    return f"'{video.original_name or video.video_id}'"


def _nothing_to_retry(detail: str) -> InvalidRequest:
    return InvalidRequest(detail, title=NOTHING_TO_RETRY)


def plan_retry(
    batch_id: str,
    status: BatchStatus,
    execution_count: int,
    videos: Sequence[BatchVideo],
    chosen: Sequence[str] | None = None,
) -> RetryPlan:
    """Which failed videos to run again, or a 400 that says why nothing can be.

    Without `chosen`, every retryable failed video; with it (the UI's per-row Retry), exactly those,
    each of which must be a failed video of this batch with retries left.
    """
    check_control(Control.RETRY_FAILED, status)
    ordered = sorted(videos, key=lambda v: v.position)
    if chosen is not None:
        if not chosen:
            raise InvalidRequest("video_ids is empty; leave it out to retry every failed video")
        if len(set(chosen)) != len(chosen):
            raise InvalidRequest("video_ids lists a video more than once")
        by_id = {v.video_id: v for v in ordered}
        unknown = [vid for vid in chosen if vid not in by_id]
        if unknown:
            raise InvalidRequest(f"Not videos of this batch: {', '.join(unknown)}")
        picked = [by_id[vid] for vid in chosen]
        not_failed = [f"{_label(v)} is {v.status.value}" for v in picked if v.status is not V.FAILED]
        if not_failed:
            raise _nothing_to_retry("Only failed videos can be retried: " + "; ".join(not_failed))
        exhausted = [v for v in picked if not is_retryable(v)]
        if exhausted:
            raise _nothing_to_retry(_exhausted_detail(exhausted))
        selected = sorted(picked, key=lambda v: v.position)
    else:
        failed = [v for v in ordered if v.status is V.FAILED]
        if not failed:
            raise _nothing_to_retry("No video of this batch failed")
        selected = [v for v in failed if is_retryable(v)]
        if not selected:
            raise _nothing_to_retry(_exhausted_detail(failed))
    run = execution_count + 1
    return RetryPlan(tuple(v.video_id for v in selected), run, execution_name(batch_id, run))


def _exhausted_detail(videos: Sequence[BatchVideo]) -> str:
    listed = ", ".join(f"{_label(v)} ({v.retry_count}/{v.max_retries})" for v in videos[:5])
    more = "…" if len(videos) > 5 else ""
    return f"Every failed video has used all its retries: {listed}{more}"


# ---- executions ------------------------------------------------------------------------------------

RUN_SEPARATOR = "-run"


def execution_name(batch_id: str, run: int) -> str:
    """Run 1 is named after the batch; retry-failed runs are `{batch}-run{N}` (N ≥ 2)."""
    if run < 1:
        raise ValueError(f"run numbers start at 1, got {run}")
    return batch_id if run == 1 else f"{batch_id}{RUN_SEPARATOR}{run}"


def batch_id_of_execution(name: str) -> str:
    """The batch an execution belongs to (inverse of `execution_name`)."""
    head, separator, tail = name.rpartition(RUN_SEPARATOR)
    if separator and tail.isdigit() and int(tail) >= 2:
        return head
    return name


# ---- outcome ---------------------------------------------------------------------------------------


def batch_outcome(
    statuses: Iterable[VideoStatus], *, cancelled: bool = False, execution_failed: bool = False
) -> BatchStatus | None:
    """The status a batch ends in, or None while a video has not finished.

    `cancelled` when the user cancelled; `failed` when the execution itself failed or no video
    completed (every video failed); `completed` when every video is terminal and at least one completed
    (the failures are listed in the summary).
    """
    if cancelled:
        return B.CANCELLED
    if execution_failed:
        return B.FAILED
    seen = list(statuses)
    if any(not s.is_terminal for s in seen):
        return None
    return B.COMPLETED if V.COMPLETED in seen else B.FAILED


def outcome_message(statuses: Iterable[VideoStatus]) -> str | None:
    """The batch's error_message when it ends failed because no video completed (else None)."""
    seen = list(statuses)
    if V.COMPLETED in seen:
        return None
    if not seen:
        return "The batch has no videos"
    failed = sum(1 for s in seen if s is V.FAILED)
    if failed == len(seen):
        return f"Every video failed ({failed} of {failed})"
    return f"No video completed ({failed} of {len(seen)} failed, the others were cancelled)"


# ---- reconciliation (the scheduled sweep) -----------------------------------------------------------

ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]
DEFAULT_START_GRACE_SECONDS = 300


@dataclass(frozen=True)
class Reconciliation:
    status: BatchStatus  # what the batch must become
    reason: str | None  # its error_message when failed


def reconcile(
    batch_status: BatchStatus,
    execution_status: ExecutionStatus | None,
    video_statuses: Iterable[VideoStatus],
    seconds_since_start: float,
    start_grace_seconds: float = DEFAULT_START_GRACE_SECONDS,
) -> Reconciliation | None:
    """What the sweep does to a batch whose execution may have ended without telling us (else None).

    Only `processing` and `paused` batches run an execution. `execution_status` is DescribeExecution's
    status, None when no execution exists: after `start_grace_seconds` that batch's launch was lost.
    """
    if batch_status not in {B.PROCESSING, B.PAUSED}:
        return None
    if execution_status in {"RUNNING", "PENDING_REDRIVE"}:
        return None
    if execution_status is None:
        if seconds_since_start < start_grace_seconds:
            return None
        return Reconciliation(B.FAILED, "The batch's execution never started")
    if execution_status == "SUCCEEDED":
        statuses = list(video_statuses)
        outcome = batch_outcome(statuses)
        if outcome is None:
            return Reconciliation(B.FAILED, "The execution ended before every video finished")
        return Reconciliation(outcome, outcome_message(statuses))
    return Reconciliation(
        B.FAILED, f"The batch's execution ended {execution_status.replace('_', ' ').lower()}"
    )
