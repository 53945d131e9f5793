"""The fair queue, wired: started batches wait in `queued` and are admitted to `processing` while the
user's plan and the global caps (running batches, videos in flight; `services/capacity.py`) have room
(rules: functions/domain/scheduling.py).

`admit_waiting` reads a snapshot (queued batches from the status index, the running counters), lets
`plan_admissions` propose an order and admits each proposal with one conditional transaction
(`BatchStore.transition(..., slots=...)`): the batch `queued → processing` and both counters below
their limits, or nothing at all. A snapshot is only a proposal; DynamoDB decides. It runs after every
start and every batch that ends (`batch_lifecycle`), after pause and cancel (`slots.slot_freed`), and
from the scheduled sweep (`services/sweep.py`), so a lost call is made up within a minute.
"""

from collections.abc import Sequence

from functions.domain.batch_control import execution_name
from functions.domain.capacity import Capacity
from functions.domain.errors import IllegalTransition
from functions.domain.models import BatchJob
from functions.domain.scheduling import (
    plan_admissions,
    plan_limit,
)
from functions.domain.slots import NoRunningSlot, SlotLimits
from functions.domain.transitions import BatchAction
from functions.observability import logger, tracer
from functions.services.batches import launch_execution
from functions.services.context import Services
from functions.services.parked_tokens import release_parked
from functions.services.queue_view import read_queue


def slot_limits(capacity: Capacity, batches: Sequence[BatchJob], user_id: str) -> SlotLimits:
    """The user's plan limit (the most generous plan among their queued batches) and the global caps."""
    tiers = [b.tier for b in batches if b.user_id == user_id]
    user_limit = max((plan_limit(t) for t in tiers), default=1)
    return SlotLimits(user_limit, capacity.running_batches, capacity.admission_videos)


@tracer.capture_method
def admit_waiting(ctx: Services) -> list[str]:
    """Admit queued batches while the caps have room, in the fair order; the ids admitted."""
    queue = read_queue(ctx)
    if queue is None:
        return []
    admitted = []
    queued = list(queue.batches.values())
    for proposal in plan_admissions(queue.snapshot):
        batch = queue.batches[proposal.batch_id]
        if admit(ctx, batch, slot_limits(queue.capacity, queued, batch.user_id)) is not None:
            admitted.append(batch.id)
    return admitted


def admit(ctx: Services, batch: BatchJob, limits: SlotLimits) -> BatchJob | None:
    """One admission: `queued → processing` with the counters in one transaction, then its execution
    runs. None when the batch is no longer queued or a cap is full (nothing changed)."""
    now = ctx.clock()
    run = batch.execution_count + 1
    previous = execution_name(batch.id, batch.execution_count) if batch.execution_count else None
    # A batch resumed into the queue keeps its execution's ARN; retry-failed clears it (its previous
    # run may still be finishing, but it will not run the retried videos).
    resumed = (
        previous is not None
        and batch.execution_arn is not None
        and ctx.workflow.status(previous) == "RUNNING"
    )
    fields: dict[str, object] = {"queued_at": None, "started_at": batch.started_at or now}
    if not resumed:
        fields["execution_arn"] = ctx.workflow.execution_arn(execution_name(batch.id, run))
    try:
        running = ctx.batches.transition(
            batch,
            BatchAction.LAUNCH,
            now,
            set_fields=fields,
            add_fields={} if resumed else {"execution_count": 1},
            slots=limits,
        )
    except (NoRunningSlot, IllegalTransition):
        return None
    if resumed:
        # A batch resumed into the queue keeps its execution: its parked videos go on.
        release_parked(ctx, batch.id)
        return running
    try:
        launch_execution(ctx, running)
    except Exception:  # launch_execution failed the batch (and freed its slot); the others go on
        logger.exception("Could not launch an admitted batch", extra={"batch_id": batch.id})
        return None
    return running
