"""The fair queue: which queued batches may start now, and in what order.

Rules (issue 9, seed 2.5–2.6):

- A batch runs only while its user's plan has room (`TierLimits.running_batches`: free 1, creator 2,
  pro 3) and the whole service has room: a running-batch slot (`global_cap`) and room for the videos the
  batch runs at once (`batch_videos`: its plan's Map concurrency, at most its videos) under the
  videos-in-flight cap (`videos_cap`). Both caps come from the deployment (`domain/capacity.py`).
- Admission by videos keeps the queue's order: when the next batch in the fair order does not fit the
  videos left, admission stops there (a smaller batch behind it does not jump ahead), so a pro batch
  waiting for five video slots is never starved by a stream of free batches needing one.
- Effective priority = `BatchJob.priority` (0–10) + the plan's `priority_bonus` (free 0, creator 1, pro 2;
  see `functions/domain/quotas.py`). A pro batch at priority 5 (7) goes before a free one at 6 (6); a
  free batch at 10 still beats a pro batch at 5. The bonus orders the queue; it never lifts a plan cap.
- Highest effective priority first. At equal effective priority the user admitted **least recently**
  goes first (a user never admitted goes before everyone), then the batch queued earliest, then the
  batch id (so the order is total and deterministic). Every admission makes its user the most recent,
  so at one priority users take turns: round-robin, and a user with 20 queued batches gets one turn in
  each round like a user with one.
- The queue is work-conserving: a batch blocked only by its own user's plan cap does not block other
  users' batches behind it.
- A batch holds a slot exactly while it is `processing` (see `holds_slot`): `paused`, `queued` and the
  terminal statuses hold none. Pausing or finishing a batch frees its slot for the next admission.

Everything here is pure: functions over typed snapshots, no clock, no I/O.

Making admission race-free in DynamoDB (the wiring round)
----------------------------------------------------------
A snapshot is read without locks, so `plan_admissions` only proposes; DynamoDB decides. Each proposed
admission is one `TransactWriteItems` of three updates:

1. the batch item: `SET #st = :processing` with `ConditionExpression #st = :queued` (status keys move in
   the same write, as every transition does);
2. the user's counter (on the user's profile item): `ADD running_batches :one` with
   `attribute_not_exists(running_batches) OR running_batches < :plan_limit`;
3. a global counter item (one scheduler item): `ADD running :one, videos :n` with
   `running < :global_cap AND videos <= :videos_cap - :n` (either attribute may be missing).

If any condition fails the whole transaction is cancelled: the batch stays `queued` and no counter moves,
so two concurrent starts or a start racing a completion can never exceed a cap (20 concurrent starts of
one free user's batches admit exactly one). Every transition out of `processing` (complete, fail, cancel,
pause) decrements both counters in the same transaction as the status change (`slot_delta` gives the
sign for any transition). After every start, pause, cancel and completion the use case re-reads the
snapshot and runs `plan_admissions` again; a scheduled sweep (EventBridge Scheduler in AWS, a timer
thread in local mode) does the same every minute, so an admission lost with a crashed Lambda is made
later, and reconciles batches whose execution ended without telling us. The snapshot comes from the
status index (queued batches, already ordered by effective priority and age) plus the counters; the users'
last admission times live on the user profile item (`last_admitted_at`, set in transaction 2).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from functions.domain.capacity import DEFAULT_CAPACITY
from functions.domain.enums import BatchStatus, Tier
from functions.domain.quotas import limits_for


def effective_priority(priority: int, tier: Tier) -> int:
    """BatchJob.priority plus the plan's bonus: the number the queue is ordered by."""
    return priority + limits_for(tier).priority_bonus


def plan_limit(tier: Tier) -> int:
    """How many batches of one user of this plan may be `processing` at once."""
    return limits_for(tier).running_batches


def batch_videos(tier: Tier, total_videos: int) -> int:
    """Videos one running batch keeps in flight at most: its plan's Map concurrency, at most its videos."""
    return max(min(limits_for(tier).videos_in_flight, total_videos), 1)


def holds_slot(status: BatchStatus) -> bool:
    """A batch counts against the caps exactly while it is processing."""
    return status is BatchStatus.PROCESSING


def slot_delta(source: BatchStatus, target: BatchStatus) -> int:
    """+1, 0 or -1: how a status change moves the running counters (user and global)."""
    return int(holds_slot(target)) - int(holds_slot(source))


@dataclass(frozen=True)
class QueuedBatch:
    """A batch waiting in `queued`, as the scheduler sees it."""

    batch_id: str
    user_id: str
    tier: Tier  # the plan the batch was created under (BatchJob.tier): its cap and bonus apply
    priority: int  # BatchJob.priority, 0–10
    queued_at: datetime
    videos: int = 1  # videos in flight while it runs (`batch_videos`)

    @property
    def effective_priority(self) -> int:
        return effective_priority(self.priority, self.tier)


@dataclass(frozen=True)
class QueueSnapshot:
    """What the scheduler reads before admitting: the queue, what runs, and who went last."""

    queued: Sequence[QueuedBatch]
    running_by_user: Mapping[str, int] = field(default_factory=dict)
    global_running: int = 0
    global_cap: int = DEFAULT_CAPACITY.running_batches
    global_videos: int = 0  # videos in flight across every running batch
    videos_cap: int = DEFAULT_CAPACITY.admission_videos
    last_admitted_at: Mapping[str, datetime] = field(default_factory=dict)
    # The user's current plan (profile item). Without it, the most generous plan among the user's queued
    # batches applies (BatchJob.tier is the plan at creation; an upgrade should not wait for new batches).
    user_tiers: Mapping[str, Tier] = field(default_factory=dict)


@dataclass(frozen=True)
class Admission:
    """A batch to move from `queued` to `processing`, in this order."""

    batch_id: str
    user_id: str
    tier: Tier
    effective_priority: int


# Recency of a user's last admission: never < earlier < later < admitted in this round (by sequence).
_Recency = tuple[int, float]


def _recency(
    user_id: str, last_admitted_at: Mapping[str, datetime], round_seq: Mapping[str, int]
) -> _Recency:
    if user_id in round_seq:
        return (1, float(round_seq[user_id]))
    last = last_admitted_at.get(user_id)
    return (0, float("-inf") if last is None else last.timestamp())


def _fair_order(
    queued: Iterable[QueuedBatch],
    last_admitted_at: Mapping[str, datetime],
    room: Mapping[str, int] | None,
    slots: int | None,
    videos: int | None = None,
) -> list[QueuedBatch]:
    """Admit one batch at a time by (priority, user recency, age, id), honouring the rooms given.

    `room` maps users to free plan slots (None: no plan caps); `slots` is the free global slots and
    `videos` the free videos in flight (None: no global cap). The first batch in order that does not fit
    the videos left ends the round.
    """
    waiting = sorted(set(queued), key=lambda b: (b.queued_at, b.batch_id))
    user_room = dict(room) if room is not None else None
    round_seq: dict[str, int] = {}
    admitted: list[QueuedBatch] = []
    while waiting and (slots is None or len(admitted) < slots):
        eligible = [b for b in waiting if user_room is None or user_room.get(b.user_id, 0) > 0]
        if not eligible:
            break
        best = min(
            eligible,
            key=lambda b: (
                -b.effective_priority,
                _recency(b.user_id, last_admitted_at, round_seq),
                b.queued_at,
                b.batch_id,
            ),
        )
        if videos is not None:
            if best.videos > videos:
                break
            videos -= best.videos
        waiting.remove(best)
        admitted.append(best)
        round_seq[best.user_id] = len(admitted)
        if user_room is not None:
            user_room[best.user_id] -= 1
    return admitted


def user_room(snapshot: QueueSnapshot) -> dict[str, int]:
    """Free plan slots per user with queued batches (never negative)."""
    limits: dict[str, int] = {}
    for batch in snapshot.queued:
        tier = snapshot.user_tiers.get(batch.user_id, batch.tier)
        limits[batch.user_id] = max(limits.get(batch.user_id, 0), plan_limit(tier))
    return {user: max(limit - snapshot.running_by_user.get(user, 0), 0) for user, limit in limits.items()}


def plan_admissions(snapshot: QueueSnapshot) -> list[Admission]:
    """The queued batches that fit the caps now, in admission order (highest priority, then round-robin)."""
    free = max(snapshot.global_cap - snapshot.global_running, 0)
    videos = max(snapshot.videos_cap - snapshot.global_videos, 0)
    order = _fair_order(snapshot.queued, snapshot.last_admitted_at, user_room(snapshot), free, videos)
    return [Admission(b.batch_id, b.user_id, b.tier, b.effective_priority) for b in order]


def queue_order(snapshot: QueueSnapshot) -> list[QueuedBatch]:
    """Every queued batch in the order the queue would admit them as slots open (caps aside)."""
    return _fair_order(snapshot.queued, snapshot.last_admitted_at, None, None)


def queue_position(snapshot: QueueSnapshot, batch_id: str) -> int | None:
    """1-based place of a queued batch in `queue_order` (None if it is not queued).

    Shown by GET /api/batch-jobs/{id}. It is an order, not a promise of time: a batch further ahead may
    still wait for its own user's plan slot while later ones run.
    """
    for position, batch in enumerate(queue_order(snapshot), start=1):
        if batch.batch_id == batch_id:
            return position
    return None
