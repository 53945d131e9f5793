"""The state machine's bookkeeping tasks on in-memory fakes: prepare, gate, park, begin, finish, fail,
complete and fail the batch. Each is idempotent: a redelivered task changes nothing."""

import json

import pytest

from functions.domain import object_keys
from functions.domain.enums import BatchStatus, Tier, VideoStatus
from functions.domain.errors import IllegalTransition
from functions.domain.pipeline_contract import FailureDecision, TaskError, VideoRef
from functions.domain.schemas import BatchJobCreate
from functions.domain.transitions import BatchAction, VideoAction
from functions.services import batch_lifecycle as lifecycle
from functions.services import batches
from functions.services.batches import Caller
from tests.fakes.container import FakeServices
from tests.unit.test_batch_use_cases import mark_uploaded


def started_batch(
    fake: FakeServices, videos: int = 2, tier: Tier = Tier.CREATOR
) -> tuple[str, list[VideoRef]]:
    caller = Caller("alice", tier)
    created = batches.create_batch(fake.ctx, caller, BatchJobCreate(name="b", video_count=videos))
    for upload in created.uploads:
        mark_uploaded(fake, upload.video_id, duration=10.0)
    batch_id = created.batch_job.id
    batches.start_batch(fake.ctx, caller, batch_id)
    refs = [VideoRef(batch_id=batch_id, video_id=u.video_id, position=u.position) for u in created.uploads]
    return batch_id, refs


def status_of(fake: FakeServices, ref: VideoRef) -> VideoStatus:
    return fake.ctx.batch_videos.get(ref.batch_id, ref.video_id).status


def test_prepare_lists_waiting_videos_and_the_plans_concurrency(fake):
    batch_id, refs = started_batch(fake, videos=3, tier=Tier.PRO)
    prepared = lifecycle.prepare_batch(fake.ctx, batch_id)
    assert [item.video_id for item in prepared.videos] == [r.video_id for r in refs]
    assert prepared.max_concurrency == 5


def test_the_gate_runs_waits_and_stops(fake):
    batch_id, refs = started_batch(fake)
    assert lifecycle.check_gate(fake.ctx, refs[0]).action == "run"
    batch = fake.ctx.batches.get(batch_id)
    paused = fake.ctx.batches.transition(batch, BatchAction.PAUSE, fake.clock())
    assert lifecycle.check_gate(fake.ctx, refs[0]).action == "wait"
    fake.ctx.batches.transition(paused, BatchAction.CANCEL, fake.clock())
    assert lifecycle.check_gate(fake.ctx, refs[0]).action == "stop"
    assert lifecycle.check_gate(fake.ctx, VideoRef(batch_id=batch_id, video_id="nope")).action == "stop"


def test_a_token_is_parked_only_while_paused(fake):
    batch_id, refs = started_batch(fake)
    lifecycle.park_until_resumed(fake.ctx, refs[0], "t-running")
    assert fake.workflow.successes == [("t-running", {"resumed": True})]  # not paused: answered at once
    fake.ctx.batches.transition(fake.ctx.batches.get(batch_id), BatchAction.PAUSE, fake.clock())
    lifecycle.park_until_resumed(fake.ctx, refs[1], "t-paused")
    assert len(fake.workflow.successes) == 1
    assert [p.token for p in fake.ctx.task_tokens.parked(batch_id)] == ["t-paused"]


def test_begin_then_finish_counts_once_even_when_redelivered(fake):
    batch_id, refs = started_batch(fake)
    assert lifecycle.begin_video(fake.ctx, refs[0]).attempt == 1
    assert lifecycle.begin_video(fake.ctx, refs[0]).attempt == 1  # a redelivered begin is harmless
    assert status_of(fake, refs[0]) is VideoStatus.PROCESSING
    lifecycle.record_stage_result(fake.ctx, refs[0], "probe", {"duration": 10.0}, 2.5)
    assert lifecycle.finish_video(fake.ctx, refs[0]).status == "completed"
    assert lifecycle.finish_video(fake.ctx, refs[0]).status == "completed"  # already completed
    batch = fake.ctx.batches.get(batch_id)
    assert batch.completed_videos == 1
    assert batch.processed_duration_seconds == 10.0 and batch.processing_seconds == 2.5
    assert batch.estimated_time_remaining is not None and batch.estimated_time_remaining > 0
    video = fake.ctx.batch_videos.get(batch_id, refs[0].video_id)
    assert video.progress_percentage == 100 and video.processing_result["timings"] == {"probe": 2.5}


def test_a_failure_is_retried_with_backoff_then_given_up(fake):
    batch_id, refs = started_batch(fake)
    lifecycle.begin_video(fake.ctx, refs[0])
    error = TaskError(error="MediaProcessingError", cause=json.dumps({"errorMessage": "ffmpeg crashed"}))
    waits = [lifecycle.handle_failure(fake.ctx, refs[0], error, [1, 5]) for _ in range(3)]
    assert [(w.retry, w.wait_seconds) for w in waits] == [(True, 1), (True, 5), (True, 5)]
    given_up = lifecycle.handle_failure(fake.ctx, refs[0], error, [1, 5])
    assert given_up.retry is False and given_up.error_type == "MediaProcessingError"
    video = fake.ctx.batch_videos.get(batch_id, refs[0].video_id)
    assert (
        video.status is VideoStatus.FAILED
        and video.error_message == "ffmpeg crashed (gave up after 3 retries)"
    )
    lifecycle.handle_failure(fake.ctx, refs[0], error, [1, 5])  # redelivered: counted once
    assert fake.ctx.batches.get(batch_id).failed_videos == 1


def test_invalid_media_is_never_retried(fake):
    batch_id, refs = started_batch(fake)
    lifecycle.begin_video(fake.ctx, refs[0])
    outcome = lifecycle.handle_failure(
        fake.ctx, refs[0], TaskError.model_validate({"Error": "InvalidMediaError", "Cause": "bad"}), [1]
    )
    assert outcome == FailureDecision(retry=False, wait_seconds=0, error_type="InvalidMediaError")
    assert fake.ctx.batch_videos.get(batch_id, refs[0].video_id).error_message == "bad"


def test_complete_writes_the_report_and_completes_once(fake):
    batch_id, refs = started_batch(fake)
    for ref in refs:
        lifecycle.begin_video(fake.ctx, ref)
        lifecycle.finish_video(fake.ctx, ref)
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "completed"
    report = fake.storage.get_json(fake.ctx.config.media_bucket, object_keys.report_key(batch_id))
    assert report["counts"]["completed"] == 2
    done = fake.ctx.batches.get(batch_id)
    assert done.status is BatchStatus.COMPLETED and done.summary["report_key"] == object_keys.report_key(
        batch_id
    )
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "completed"


def test_the_estimate_is_written_while_videos_are_left_and_the_end_sets_it_to_zero(fake, monkeypatch):
    batch_id, refs = started_batch(fake, videos=3)
    estimates: list[object] = []
    update = fake.ctx.batches.update

    def recorded(batch_id: str, now, **kwargs):
        estimates.append((kwargs.get("set_fields") or {}).get("estimated_time_remaining", "-"))
        return update(batch_id, now, **kwargs)

    monkeypatch.setattr(fake.ctx.batches, "update", recorded)
    for ref in refs:
        lifecycle.begin_video(fake.ctx, ref)
        lifecycle.finish_video(fake.ctx, ref)
    assert len(estimates) == 2  # after the first and the second: none after the last (nothing left)
    lifecycle.complete_batch(fake.ctx, batch_id)
    assert fake.ctx.batches.get(batch_id).estimated_time_remaining == 0


def test_complete_fails_a_video_whose_failure_was_not_recorded_and_the_others_decide(fake):
    """The Map has ended with a video still processing (its failure could not be written): that video
    fails alone, counted once, and the batch completes on the one that finished."""
    batch_id, refs = started_batch(fake)
    for ref in refs:
        lifecycle.begin_video(fake.ctx, ref)
    lifecycle.finish_video(fake.ctx, refs[0])
    assert lifecycle.complete_batch(fake.ctx, batch_id).status == "completed"
    assert [status_of(fake, r) for r in refs] == [VideoStatus.COMPLETED, VideoStatus.FAILED]
    batch = fake.ctx.batches.get(batch_id)
    assert (batch.completed_videos, batch.failed_videos) == (1, 1)
    assert batch.summary["counts"]["failed"] == 1
    assert fake.ctx.batch_videos.get(batch_id, refs[1].video_id).error_message == lifecycle.UNRECORDED_FAILURE


def test_fail_batch_fails_what_is_left_and_counts_it(fake):
    batch_id, refs = started_batch(fake, videos=3)
    lifecycle.begin_video(fake.ctx, refs[0])
    lifecycle.finish_video(fake.ctx, refs[0])
    outcome = lifecycle.fail_batch(
        fake.ctx, batch_id, TaskError.model_validate({"Error": "States.Runtime", "Cause": "boom"})
    )
    assert outcome.status == "failed"
    batch = fake.ctx.batches.get(batch_id)
    assert batch.status is BatchStatus.FAILED and batch.error_message == "boom"
    assert (batch.completed_videos, batch.failed_videos) == (1, 2)
    assert [status_of(fake, r) for r in refs] == [
        VideoStatus.COMPLETED,
        VideoStatus.FAILED,
        VideoStatus.FAILED,
    ]
    assert (
        lifecycle.fail_batch(fake.ctx, batch_id, TaskError.model_validate({"Error": "again"})).status
        == "failed"
    )
    assert fake.ctx.batches.get(batch_id).failed_videos == 2


def test_the_fake_rejects_illegal_moves_as_dynamodb_does(fake):
    batch_id, refs = started_batch(fake)
    stale = fake.ctx.batches.get(batch_id)
    fake.ctx.batches.transition(stale, BatchAction.COMPLETE, fake.clock())
    with pytest.raises(IllegalTransition) as error:
        fake.ctx.batches.transition(stale, BatchAction.PAUSE, fake.clock())  # the copy still says processing
    assert error.value.current == BatchStatus.COMPLETED
    with pytest.raises(IllegalTransition):
        fake.ctx.batch_videos.transition(batch_id, refs[0].video_id, VideoAction.COMPLETE, fake.clock())
