"""The fair queue through the use cases on fakes, with a simulated clock: start, complete, admit."""

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from functions.domain.enums import BatchStatus, Tier
from functions.domain.models import BatchJob
from functions.domain.scheduling import plan_limit
from functions.domain.slots import SlotLimits
from functions.domain.transitions import BatchAction
from functions.services import batches
from functions.services.admission import admit_waiting
from functions.services.batch_lifecycle import complete_batch
from functions.services.batches import Caller
from tests.fakes.container import FakeServices, fake_services
from tests.fakes.stores import FakeBatchStore
from tests.unit.test_batch_use_cases import create, mark_uploaded

GLOBAL_CAP = 2
USERS = {"ana": Tier.FREE, "ben": Tier.CREATOR, "cy": Tier.PRO}


class CheckedBatchStore(FakeBatchStore):
    """After every status change: no cap exceeded, counters equal to the batches processing; records
    the admissions in order."""

    admissions: list[str]

    def transition(
        self,
        batch: BatchJob,
        action: BatchAction,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
        slots: SlotLimits | None = None,
    ) -> BatchJob:
        changed = super().transition(
            batch, action, now, set_fields=set_fields, add_fields=add_fields, slots=slots
        )
        running = Counter(b.user_id for b in self.t.batches.values() if b.status is BatchStatus.PROCESSING)
        assert sum(running.values()) <= GLOBAL_CAP
        for user, count in running.items():
            assert count <= plan_limit(USERS[user]), (user, count)
        assert self.t.global_running == sum(running.values())
        assert {u: n for u, n in self.t.running.items() if n} == dict(running)
        if changed.status is BatchStatus.PROCESSING and action is BatchAction.LAUNCH:
            self.admissions.append(changed.name)
        return changed


@pytest.fixture
def queue(tmp_path: Path) -> FakeServices:
    fake = fake_services(tmp_path, capacity_running_batches=GLOBAL_CAP)
    store = CheckedBatchStore(fake.table)
    store.admissions = []
    fake.ctx.batches = store
    return fake


def start(fake: FakeServices, user: str, name: str, priority: int) -> str:
    caller = Caller(user, USERS[user])
    created = create(fake, caller, count=1, name=name, priority=priority)
    mark_uploaded(fake, created.uploads[0].video_id)
    fake.clock.advance(1)
    answer = batches.start_batch(fake.ctx, caller, created.batch_job.id)
    assert answer.batch_job.status in {BatchStatus.QUEUED, BatchStatus.PROCESSING}
    fake.clock.advance(1)
    return created.batch_job.id


def test_admission_is_by_priority_then_round_robin_under_plan_and_global_caps(queue):
    # Effective priority 7 for the three users' ordinary batches (the plan bonus: free 0, creator 1,
    # pro 2); ben's urgent batch is 10, cy's background batch 2.
    ids = {}
    for name, user, priority in [
        ("a1", "ana", 7),
        ("a2", "ana", 7),
        ("a3", "ana", 7),
        ("b1", "ben", 6),
        ("b2", "ben", 6),
        ("b3", "ben", 6),
        ("c1", "cy", 5),
        ("c2", "cy", 5),
        ("c3", "cy", 5),
        ("c-low", "cy", 0),
        ("b-urgent", "ben", 9),
    ]:
        ids[name] = start(queue, user, name, priority)
    store: CheckedBatchStore = queue.ctx.batches
    # a1 ran at once; ana's plan holds a2 and a3 back, so b1 took the second global slot.
    assert store.admissions == ["a1", "b1"]
    detail = batches.get_batch_detail(queue.ctx, Caller("cy", Tier.PRO), ids["c-low"])
    assert detail.status is BatchStatus.QUEUED and detail.queue_position == 9  # last of nine waiting
    urgent = batches.get_batch_detail(queue.ctx, Caller("ben", Tier.CREATOR), ids["b-urgent"])
    assert urgent.queue_position == 1

    running = list(store.admissions)
    while running:  # the oldest running batch finishes first; each end admits the next
        queue.clock.advance(10)
        complete_batch(queue.ctx, ids[running.pop(0)])
        running = [
            n for n in store.admissions if queue.ctx.batches.get(ids[n]).status is BatchStatus.PROCESSING
        ]

    assert store.admissions == [
        "a1",
        "b1",
        "b-urgent",  # highest effective priority first
        "c1",  # then, at 7, the user admitted least recently (cy: never)
        "a2",
        "b2",
        "c2",  # round-robin: one turn each, although ana and cy have more waiting
        "a3",
        "b3",
        "c3",
        "c-low",
    ]
    assert all(queue.ctx.batches.get(i).status.is_terminal for i in ids.values())
    assert queue.table.global_running == 0 and not any(queue.table.running.values())


def test_a_user_at_their_plan_cap_does_not_block_the_others(queue):
    first = start(queue, "ana", "a1", 10)
    blocked = start(queue, "ana", "a2", 10)
    other = start(queue, "cy", "c1", 0)
    assert queue.ctx.batches.get(first).status is BatchStatus.PROCESSING
    assert queue.ctx.batches.get(blocked).status is BatchStatus.QUEUED
    assert queue.ctx.batches.get(other).status is BatchStatus.PROCESSING
    assert admit_waiting(queue.ctx) == []  # nothing fits: ana's plan and the global cap are full
    complete_batch(queue.ctx, first)
    assert queue.ctx.batches.get(blocked).status is BatchStatus.PROCESSING
    assert queue.workflow.executions.keys() == {first, other, blocked}


def test_the_start_answer_names_the_execution_a_queued_batch_will_get(queue):
    start(queue, "ana", "a1", 5)
    caller = Caller("ana", Tier.FREE)
    created = create(queue, caller, count=1, name="a2")
    mark_uploaded(queue, created.uploads[0].video_id)
    answer = batches.start_batch(queue.ctx, caller, created.batch_job.id)
    assert answer.batch_job.status is BatchStatus.QUEUED
    assert answer.job_id == queue.workflow.execution_arn(created.batch_job.id)
    assert created.batch_job.id not in queue.workflow.executions
