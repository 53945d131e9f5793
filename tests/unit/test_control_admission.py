"""Resume and retry-failed go through the fair queue's admission: they never take a running slot a
plan or the global cap does not have."""

from pathlib import Path

from functions.domain.enums import BatchStatus, Tier
from functions.services import batch_controls as controls
from functions.services import batch_lifecycle as lifecycle
from functions.services.batches import Caller
from tests.fakes.container import FakeServices, fake_services
from tests.unit.test_batch_controls import fail, finish
from tests.unit.test_lifecycle_use_cases import started_batch

B = BatchStatus
ANA = Caller("alice", Tier.FREE)  # started_batch creates the batches as user "alice"


def running(fake: FakeServices) -> list[str]:
    return sorted(b.id for b in fake.table.batches.values() if b.status is B.PROCESSING)


def test_a_free_users_resumed_batch_waits_while_another_of_theirs_runs(fake):
    first, first_refs = started_batch(fake, videos=2, tier=Tier.FREE)
    second, second_refs = started_batch(fake, videos=1, tier=Tier.FREE)
    assert fake.ctx.batches.get(second).status is B.QUEUED  # the free plan runs one batch
    controls.pause_batch(fake.ctx, ANA, first)  # frees the slot: the second batch is admitted
    assert running(fake) == [second]
    lifecycle.park_until_resumed(fake.ctx, first_refs[1], "token-2")

    resumed = controls.resume_batch(fake.ctx, ANA, first)

    assert resumed.status is B.QUEUED
    assert running(fake) == [second]
    assert fake.workflow.successes == []  # still parked
    assert lifecycle.check_gate(fake.ctx, first_refs[1]).action == "wait"

    finish(fake, second_refs[0])
    assert lifecycle.complete_batch(fake.ctx, second).status == "completed"
    assert running(fake) == [first]
    assert fake.workflow.successes == [("token-2", {"resumed": True})]  # the same execution goes on
    assert sorted(fake.workflow.executions) == sorted([first, second])  # no new run


def test_a_retry_under_a_full_global_cap_waits_then_runs_when_a_slot_frees(tmp_path: Path):
    fake = fake_services(tmp_path, capacity_running_batches=1)
    retried_id, refs = started_batch(fake, videos=2)
    finish(fake, refs[0])
    fail(fake, refs[1])
    assert lifecycle.complete_batch(fake.ctx, retried_id).status == "completed"
    other, other_refs = started_batch(fake, videos=1)
    assert running(fake) == [other]

    retried = controls.retry_failed(fake.ctx, Caller("alice", Tier.CREATOR), retried_id)

    assert retried.batch_job.status is B.QUEUED
    assert retried.execution_name == f"{retried_id}-run2" and retried.retried_video_ids == [refs[1].video_id]
    assert f"{retried_id}-run2" not in fake.workflow.executions
    assert running(fake) == [other]

    finish(fake, other_refs[0])
    assert lifecycle.complete_batch(fake.ctx, other).status == "completed"

    batch = fake.ctx.batches.get(retried_id)
    assert (batch.status, batch.execution_count, batch.execution_arn) == (B.PROCESSING, 2, retried.job_id)
    assert f"{retried_id}-run2" in fake.workflow.executions
    prepared = lifecycle.prepare_batch(fake.ctx, retried_id)
    assert [item.video_id for item in prepared.videos] == [refs[1].video_id]


def test_a_retry_while_the_finished_run_is_still_ending_starts_a_new_run(fake):
    batch_id, refs = started_batch(fake, videos=1)
    fail(fake, refs[0])
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "failed"
    assert fake.workflow.status(batch_id) == "RUNNING"  # the run's last states have not finished yet

    retried = controls.retry_failed(fake.ctx, Caller("alice", Tier.CREATOR), batch_id)

    assert retried.batch_job.status is B.PROCESSING
    assert f"{batch_id}-run2" in fake.workflow.executions
    assert fake.ctx.batches.get(batch_id).execution_arn == retried.job_id
