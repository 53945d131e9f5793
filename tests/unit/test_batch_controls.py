"""Pause, resume, cancel, retry-failed and delete on in-memory fakes: the use cases and their routes."""

import threading
from typing import Any

import pytest

from functions.domain import object_keys
from functions.domain.batch_control import (
    ALREADY_FINISHED,
    NOT_PAUSED,
    NOT_RUNNING,
    NOTHING_TO_RETRY,
    STILL_ACTIVE,
)
from functions.domain.enums import BatchStatus, Tier, VideoStatus
from functions.domain.errors import Conflict, InvalidRequest, NotFound
from functions.domain.pipeline_contract import TaskError, VideoRef
from functions.domain.transitions import BatchAction
from functions.services import batch_controls as controls
from functions.services import batch_lifecycle as lifecycle
from functions.services.batches import Caller
from tests.fakes.container import FakeServices
from tests.unit.test_lifecycle_use_cases import started_batch

B, V = BatchStatus, VideoStatus
ALICE = Caller("alice", Tier.CREATOR)


def fail(fake: FakeServices, ref: VideoRef, error_type: str = "InvalidMediaError") -> None:
    lifecycle.begin_video(fake.ctx, ref)
    lifecycle.handle_failure(
        fake.ctx, ref, TaskError.model_validate({"Error": error_type, "Cause": "broken"}), [0]
    )


def finish(fake: FakeServices, ref: VideoRef) -> None:
    lifecycle.begin_video(fake.ctx, ref)
    lifecycle.finish_video(fake.ctx, ref)


def put(fake: FakeServices, key: str) -> None:
    fake.storage.put_bytes(fake.ctx.config.media_bucket, key, b"x")


def test_pause_then_resume_sends_the_parked_tokens_back(fake):
    batch_id, refs = started_batch(fake, videos=3)
    paused = controls.pause_batch(fake.ctx, ALICE, batch_id)
    assert paused.status is B.PAUSED
    assert lifecycle.check_gate(fake.ctx, refs[1]).action == "wait"
    lifecycle.park_until_resumed(fake.ctx, refs[1], "token-2")
    lifecycle.park_until_resumed(fake.ctx, refs[2], "token-3")
    assert fake.workflow.successes == []  # parked, nobody polls
    with pytest.raises(InvalidRequest) as refused:
        controls.pause_batch(fake.ctx, ALICE, batch_id)
    assert refused.value.title == NOT_RUNNING and "'paused'" in refused.value.detail

    resumed = controls.resume_batch(fake.ctx, ALICE, batch_id)
    assert resumed.status is B.PROCESSING
    assert sorted(t for t, _ in fake.workflow.successes) == ["token-2", "token-3"]
    assert fake.ctx.task_tokens.parked(batch_id) == []
    with pytest.raises(InvalidRequest) as refused:
        controls.resume_batch(fake.ctx, ALICE, batch_id)
    assert refused.value.title == NOT_PAUSED


def test_a_queued_batch_can_be_paused_and_its_gate_waits(fake):
    batch_id, refs = started_batch(fake)
    stored = fake.ctx.batches.get(batch_id)
    fake.table.batches[batch_id] = stored.model_copy(update={"status": B.QUEUED})
    assert lifecycle.check_gate(fake.ctx, refs[0]).action == "wait"
    assert controls.pause_batch(fake.ctx, ALICE, batch_id).status is B.PAUSED


def test_pause_racing_the_last_video_still_completes_the_batch(fake):
    batch_id, refs = started_batch(fake, videos=1)
    lifecycle.begin_video(fake.ctx, refs[0])
    controls.pause_batch(fake.ctx, ALICE, batch_id)  # the only video is already running
    lifecycle.finish_video(fake.ctx, refs[0])
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "completed"
    batch = fake.ctx.batches.get(batch_id)
    assert (batch.status, batch.completed_videos) == (B.COMPLETED, 1)


def test_cancel_stops_the_execution_counts_videos_and_removes_work_files(fake):
    batch_id, refs = started_batch(fake, videos=3)
    finish(fake, refs[0])
    lifecycle.begin_video(fake.ctx, refs[1])  # running while cancelled
    put(fake, object_keys.work_key(batch_id, refs[1].video_id, "audio.flac"))
    put(fake, object_keys.artifact_key(batch_id, refs[1].video_id, "transcribing"))
    put(fake, object_keys.artifact_key(batch_id, refs[0].video_id, "transcribing"))
    kept_output = object_keys.output_key(batch_id, 1, "a.mp4", "mp4")
    put(fake, kept_output)
    partial_output = object_keys.output_key(batch_id, 2, "b.mp4", "mp4")
    put(fake, partial_output)

    cancelled = controls.cancel_batch(fake.ctx, ALICE, batch_id)

    assert cancelled.batch_job.status is B.CANCELLED
    assert cancelled.execution_stopped is True
    assert fake.workflow.stopped[0][0].endswith(f":{batch_id}")
    assert cancelled.cancelled_video_ids == [refs[1].video_id, refs[2].video_id]
    batch = fake.ctx.batches.get(batch_id)
    assert (batch.completed_videos, batch.failed_videos, batch.cancelled_videos) == (1, 0, 2)
    assert batch.finished_videos == batch.total_videos
    assert fake.storage.keys(fake.ctx.config.media_bucket) == sorted(
        [kept_output, object_keys.artifact_key(batch_id, refs[0].video_id, "transcribing")]
    )
    assert cancelled.removed_objects == 3
    # The finishing video loses to the cancel: counters stay exact.
    assert lifecycle.finish_video(fake.ctx, refs[1]).status == "cancelled"
    assert lifecycle.check_gate(fake.ctx, refs[2]).action == "stop"
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "cancelled"
    assert fake.ctx.batches.get(batch_id).cancelled_videos == 2
    with pytest.raises(InvalidRequest) as refused:
        controls.cancel_batch(fake.ctx, ALICE, batch_id)
    assert refused.value.title == ALREADY_FINISHED


def test_cancel_releases_parked_tokens_when_the_execution_already_ended(fake):
    batch_id, refs = started_batch(fake)
    controls.pause_batch(fake.ctx, ALICE, batch_id)
    lifecycle.park_until_resumed(fake.ctx, refs[0], "token-1")
    fake.workflow.finished.add(batch_id)
    cancelled = controls.cancel_batch(fake.ctx, ALICE, batch_id)
    assert cancelled.execution_stopped is False
    assert fake.workflow.successes == [("token-1", {"resumed": True})]  # the gate then says stop


def test_a_pending_batch_is_cancelled_without_an_execution(fake, alice):
    from functions.domain.schemas import BatchJobCreate
    from functions.services import batches

    created = batches.create_batch(fake.ctx, alice, BatchJobCreate(name="b", video_count=2))
    cancelled = controls.cancel_batch(fake.ctx, alice, created.batch_job.id)
    assert cancelled.batch_job.cancelled_videos == 2 and cancelled.execution_stopped is False
    assert fake.workflow.stopped == []


def test_retry_failed_reruns_only_failed_videos_as_run_two(fake):
    batch_id, refs = started_batch(fake, videos=3)
    finish(fake, refs[0])
    fail(fake, refs[1])
    fail(fake, refs[2])
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "completed"

    retried = controls.retry_failed(fake.ctx, ALICE, batch_id)

    assert retried.execution_name == f"{batch_id}-run2"
    assert retried.job_id.endswith(f":{batch_id}-run2") and f"{batch_id}-run2" in fake.workflow.executions
    assert retried.retried_video_ids == [refs[1].video_id, refs[2].video_id]
    batch = fake.ctx.batches.get(batch_id)
    assert (batch.status, batch.failed_videos, batch.completed_videos) == (B.PROCESSING, 0, 1)
    assert batch.execution_arn == retried.job_id and batch.completed_at is None
    for ref in refs[1:]:
        video = fake.ctx.batch_videos.get(batch_id, ref.video_id)
        assert (video.status, video.retry_count, video.error_message) == (V.PENDING, 1, None)
    prepared = lifecycle.prepare_batch(fake.ctx, batch_id)
    assert [item.video_id for item in prepared.videos] == [r.video_id for r in refs[1:]]


def test_retry_failed_of_chosen_videos_and_the_reasons_for_nothing_to_retry(fake):
    batch_id, refs = started_batch(fake, videos=3)
    finish(fake, refs[0])
    fail(fake, refs[1])
    fail(fake, refs[2])
    lifecycle.complete_batch(fake.ctx, batch_id)
    with pytest.raises(InvalidRequest) as refused:
        controls.retry_failed(fake.ctx, ALICE, batch_id, [refs[0].video_id])
    assert refused.value.title == NOTHING_TO_RETRY and "is completed" in refused.value.detail
    retried = controls.retry_failed(fake.ctx, ALICE, batch_id, [refs[2].video_id])
    assert retried.retried_video_ids == [refs[2].video_id]
    assert fake.ctx.batch_videos.get(batch_id, refs[1].video_id).status is V.FAILED
    with pytest.raises(InvalidRequest) as refused:  # processing now
        controls.retry_failed(fake.ctx, ALICE, batch_id)
    assert refused.value.title == NOTHING_TO_RETRY and "'processing'" in refused.value.detail


def test_retry_failed_when_every_failure_used_its_retries(fake):
    batch_id, refs = started_batch(fake, videos=1)
    lifecycle.begin_video(fake.ctx, refs[0])
    fake.ctx.batch_videos.update(batch_id, refs[0].video_id, fake.clock(), set_fields={"retry_count": 3})
    lifecycle.handle_failure(
        fake.ctx, refs[0], TaskError.model_validate({"Error": "MediaProcessingError", "Cause": "x"}), [0]
    )
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "failed"
    with pytest.raises(InvalidRequest) as refused:
        controls.retry_failed(fake.ctx, ALICE, batch_id)
    assert refused.value.title == NOTHING_TO_RETRY and "(3/3)" in refused.value.detail


def test_every_video_failed_ends_failed_with_the_reason_in_the_summary(fake):
    batch_id, refs = started_batch(fake, videos=2)
    for ref in refs:
        fail(fake, ref)
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "failed"
    batch = fake.ctx.batches.get(batch_id)
    assert batch.error_message == "Every video failed (2 of 2)"
    assert batch.summary["outcome"] == "failed" and len(batch.summary["failures"]) == 2
    report = fake.storage.get_json(fake.ctx.config.media_bucket, object_keys.report_key(batch_id))
    assert report["error_message"] == "Every video failed (2 of 2)"


def test_mixed_results_end_completed_with_the_failures_listed(fake):
    batch_id, refs = started_batch(fake, videos=2)
    finish(fake, refs[0])
    fail(fake, refs[1])
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "completed"
    summary = fake.ctx.batches.get(batch_id).summary
    assert summary["outcome"] == "completed" and summary["error_message"] is None
    assert [f["position"] for f in summary["failures"]] == [2]


def test_delete_removes_records_and_every_object_the_batch_owns(fake):
    batch_id, refs = started_batch(fake, videos=2)
    with pytest.raises(Conflict) as refused:
        controls.delete_batch(fake.ctx, ALICE, batch_id)
    assert refused.value.title == STILL_ACTIVE and refused.value.http_status == 409
    for ref in refs:
        finish(fake, ref)
    lifecycle.complete_batch(fake.ctx, batch_id)
    uploads = [fake.ctx.videos.get(r.video_id).s3_key for r in refs]
    for key in uploads:
        fake.storage.put_bytes(fake.ctx.config.ingest_bucket, key, b"v")
    put(fake, object_keys.output_key(batch_id, 1, "a.mp4", "mp4"))
    put(fake, f"exports/{batch_id}/all.zip")
    put(fake, "outputs/another-batch/001_a.mp4")

    deletion = controls.delete_batch(fake.ctx, ALICE, batch_id)

    assert deletion.removed_videos == 2
    assert fake.ctx.batches.get(batch_id) is None and fake.ctx.batch_videos.of_batch(batch_id) == []
    assert all(fake.ctx.videos.get(r.video_id) is None for r in refs)
    assert fake.storage.keys(fake.ctx.config.ingest_bucket) == []
    assert fake.storage.keys(fake.ctx.config.media_bucket) == ["outputs/another-batch/001_a.mp4"]
    with pytest.raises(NotFound):
        controls.delete_batch(fake.ctx, ALICE, batch_id)


def test_another_users_batch_is_not_found_for_every_control(fake):
    batch_id, _ = started_batch(fake)
    bob = Caller("bob", ALICE.tier)
    for use_case in (
        controls.pause_batch,
        controls.resume_batch,
        controls.cancel_batch,
        controls.delete_batch,
    ):
        with pytest.raises(NotFound):
            use_case(fake.ctx, bob, batch_id)
    with pytest.raises(NotFound):
        controls.retry_failed(fake.ctx, bob, batch_id)
    assert fake.ctx.batches.get(batch_id).status is B.PROCESSING


@pytest.mark.parametrize("control", ["pause", "cancel"])
def test_of_two_concurrent_requests_exactly_one_wins(fake, control):
    batch_id, _ = started_batch(fake, videos=3)
    use_case = {"pause": controls.pause_batch, "cancel": controls.cancel_batch}[control]
    barrier, outcomes = threading.Barrier(8), []

    def attempt() -> None:
        barrier.wait()
        try:
            use_case(fake.ctx, ALICE, batch_id)
            outcomes.append("won")
        except InvalidRequest as refused:
            outcomes.append(refused.title)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1, outcomes
    if control == "cancel":
        assert fake.ctx.batches.get(batch_id).cancelled_videos == 3


def test_a_stale_read_loses_with_the_seeds_message(fake):
    """The status check passed on a stale copy; the conditional write refuses with the same message."""
    batch_id, _ = started_batch(fake)
    stale = fake.ctx.batches.get(batch_id)
    fake.ctx.batches.transition(stale, BatchAction.COMPLETE, fake.clock())
    with pytest.raises(InvalidRequest) as refused:
        controls._transition(fake.ctx, controls.Control.PAUSE, stale, BatchAction.PAUSE)
    assert refused.value.title == NOT_RUNNING and "'completed'" in refused.value.detail


# ---- the routes ------------------------------------------------------------------------------------


def test_the_control_routes_answer_with_the_seeds_statuses_and_texts(fake, call):
    batch_id, refs = started_batch(fake, videos=2)
    base = f"/api/batch-jobs/{batch_id}"
    assert call("POST", f"{base}/resume") == (
        400,
        {"error": NOT_PAUSED, "detail": "Batch status is 'processing'; only a paused batch can be resumed"},
    )
    status, paused = call("POST", f"{base}/pause")
    assert status == 200 and paused["status"] == "paused"
    assert call("POST", f"{base}/pause")[1]["error"] == NOT_RUNNING
    assert call("POST", f"{base}/pause", user="bob")[0] == 404
    assert call("POST", f"{base}/resume")[1]["status"] == "processing"
    assert call("DELETE", base) == (
        409,
        {
            "error": STILL_ACTIVE,
            "detail": "Batch status is 'processing'; cancel it or wait for it to finish before deleting it",
        },
    )
    status, reply = call("POST", f"{base}/retry-failed")
    assert status == 400 and reply["error"] == NOTHING_TO_RETRY
    finish(fake, refs[0])
    fail(fake, refs[1])
    lifecycle.complete_batch(fake.ctx, batch_id)
    assert call("POST", f"{base}/retry-failed", {"video_ids": []})[0] == 400
    assert call("POST", f"{base}/retry-failed", {"video_ids": "x"})[0] == 422
    status, retried = call("POST", f"{base}/retry-failed", {"video_ids": [refs[1].video_id]})
    assert status == 200 and retried["execution_name"] == f"{batch_id}-run2"
    status, cancelled = call("POST", f"{base}/cancel")
    assert status == 200 and cancelled["batch_job"]["cancelled_videos"] == 1
    assert call("POST", f"{base}/cancel")[1]["error"] == ALREADY_FINISHED
    assert call("DELETE", base, user="bob")[0] == 404
    assert call("DELETE", base) == (204, None)
    assert call("GET", base)[0] == 404


def test_retry_failed_without_a_body(fake, call):
    batch_id, refs = started_batch(fake, videos=1)
    fail(fake, refs[0])
    lifecycle.complete_batch(fake.ctx, batch_id)
    status, retried = call("POST", f"/api/batch-jobs/{batch_id}/retry-failed")
    assert status == 200 and retried["retried_video_ids"] == [refs[0].video_id]


def test_a_parked_token_whose_send_fails_stays_parked_and_is_sent_later(fake, monkeypatch):
    """Deleted only after its send succeeds: a throttled send keeps it for the next release."""
    from functions.domain.errors import TaskNotAwaited
    from functions.services.parked_tokens import release_parked

    batch_id, refs = started_batch(fake, videos=3)
    controls.pause_batch(fake.ctx, ALICE, batch_id)
    for ref, token in zip(refs, ("t-ok", "t-throttled", "t-gone"), strict=True):
        lifecycle.park_until_resumed(fake.ctx, ref, token)
    send = fake.workflow.send_success

    def flaky(token: str, output: dict[str, Any]) -> None:
        if token == "t-throttled":
            raise ConnectionError("Rate exceeded")
        if token == "t-gone":
            raise TaskNotAwaited(token)
        send(token, output)

    monkeypatch.setattr(fake.workflow, "send_success", flaky)
    controls.resume_batch(fake.ctx, ALICE, batch_id)
    assert [t for t, _ in fake.workflow.successes] == ["t-ok"]
    assert [p.token for p in fake.ctx.task_tokens.parked(batch_id)] == ["t-throttled"]  # kept, not lost
    monkeypatch.setattr(fake.workflow, "send_success", send)
    assert release_parked(fake.ctx, batch_id) == 1
    assert sorted(t for t, _ in fake.workflow.successes) == ["t-ok", "t-throttled"]
    assert fake.ctx.task_tokens.parked(batch_id) == []


def test_a_cancel_whose_execution_stop_fails_still_answers_and_leaves_the_batch_consistent(fake, monkeypatch):
    """The cancel is committed before the stop: a failing StopExecution (a race with the execution's
    start, throttling) is logged, the videos are still cancelled and parked tokens sent back."""
    batch_id, refs = started_batch(fake, videos=2)
    lifecycle.begin_video(fake.ctx, refs[0])
    lifecycle.park_until_resumed(fake.ctx, refs[1], "token-2")

    def failing_stop(execution_arn: str, error: str, cause: str) -> bool:
        raise RuntimeError("StopExecution failed")

    monkeypatch.setattr(fake.workflow, "stop", failing_stop)
    cancelled = controls.cancel_batch(fake.ctx, ALICE, batch_id)

    assert (cancelled.batch_job.status, cancelled.execution_stopped) == (B.CANCELLED, False)
    assert cancelled.cancelled_video_ids == [refs[0].video_id, refs[1].video_id]
    batch = fake.ctx.batches.get(batch_id)
    assert (batch.cancelled_videos, batch.finished_videos) == (2, 2)
    assert fake.workflow.successes == [("token-2", {"resumed": True})]  # the gate then says stop
    assert lifecycle.check_gate(fake.ctx, refs[1]).action == "stop"
