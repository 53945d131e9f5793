"""The fair queue on the embedded AWS: concurrent starts against DynamoDB's transactions, admission after
a completion through the real ASL, and the sweep recovering an aborted execution."""

import dataclasses
import threading
import uuid
from datetime import UTC, datetime

import pytest

from functions.domain.enums import BatchStatus, Tier, VideoStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.transitions import BatchAction
from functions.services import batches
from functions.services.batches import Caller
from functions.services.context import Services
from functions.services.sweep import sweep_batch
from tests.fakes.cloud import FakeWorkflow
from tests.helpers import start_batch, wait_for_batch, wait_for_execution

pytestmark = pytest.mark.usefixtures("local_cloud")
EXPORT_ONLY = {"transcribe": False, "remove_silence": False, "detect_highlights": False}


def pending_batch(ctx: Services, user: str, tier: Tier) -> BatchJob:
    now = datetime.now(UTC)
    batch = BatchJob(user_id=user, tier=tier, name="q", created_at=now, updated_at=now, total_videos=1)
    member = BatchVideo(
        batch_job_id=batch.id,
        video_id=f"{batch.id}-v",
        position=1,
        status=VideoStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    ctx.batches.create(batch, [member])
    return batch


def test_twenty_concurrent_starts_of_one_free_users_batches_admit_exactly_one(ctx):
    user = f"free-{uuid.uuid4().hex[:8]}"
    # DynamoDB is the embedded one; executions are only recorded (this test is about the counters).
    quiet = dataclasses.replace(ctx, workflow=FakeWorkflow(ctx.config.state_machine_arn))
    created = [pending_batch(quiet, user, Tier.FREE) for _ in range(20)]
    before = quiet.batches.slot_counts([user]).global_running
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def start(batch: BatchJob) -> None:
        barrier.wait()
        try:
            batches.start_batch(quiet, Caller(user, Tier.FREE), batch.id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start, args=(b,)) for b in created]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = [quiet.batches.get(b.id).status for b in created]
    assert statuses.count(BatchStatus.PROCESSING) == 1
    assert statuses.count(BatchStatus.QUEUED) == 19
    counts = quiet.batches.slot_counts([user])
    assert counts.running_by_user == {user: 1}
    assert counts.global_running >= before + 1
    admitted = next(b for b in created if quiet.batches.get(b.id).status is BatchStatus.PROCESSING)
    assert list(quiet.workflow.executions) == [admitted.id]
    positions = sorted(
        batches.get_batch_detail(quiet, Caller(user, Tier.FREE), b.id).queue_position or 0
        for b in created
        if b.id != admitted.id
    )
    assert positions[0] >= 1 and len(set(positions)) == 19

    for batch in created:  # leave nothing queued for the other tests' admissions
        quiet.batches.transition(quiet.batches.get(batch.id), BatchAction.CANCEL, datetime.now(UTC))
    assert quiet.batches.slot_counts([user]).running_by_user == {user: 0}


def test_a_completed_batch_admits_the_next_which_runs_through_the_real_asl(ctx, clips):
    user = f"free-{uuid.uuid4().hex[:8]}"
    first = start_batch(user, [clips[".mp4"]], EXPORT_ONLY, tier=Tier.FREE)
    second = start_batch(user, [clips[".webm"]], EXPORT_ONLY, tier=Tier.FREE)
    waiting = ctx.batches.get(second.batch_id)
    assert ctx.batches.get(first.batch_id).status in {BatchStatus.PROCESSING, BatchStatus.COMPLETED}
    assert waiting.status in {BatchStatus.QUEUED, BatchStatus.PROCESSING}  # queued unless first already ended
    done = wait_for_batch(first.batch_id, user, Tier.FREE)
    assert done["status"] == "completed"
    later = wait_for_batch(second.batch_id, user, Tier.FREE)
    assert later["status"] == "completed" and later["completed_videos"] == 1
    assert later["execution_arn"].endswith(f":{second.batch_id}")
    assert ctx.batches.slot_counts([user]).running_by_user == {user: 0}


class HeldExport:
    """The first export waits until the test lets it go (the execution is aborted meanwhile)."""

    def __init__(self, task):
        self.task, self.calls = task, 0
        self.entered, self.release = threading.Event(), threading.Event()

    def __call__(self, ctx, event):
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            self.release.wait(60)
        return self.task(ctx, event)


def test_the_sweep_recovers_an_aborted_execution_with_run_2_and_the_batch_completes(
    ctx, clips, local_cloud, monkeypatch
):
    from functions.handlers import pipeline

    held = HeldExport(pipeline.MEDIA_TASKS["exporting"])
    monkeypatch.setitem(pipeline.MEDIA_TASKS, "exporting", held)
    user = f"free-{uuid.uuid4().hex[:8]}"  # free: one video at a time, so the second waits
    started = start_batch(user, [clips[".mp4"], clips[".mov"]], EXPORT_ONLY, tier=Tier.FREE)
    assert held.entered.wait(60)
    sfn = local_cloud.client("stepfunctions")
    sfn.stop_execution(executionArn=started.execution_arn, error="Operator", cause="aborted by hand")
    held.release.set()  # the export returns into a stopped execution: video 1 never finishes there
    assert wait_for_execution(sfn, started.execution_arn)["status"] == "ABORTED"
    assert ctx.batches.get(started.batch_id).status is BatchStatus.PROCESSING  # nobody told the batch
    assert [v.status for v in ctx.batch_videos.of_batch(started.batch_id)] == [
        VideoStatus.PROCESSING,  # mid-stage: its export ran, its bookkeeping did not
        VideoStatus.PENDING,
    ]

    # the sweep's step for one batch (a whole sweep would also touch the other tests' batches)
    assert sweep_batch(ctx, ctx.batches.get(started.batch_id)) == "recovered"
    batch = wait_for_batch(started.batch_id, user, Tier.FREE)
    assert batch["status"] == "completed"
    assert (batch["completed_videos"], batch["failed_videos"], batch["total_videos"]) == (2, 0, 2)
    assert batch["execution_arn"].endswith(f":{started.batch_id}-run2")
    run2 = wait_for_execution(sfn, batch["execution_arn"])
    assert run2["status"] == "SUCCEEDED"
    assert ctx.batches.slot_counts([user]).running_by_user == {user: 0}


def test_a_timed_out_current_run_reported_by_eventbridge_is_recovered_not_failed(ctx, local_cloud):
    from functions.handlers.executions import handler
    from reelflow.local.invoker import LocalLambdaContext

    batch = pending_batch(ctx, f"pro-{uuid.uuid4().hex[:8]}", Tier.PRO)
    ctx.batches.transition(batch, BatchAction.START, datetime.now(UTC), add_fields={"execution_count": 1})
    event = {
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "detail": {"name": batch.id, "status": "TIMED_OUT", "cause": None},
    }
    result = handler(event, LocalLambdaContext(function_name="executions"))
    assert result == {"batch_id": batch.id, "status": "recovered"}
    recovered = ctx.batches.get(batch.id)
    assert recovered.status is BatchStatus.PROCESSING and recovered.recovery_count == 1
    sfn = local_cloud.client("stepfunctions")
    run2 = wait_for_execution(sfn, recovered.execution_arn)  # its video has no upload: it fails alone
    assert run2["name"] == f"{batch.id}-run2" and run2["status"] == "SUCCEEDED"
    # the batch has ended (its only video failed): a late event recovers nothing
    stale = {**event, "detail": {"name": batch.id, "status": "ABORTED", "cause": None}}
    assert handler(stale, LocalLambdaContext(function_name="executions"))["status"] != "recovered"
