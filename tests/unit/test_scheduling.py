"""The fair queue, driven by a simulated clock: batches are admitted, run for a while and finish."""

import heapq
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.enums import BatchStatus, Tier
from functions.domain.quotas import TIER_LIMITS
from functions.domain.scheduling import (
    Admission,
    QueuedBatch,
    QueueSnapshot,
    effective_priority,
    holds_slot,
    plan_admissions,
    plan_limit,
    queue_order,
    queue_position,
    slot_delta,
    user_room,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def batch(batch_id: str, user: str, tier: Tier, priority: int, queued: float) -> QueuedBatch:
    return QueuedBatch(batch_id, user, tier, priority, at(queued))


@dataclass
class Trace:
    admissions: list[tuple[float, QueuedBatch]] = field(default_factory=list)
    max_running_by_user: dict[str, int] = field(default_factory=dict)
    max_global: int = 0


def simulate(
    batches: list[QueuedBatch],
    durations: dict[str, float],
    global_cap: int,
    arrivals: dict[str, float] | None = None,
) -> Trace:
    """Run the queue to the end: admit at every event time, then jump to the next arrival or finish.

    Every round checks the caps and that nothing left waiting could have run (work-conserving, priority).
    """
    arrivals = arrivals or {}
    pending = sorted(batches, key=lambda b: arrivals.get(b.batch_id, 0.0))
    queued: list[QueuedBatch] = []
    running: dict[str, int] = {}
    finishes: list[tuple[float, str, str]] = []  # (time, batch id, user)
    last_admitted: dict[str, datetime] = {}
    trace = Trace()
    now = 0.0
    sequence = 0
    while pending or queued or finishes:
        while pending and arrivals.get(pending[0].batch_id, 0.0) <= now:
            queued.append(pending.pop(0))
        while finishes and finishes[0][0] <= now:
            _, _, user = heapq.heappop(finishes)
            running[user] -= 1
        snapshot = QueueSnapshot(
            queued=list(queued),
            running_by_user=dict(running),
            global_running=sum(running.values()),
            global_cap=global_cap,
            last_admitted_at=dict(last_admitted),
        )
        admitted = plan_admissions(snapshot)
        by_id = {b.batch_id: b for b in queued}
        for admission in admitted:
            chosen = by_id[admission.batch_id]
            queued.remove(chosen)
            running[chosen.user_id] = running.get(chosen.user_id, 0) + 1
            sequence += 1
            # Admission times strictly increase, as sequential transactions stamp them.
            last_admitted[chosen.user_id] = at(now) + timedelta(microseconds=sequence)
            heapq.heappush(finishes, (now + durations[chosen.batch_id], chosen.batch_id, chosen.user_id))
            trace.admissions.append((now, chosen))
        check_round(snapshot, admitted, running, global_cap)
        for user, count in running.items():
            trace.max_running_by_user[user] = max(trace.max_running_by_user.get(user, 0), count)
        trace.max_global = max(trace.max_global, sum(running.values()))
        next_times = [t for t, _, _ in finishes[:1]] + [arrivals.get(b.batch_id, 0.0) for b in pending[:1]]
        if not next_times:
            assert not queued, "batches left queued with nothing running: starvation"
            break
        now = max(now, min(next_times))
    return trace


def check_round(
    snapshot: QueueSnapshot, admitted: list[Admission], running: dict[str, int], global_cap: int
) -> None:
    tiers = {b.user_id: b.tier for b in snapshot.queued}
    for user, count in running.items():
        if user in tiers:
            assert count <= plan_limit(tiers[user])
    assert sum(running.values()) <= global_cap
    priorities = [a.effective_priority for a in admitted]
    assert priorities == sorted(priorities, reverse=True), "admissions go from high to low priority"
    admitted_ids = {a.batch_id for a in admitted}
    waiting = [b for b in snapshot.queued if b.batch_id not in admitted_ids]
    global_full = sum(running.values()) >= global_cap
    for left in waiting:
        user_full = running.get(left.user_id, 0) >= plan_limit(left.tier)
        assert global_full or user_full, f"{left.batch_id} could have run"
        for a in admitted:
            if left.effective_priority > a.effective_priority:
                assert user_full, f"{a.batch_id} passed {left.batch_id} of higher priority"


def order_of(trace: Trace) -> list[str]:
    return [b.batch_id for _, b in trace.admissions]


def test_priority_bonus_and_plan_limits_come_from_the_plans():
    assert [plan_limit(t) for t in Tier] == [1, 2, 3]
    assert [effective_priority(5, t) for t in Tier] == [5, 6, 7]
    assert all(limits.running_batches >= 1 for limits in TIER_LIMITS.values())


def test_equal_priority_is_round_robin_across_users():
    # Effective priority 7 for all: free 7 + 0, creator 6 + 1, pro 5 + 2. Alice queued four first.
    batches = [
        batch("a1", "alice", Tier.FREE, 7, 0),
        batch("a2", "alice", Tier.FREE, 7, 1),
        batch("a3", "alice", Tier.FREE, 7, 2),
        batch("a4", "alice", Tier.FREE, 7, 3),
        batch("b1", "bob", Tier.CREATOR, 6, 4),
        batch("b2", "bob", Tier.CREATOR, 6, 5),
        batch("c1", "carol", Tier.PRO, 5, 6),
    ]
    trace = simulate(batches, dict.fromkeys([b.batch_id for b in batches], 1.0), global_cap=1)
    assert order_of(trace) == ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]
    assert trace.max_global == 1


def test_priority_first_then_least_recently_admitted_user_under_global_and_plan_caps():
    batches = [
        batch("a1", "alice", Tier.FREE, 10, 0),  # effective 10
        batch("a2", "alice", Tier.FREE, 10, 1),  # 10
        batch("b1", "bob", Tier.CREATOR, 9, 2),  # 10
        batch("b2", "bob", Tier.CREATOR, 2, 3),  # 3
        batch("c1", "carol", Tier.PRO, 0, 4),  # 2
        batch("c2", "carol", Tier.PRO, 8, 5),  # 10
        batch("c3", "carol", Tier.PRO, 8, 6),  # 10
    ]
    durations = {b.batch_id: 2.0 for b in batches} | {"b1": 1.0}
    trace = simulate(batches, durations, global_cap=2)
    # t0: a1, b1 (cap 2). t1: b1 ends; alice is at her free-plan cap, carol never went: c2.
    # t2: a1 ends; alice (last t0) before carol (last t1): a2. t3: c3. t4: b2 (3) before c1 (2).
    assert [(t, b.batch_id) for t, b in trace.admissions] == [
        (0.0, "a1"),
        (0.0, "b1"),
        (1.0, "c2"),
        (2.0, "a2"),
        (3.0, "c3"),
        (4.0, "b2"),
        (5.0, "c1"),
    ]
    assert trace.max_global == 2
    assert trace.max_running_by_user["alice"] == 1


def test_one_user_with_twenty_batches_does_not_starve_another_with_one():
    hog = [batch(f"h{i:02d}", "hog", Tier.PRO, 5, i) for i in range(20)]
    late = batch("late", "newcomer", Tier.PRO, 5, 100)
    arrivals = {b.batch_id: 0.0 for b in hog} | {"late": 0.5}
    trace = simulate([*hog, late], dict.fromkeys([b.batch_id for b in [*hog, late]], 1.0), 3, arrivals)
    # Pro allows the hog 3 at once and the global cap is 3: the newcomer takes the first free slot.
    assert order_of(trace)[:4] == ["h00", "h01", "h02", "late"]
    assert trace.max_running_by_user["hog"] == 3


def test_twenty_queued_batches_of_one_free_user_admit_exactly_one():
    snapshot = QueueSnapshot(
        queued=[batch(f"f{i}", "free", Tier.FREE, 5, i) for i in range(20)], global_cap=50
    )
    assert [a.batch_id for a in plan_admissions(snapshot)] == ["f0"]
    running = QueueSnapshot(queued=snapshot.queued, running_by_user={"free": 1}, global_cap=50)
    assert plan_admissions(running) == []


def test_a_user_blocked_by_their_plan_does_not_block_others():
    snapshot = QueueSnapshot(
        queued=[batch("top", "alice", Tier.FREE, 10, 0), batch("low", "bob", Tier.FREE, 0, 1)],
        running_by_user={"alice": 1},
        global_running=1,
        global_cap=5,
    )
    assert [a.batch_id for a in plan_admissions(snapshot)] == ["low"]


def test_full_global_cap_admits_nothing_and_overfull_counts_are_tolerated():
    queued = [batch("x", "alice", Tier.PRO, 5, 0)]
    assert plan_admissions(QueueSnapshot(queued, global_running=3, global_cap=3)) == []
    assert plan_admissions(QueueSnapshot(queued, global_running=9, global_cap=3)) == []
    assert user_room(QueueSnapshot(queued, running_by_user={"alice": 7})) == {"alice": 0}


def test_user_tier_from_profile_overrides_the_batch_tier():
    queued = [batch(f"u{i}", "upgraded", Tier.FREE, 5, i) for i in range(4)]
    snapshot = QueueSnapshot(queued, user_tiers={"upgraded": Tier.PRO})
    assert [a.batch_id for a in plan_admissions(snapshot)] == ["u0", "u1", "u2"]


def test_queue_position_follows_the_fair_order():
    snapshot = QueueSnapshot(
        queued=[
            batch("a1", "alice", Tier.FREE, 5, 0),
            batch("a2", "alice", Tier.FREE, 5, 1),
            batch("b1", "bob", Tier.FREE, 5, 2),
            batch("urgent", "carol", Tier.FREE, 9, 3),
        ],
        last_admitted_at={"bob": at(-10), "alice": at(-5)},
    )
    assert [b.batch_id for b in queue_order(snapshot)] == ["urgent", "b1", "a1", "a2"]
    assert queue_position(snapshot, "a1") == 3
    assert queue_position(snapshot, "urgent") == 1
    assert queue_position(snapshot, "missing") is None


def test_duplicated_snapshot_rows_admit_a_batch_once():
    row = batch("a", "alice", Tier.PRO, 5, 0)
    assert [a.batch_id for a in plan_admissions(QueueSnapshot([row, row]))] == ["a"]


@pytest.mark.parametrize(
    ("source", "target", "delta"),
    [
        (BatchStatus.QUEUED, BatchStatus.PROCESSING, 1),
        (BatchStatus.PENDING, BatchStatus.PROCESSING, 1),
        (BatchStatus.PROCESSING, BatchStatus.PAUSED, -1),
        (BatchStatus.PROCESSING, BatchStatus.COMPLETED, -1),
        (BatchStatus.PAUSED, BatchStatus.CANCELLED, 0),
        (BatchStatus.PENDING, BatchStatus.QUEUED, 0),
    ],
)
def test_slot_delta(source, target, delta):
    assert slot_delta(source, target) == delta
    assert holds_slot(BatchStatus.PROCESSING)
    assert not holds_slot(BatchStatus.PAUSED)


# ---- properties -------------------------------------------------------------------------------------

users = st.lists(st.sampled_from(list(Tier)), min_size=1, max_size=4)


@st.composite
def workloads(draw: st.DrawFn) -> tuple[list[QueuedBatch], dict[str, float], dict[str, float], int]:
    tiers = draw(users)
    count = draw(st.integers(1, 14))
    batches, durations, arrivals = [], {}, {}
    for i in range(count):
        owner = draw(st.integers(0, len(tiers) - 1))
        arrival = float(draw(st.integers(0, 6)))
        b = QueuedBatch(f"b{i:02d}", f"user{owner}", tiers[owner], draw(st.integers(0, 10)), at(arrival))
        batches.append(b)
        durations[b.batch_id] = float(draw(st.integers(1, 4)))
        arrivals[b.batch_id] = arrival
    return batches, durations, arrivals, draw(st.integers(1, 4))


@settings(max_examples=150, deadline=None)
@given(workloads())
def test_caps_are_never_exceeded_and_every_batch_is_admitted(workload):
    batches, durations, arrivals, global_cap = workload
    trace = simulate(batches, durations, global_cap, arrivals)  # checks caps and priority every round
    assert sorted(order_of(trace)) == sorted(b.batch_id for b in batches)
    assert trace.max_global <= global_cap
    tiers = {b.user_id: b.tier for b in batches}
    for user, peak in trace.max_running_by_user.items():
        assert peak <= plan_limit(tiers[user])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=16))
def test_equal_priority_turns_are_round_robin(owners):
    batches = [QueuedBatch(f"b{i:02d}", f"user{o}", Tier.PRO, 5, at(i)) for i, o in enumerate(owners)]
    trace = simulate(batches, dict.fromkeys([b.batch_id for b in batches], 1.0), global_cap=1)
    sequence = [b.user_id for _, b in trace.admissions]
    remaining = {u: owners.count(int(u.removeprefix("user"))) for u in set(sequence)}
    for i, user in enumerate(sequence):
        # Between two turns of a user, every other user still holding a queued batch gets a turn.
        remaining[user] -= 1
        nxt = sequence.index(user, i + 1) if user in sequence[i + 1 :] else None
        if nxt is None:
            continue
        waiting_others = {u for u, left in remaining.items() if u != user and left > 0}
        assert waiting_others <= set(sequence[i + 1 : nxt])
