"""What the fair queue looks like now: the queued batches, the running counters, and a batch's place."""

from dataclasses import dataclass

from functions.domain.capacity import Capacity
from functions.domain.enums import BatchStatus
from functions.domain.models import BatchJob
from functions.domain.scheduling import QueuedBatch, QueueSnapshot, batch_videos, queue_position
from functions.services.capacity import current_capacity
from functions.services.context import Services


@dataclass(frozen=True)
class Queue:
    """The queued batches, the snapshot the scheduler orders them by, and the caps in force."""

    batches: dict[str, BatchJob]
    snapshot: QueueSnapshot
    capacity: Capacity


def _queued(batch: BatchJob) -> QueuedBatch:
    return QueuedBatch(
        batch.id,
        batch.user_id,
        batch.tier,
        batch.priority,
        batch.queued_at or batch.updated_at,
        batch_videos(batch.tier, batch.total_videos),
    )


def read_queue(ctx: Services) -> Queue | None:
    """Queued batches (a Query on the status index, never a Scan) and the counters of their users; None
    when nothing is queued (the counters are not read: a batch that ends with an empty queue, the usual
    case, costs its admission the status Queries only)."""
    batches = {b.id: b for b in ctx.batches.list_by_status(BatchStatus.QUEUED)}
    if not batches:
        return None
    counts = ctx.batches.slot_counts(b.user_id for b in batches.values())
    capacity = current_capacity(ctx)
    snapshot = QueueSnapshot(
        queued=[_queued(b) for b in batches.values()],
        running_by_user=counts.running_by_user,
        global_running=counts.global_running,
        global_cap=capacity.running_batches,
        global_videos=counts.global_videos,
        videos_cap=capacity.admission_videos,
        last_admitted_at=counts.last_admitted_at,
    )
    return Queue(batches, snapshot, capacity)


def position_in_queue(ctx: Services, batch_id: str) -> int | None:
    """1-based place of a queued batch in the order the queue admits (None when it is not queued)."""
    queue = read_queue(ctx)
    return queue_position(queue.snapshot, batch_id) if queue is not None else None
