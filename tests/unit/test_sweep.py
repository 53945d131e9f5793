"""The sweep on fakes: batches whose execution died are recovered with a new run or settled, and the
queue is admitted; the rule in functions/domain/recovery.py on its own."""

import pytest

from functions.domain.batch_control import Reconciliation
from functions.domain.enums import BatchStatus, Tier, VideoStatus
from functions.domain.recovery import Recovery, sweep_action
from functions.domain.transitions import BatchAction, VideoAction
from functions.services import batches
from functions.services.batches import Caller
from functions.services.sweep import sweep
from tests.fakes.container import FakeServices
from tests.unit.test_batch_use_cases import create, mark_uploaded

P, V = BatchStatus, VideoStatus


def running_batch(fake: FakeServices, videos: int = 3) -> str:
    caller = Caller("rita", Tier.PRO)
    created = create(fake, caller, count=videos)
    for upload in created.uploads:
        mark_uploaded(fake, upload.video_id)
    batch_id = created.batch_job.id
    assert batches.start_batch(fake.ctx, caller, batch_id).batch_job.status is P.PROCESSING
    members = fake.ctx.batch_videos.of_batch(batch_id)
    now = fake.clock()
    fake.ctx.batch_videos.transition(batch_id, members[0].video_id, VideoAction.START, now)
    fake.ctx.batch_videos.transition(
        batch_id, members[0].video_id, VideoAction.COMPLETE, now, batch_add={"completed_videos": 1}
    )
    fake.ctx.batch_videos.transition(batch_id, members[1].video_id, VideoAction.START, now)  # mid-stage
    return batch_id


def test_an_aborted_execution_is_replaced_by_run_2_over_the_unfinished_videos(fake):
    batch_id = running_batch(fake)
    assert fake.workflow.status(batch_id) == "RUNNING"
    assert sweep(fake.ctx).settled == {}  # running: nothing to do
    fake.workflow.statuses[batch_id] = "ABORTED"
    report = sweep(fake.ctx)
    assert report.settled == {batch_id: "recovered"}
    batch = fake.ctx.batches.get(batch_id)
    assert batch.status is P.PROCESSING and batch.execution_count == 2 and batch.recovery_count == 1
    assert batch.execution_arn == fake.workflow.execution_arn(f"{batch_id}-run2")
    assert fake.workflow.executions[f"{batch_id}-run2"] == {"batch_id": batch_id}
    assert batch.completed_videos == 1 and batch.failed_videos == 0  # counters untouched
    assert fake.table.running == {"rita": 1} and fake.table.global_running == 1  # the slot stays
    assert sweep(fake.ctx).settled == {}  # run 2 is running: a second sweep changes nothing


def test_a_batch_whose_recoveries_are_used_up_fails_with_the_reason_and_frees_its_slot(fake):
    batch_id = running_batch(fake)
    for run in (batch_id, f"{batch_id}-run2", f"{batch_id}-run3"):
        fake.workflow.statuses[run] = "TIMED_OUT"
        sweep(fake.ctx)
    batch = fake.ctx.batches.get(batch_id)
    assert batch.status is P.FAILED and batch.recovery_count == 2
    assert "timed out" in batch.error_message and "2 recoveries" in batch.error_message
    assert batch.completed_videos == 1 and batch.failed_videos == 2  # the two unfinished videos
    assert fake.table.global_running == 0 and fake.table.running == {"rita": 0}


def test_a_lost_launch_waits_for_the_grace_period_then_recovers(fake):
    batch_id = running_batch(fake)
    del fake.workflow.statuses[batch_id]  # the execution never appeared
    assert sweep(fake.ctx).settled == {}
    fake.clock.advance(fake.ctx.config.execution_start_grace_seconds + 1)
    assert sweep(fake.ctx).settled == {batch_id: "recovered"}


def test_after_a_restart_every_running_batch_is_recovered_at_once(fake):
    batch_id = running_batch(fake)
    assert sweep(fake.ctx, executions_lost=True).settled == {batch_id: "recovered"}


def test_a_succeeded_execution_without_bookkeeping_gets_its_outcome_and_admits_the_next(fake):
    caller = Caller("fred", Tier.FREE)
    first, second = (create(fake, caller, count=1) for _ in range(2))
    for created in (first, second):
        mark_uploaded(fake, created.uploads[0].video_id)
        batches.start_batch(fake.ctx, caller, created.batch_job.id)
    done = first.batch_job.id
    video = first.uploads[0].video_id
    now = fake.clock()
    fake.ctx.batch_videos.transition(done, video, VideoAction.START, now)
    fake.ctx.batch_videos.transition(
        done, video, VideoAction.COMPLETE, now, batch_add={"completed_videos": 1}
    )
    fake.workflow.statuses[done] = "SUCCEEDED"
    report = sweep(fake.ctx)
    assert report.settled == {done: "completed"}
    assert fake.ctx.batches.get(done).status is P.COMPLETED
    # complete_batch admitted the waiting batch; the sweep's own admission found nothing more to do
    assert fake.ctx.batches.get(second.batch_job.id).status is P.PROCESSING
    assert second.batch_job.id in fake.workflow.executions


def test_a_paused_batch_with_a_dead_execution_gets_a_new_one_and_stays_paused(fake):
    batch_id = running_batch(fake)
    batch = fake.ctx.batches.transition(fake.ctx.batches.get(batch_id), BatchAction.PAUSE, fake.clock())
    fake.table.tokens[(batch_id, "v")] = "stale-token"
    fake.workflow.statuses[batch_id] = "ABORTED"
    assert sweep(fake.ctx).settled == {batch_id: "recovered"}
    batch = fake.ctx.batches.get(batch_id)
    assert batch.status is P.PAUSED and batch.execution_count == 2
    assert fake.table.tokens == {}  # the dead execution's token answers nothing
    assert fake.table.global_running == 0  # pausing freed the slot; recovery took none


def test_admitting_a_resumed_batch_whose_execution_runs_sends_its_tokens_back(fake):
    batch_id = running_batch(fake)
    now = fake.clock()
    batch = fake.ctx.batches.transition(fake.ctx.batches.get(batch_id), BatchAction.PAUSE, now)
    fake.table.tokens[(batch_id, "v")] = "parked"
    # resume found no room (the control engineer's resume → queued), then a slot opened
    fake.table.batches[batch_id] = batch.model_copy(update={"status": P.QUEUED, "queued_at": now})
    assert sweep(fake.ctx).admitted == [batch_id]
    assert fake.workflow.successes == [("parked", {"resumed": True})]
    assert fake.ctx.batches.get(batch_id).execution_count == 1  # the same execution goes on


@pytest.mark.parametrize(
    ("execution", "videos", "recoveries", "expected"),
    [
        ("RUNNING", [V.PENDING], 0, None),
        (None, [V.PENDING], 0, Recovery("The batch's execution never started")),
        ("ABORTED", [V.COMPLETED, V.PROCESSING], 1, Recovery("The batch's execution ended aborted")),
        ("FAILED", [V.PENDING], 0, Reconciliation(P.FAILED, "The batch's execution ended failed")),
        ("ABORTED", [V.COMPLETED, V.FAILED], 0, Reconciliation(P.COMPLETED, None)),
        ("ABORTED", [V.FAILED], 0, Reconciliation(P.FAILED, "Every video failed (1 of 1)")),
        (
            "TIMED_OUT",
            [V.PENDING],
            2,
            Reconciliation(
                P.FAILED, "The batch's execution ended timed out and 2 recoveries did not finish it"
            ),
        ),
    ],
)
def test_the_sweep_rule(execution, videos, recoveries, expected):
    action = sweep_action(
        P.PROCESSING,
        execution,
        videos,
        1000,
        recoveries_done=recoveries,
        max_recoveries=2,
        start_grace_seconds=300,
    )
    assert action == expected
