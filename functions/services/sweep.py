"""The scheduled sweep (every minute: EventBridge in AWS, a timer thread in local mode) and recovery.

It settles every `processing` or `paused` batch whose execution ended without telling us, recovering
it with a new execution (`{batch}-run{N}`) over its unfinished videos when it can
(`functions/domain/recovery.py`), then admits what the queue can run (`admission.admit_waiting`), so
nothing stays `processing` or `queued` forever. `reelflow serve` runs it once at start with
`executions_lost=True`: local executions do not survive the process, so every batch it finds running
lost its execution.
"""

from dataclasses import dataclass, field
from typing import Literal

from functions.domain.batch_control import ExecutionStatus, execution_name
from functions.domain.enums import BatchStatus
from functions.domain.errors import IllegalTransition
from functions.domain.models import BatchJob
from functions.domain.pipeline_contract import TaskError
from functions.domain.recovery import Recovery, sweep_action
from functions.domain.transitions import BatchAction
from functions.observability import logger, tracer
from functions.services.admission import admit_waiting
from functions.services.batch_lifecycle import complete_batch, fail_batch
from functions.services.batches import launch_execution
from functions.services.context import Services
from functions.services.parked_tokens import release_parked

Outcome = Literal["recovered", "completed", "failed"]
_ACTIVE = (BatchStatus.PROCESSING, BatchStatus.PAUSED)


@dataclass(frozen=True)
class SweepReport:
    settled: dict[str, Outcome] = field(default_factory=dict)  # batch id → what the sweep did
    admitted: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"settled": dict(self.settled), "admitted": list(self.admitted)}


@tracer.capture_method
def sweep(ctx: Services, *, executions_lost: bool = False) -> SweepReport:
    """Reconcile the running batches with their executions, then admit from the queue."""
    settled: dict[str, Outcome] = {}
    for status in _ACTIVE:
        for batch in ctx.batches.list_by_status(status):
            try:
                outcome = sweep_batch(ctx, batch, executions_lost=executions_lost)
            except Exception:  # one broken batch does not stop the sweep of the others
                logger.exception("Sweep could not settle a batch", extra={"batch_id": batch.id})
                continue
            if outcome is not None:
                settled[batch.id] = outcome
    report = SweepReport(settled, admit_waiting(ctx))
    if report.settled or report.admitted:
        logger.info("Sweep", extra=report.as_dict())
    return report


def sweep_batch(
    ctx: Services,
    batch: BatchJob,
    *,
    executions_lost: bool = False,
    execution_status: ExecutionStatus | None = None,
) -> Outcome | None:
    """Recover or settle one batch whose execution is gone; None while it runs. `execution_status`:
    the current run's status when an event already told it (else DescribeExecution is asked)."""
    name = execution_name(batch.id, max(batch.execution_count, 1))
    execution = execution_status
    if execution is None and not executions_lost:
        execution = ctx.workflow.status(name)
    videos = ctx.batch_videos.of_batch(batch.id)
    action = sweep_action(
        batch.status,
        execution,
        [v.status for v in videos],
        (ctx.clock() - batch.updated_at).total_seconds(),
        recoveries_done=batch.recovery_count,
        max_recoveries=ctx.config.max_recoveries,
        start_grace_seconds=0 if executions_lost else ctx.config.execution_start_grace_seconds,
    )
    if action is None:
        if batch.status is BatchStatus.PROCESSING:  # a resume whose sends failed left tokens parked
            release_parked(ctx, batch.id)
        return None
    if isinstance(action, Recovery):
        return "recovered" if recover(ctx, batch, action.reason) else None
    if action.status is BatchStatus.COMPLETED:
        return "completed" if complete_batch(ctx, batch.id).status == BatchStatus.COMPLETED else None
    fail_batch(ctx, batch.id, TaskError(error="ExecutionLost", cause=action.reason or "Execution lost"))
    return "failed"


def recover(ctx: Services, batch: BatchJob, reason: str) -> bool:
    """A new execution over the videos that had not finished; the status (and the slot) stay.

    Videos that were mid-stage are still `processing`: the new execution's prepare lists them and
    begin_video restarts them. Their counters never moved (only terminal transitions count), so
    nothing is counted twice. Task tokens parked by the dead execution answer nothing: dropped.
    """
    action = BatchAction.RECOVER if batch.status is BatchStatus.PROCESSING else BatchAction.RECOVER_PAUSED
    ctx.task_tokens.drop_all(batch.id)
    run = batch.execution_count + 1
    try:
        recovered = ctx.batches.transition(
            batch,
            action,
            ctx.clock(),
            set_fields={"execution_arn": ctx.workflow.execution_arn(execution_name(batch.id, run))},
            add_fields={"execution_count": 1, "recovery_count": 1},
        )
    except IllegalTransition:
        return False  # it moved on meanwhile (completed, cancelled, resumed)
    logger.warning(
        "Recovering a batch with a new execution",
        extra={"batch_id": batch.id, "run": run, "reason": reason},
    )
    launch_execution(ctx, recovered)
    return True
