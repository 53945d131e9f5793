"""What the sweep does with a batch whose execution may have died (issue 13, seed 2.6 and 5.3/5.4).

`batch_control.reconcile` says what a batch must become once its execution ended without telling us.
Recovery comes first: an execution that vanished (a local `reelflow serve` killed, a launch lost) or
was aborted or timed out outside reelflow is replaced by a new one (`{batch}-run{N}`) over the videos
that had not finished, at most `max_recoveries` times; a video that was mid-stage runs that stage
again (its counters only ever move on terminal transitions, so nothing is counted twice). Otherwise
the batch gets reconcile's outcome, with its reason.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from functions.domain.batch_control import (
    ExecutionStatus,
    Reconciliation,
    batch_outcome,
    outcome_message,
    reconcile,
)
from functions.domain.enums import BatchStatus, VideoStatus

RECOVERABLE: frozenset[ExecutionStatus | None] = frozenset({None, "ABORTED", "TIMED_OUT"})


@dataclass(frozen=True)
class Recovery:
    """Start a new execution over the unfinished videos."""

    reason: str


SweepAction = Recovery | Reconciliation


def sweep_action(
    batch_status: BatchStatus,
    execution_status: ExecutionStatus | None,
    video_statuses: Iterable[VideoStatus],
    seconds_since_update: float,
    *,
    recoveries_done: int,
    max_recoveries: int,
    start_grace_seconds: float,
) -> SweepAction | None:
    """None while the execution runs (or may still appear); else recover or settle the batch."""
    statuses = list(video_statuses)
    settled = reconcile(batch_status, execution_status, statuses, seconds_since_update, start_grace_seconds)
    if settled is None:
        return None
    unfinished = any(not s.is_terminal for s in statuses)
    if execution_status in RECOVERABLE and not unfinished:
        # Every video ended before the execution did: only the final bookkeeping is missing.
        outcome = batch_outcome(statuses) or BatchStatus.FAILED
        return Reconciliation(outcome, outcome_message(statuses))
    if execution_status in RECOVERABLE:
        if recoveries_done < max_recoveries:
            return Recovery(settled.reason or "The batch's execution ended")
        return Reconciliation(
            BatchStatus.FAILED,
            f"{settled.reason} and {recoveries_done} recoveries did not finish it",
        )
    return settled
