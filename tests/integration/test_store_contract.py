"""The in-memory fakes and the DynamoDB stores obey the same rules: each scenario runs on both."""

import uuid
from datetime import timedelta

import pytest

from functions.domain.batch_listing import InvalidPageToken, order_batches
from functions.domain.enums import BatchStatus, Tier, UploadStatus, VideoStatus
from functions.domain.errors import Conflict, IllegalTransition, MembershipConflict
from functions.domain.models import BatchJob, BatchVideo, TranscriptionJob, Video
from functions.domain.transitions import BatchAction, VideoAction
from functions.services.context import Services
from tests.fakes.container import fake_services


@pytest.fixture(params=["fake", "dynamodb"])
def stores(request: pytest.FixtureRequest, tmp_path) -> Services:
    if request.param == "fake":
        return fake_services(tmp_path).ctx
    return request.getfixturevalue("ctx")


def new_batch(ctx: Services, now, videos: int = 2, **fields) -> tuple[BatchJob, list[BatchVideo]]:
    user = f"contract-{uuid.uuid4().hex[:8]}"
    batch = BatchJob(user_id=user, name="c", created_at=now, updated_at=now, total_videos=videos, **fields)
    members = []
    for position in range(1, videos + 1):
        video = Video(
            user_id=user, original_name="v.mp4", s3_key=f"u/{user}/{position}", created_at=now, updated_at=now
        )
        ctx.videos.put_many([video])
        members.append(
            BatchVideo(
                batch_job_id=batch.id, video_id=video.id, position=position, created_at=now, updated_at=now
            )
        )
    ctx.batches.create(batch, list(reversed(members)))
    return batch, members


def test_members_come_back_in_position_order_and_once(stores, now):
    batch, members = new_batch(stores, now, videos=3)
    assert [m.position for m in stores.batch_videos.of_batch(batch.id)] == [1, 2, 3]
    with pytest.raises(MembershipConflict):
        stores.batches.add_videos(batch, [members[0].model_copy(update={"position": 4})], now)
    with pytest.raises(Conflict):
        stores.batches.create(batch.model_copy(update={"id": "x" + batch.id}), [members[0], members[0]])
    assert stores.batches.get(batch.id).total_videos == 3


def test_the_stored_status_decides_a_transition(stores, now):
    batch, members = new_batch(stores, now, videos=1)
    stale = batch.model_copy()
    stores.batches.transition(batch, BatchAction.START, now)
    stores.batches.transition(batch, BatchAction.COMPLETE, now, set_fields={"completed_at": now})
    with pytest.raises(IllegalTransition) as error:
        stores.batches.transition(stale, BatchAction.START, now)
    assert error.value.current == BatchStatus.COMPLETED
    assert stores.batches.get(batch.id).completed_at == now
    with pytest.raises(IllegalTransition) as video_error:
        stores.batch_videos.transition(batch.id, members[0].video_id, VideoAction.COMPLETE, now)
    assert video_error.value.current == VideoStatus.UPLOADING


def test_counters_are_exact_and_a_redelivery_counts_once(stores, now):
    """(Concurrency on DynamoDB itself is test_repository's job; moto's server does not lock items.)"""
    batch, members = new_batch(stores, now, videos=4)
    for m in members:
        stores.batch_videos.transition(batch.id, m.video_id, VideoAction.MARK_UPLOADED, now)
        stores.batch_videos.transition(batch.id, m.video_id, VideoAction.START, now)
    counters = {"completed_videos": 1, "processed_duration_seconds": 0.5}
    for m in members:
        stores.batch_videos.transition(batch.id, m.video_id, VideoAction.COMPLETE, now, batch_add=counters)
        with pytest.raises(IllegalTransition):  # the redelivery loses and counts nothing
            stores.batch_videos.transition(
                batch.id, m.video_id, VideoAction.COMPLETE, now, batch_add=counters
            )
    stored = stores.batches.get(batch.id)
    assert stored.completed_videos == 4 and stored.processed_duration_seconds == pytest.approx(2.0)


def test_updates_set_nested_fields_remove_none_and_respect_only_if(stores, now):
    batch, members = new_batch(stores, now, videos=1)
    vid = members[0].video_id
    assert stores.batch_videos.update(batch.id, vid, now, set_fields={"processing_result": {"timings": {}}})
    assert stores.batch_videos.update(
        batch.id, vid, now, set_fields={"processing_result.timings.probe": 1.5, "error_message": "x"}
    )
    assert stores.batch_videos.update(batch.id, vid, now, set_fields={"error_message": None})
    assert not stores.batch_videos.update(
        batch.id, vid, now, set_fields={"retry_count": 1}, only_if=VideoStatus.PROCESSING
    )
    stored = stores.batch_videos.get(batch.id, vid)
    assert stored.processing_result == {"timings": {"probe": 1.5}} and stored.error_message is None
    assert stored.retry_count == 0


def test_queue_order_quota_tokens_probe_and_jobs(stores, now):
    low, _ = new_batch(stores, now, videos=0, priority=5)
    pro, _ = new_batch(stores, now + timedelta(seconds=1), videos=0, priority=5, tier=Tier.PRO)
    for batch in (low, pro):
        stores.batches.transition(batch, BatchAction.ENQUEUE, now)
    queued = [b.id for b in stores.batches.list_by_status(BatchStatus.QUEUED) if b.id in {low.id, pro.id}]
    assert queued == [pro.id, low.id]

    user = f"q-{uuid.uuid4().hex[:6]}"
    assert [stores.users.consume_creation_quota(user, "w", 2, 0) for _ in range(3)] == [1, 2, None]

    assert stores.task_tokens.park(low.id, "v", "t1", now) is False  # queued, not paused
    stores.batches.transition(low, BatchAction.LAUNCH, now)
    stores.batches.transition(low, BatchAction.PAUSE, now)
    assert stores.task_tokens.park(low.id, "v", "t1", now) is True
    assert stores.task_tokens.take_all(low.id) == ["t1"] and stores.task_tokens.take_all(low.id) == []

    video = Video(user_id=user, original_name="a.mp4", s3_key="k", created_at=now, updated_at=now)
    stores.videos.put_many([video])
    probed = stores.videos.record_probe(
        video.id, {"status": UploadStatus.UPLOADED.value, "duration": 2.0}, now
    )
    assert probed is not None and probed.duration == 2.0
    assert stores.videos.record_probe(video.id, {"duration": 9.0}, now) is None

    job = TranscriptionJob(job_name=f"j-{user}", batch_id=low.id, video_id="v", token="t", expires_at=now)
    stores.transcription_jobs.park(job)
    assert stores.transcription_jobs.take(job.job_name) == job
    assert stores.transcription_jobs.take(job.job_name) is None


def _listing_fixture(ctx: Services, now) -> tuple[str, list[BatchJob]]:
    """Seven batches of one user: priorities with ties, four statuses, one minute apart."""
    user = f"pages-{uuid.uuid4().hex[:8]}"
    batches = []
    for i, priority in enumerate([5, 9, 5, 0, 9, 5, 10]):
        batch = BatchJob(
            user_id=user,
            name=f"b{i}",
            priority=priority,
            created_at=now + timedelta(minutes=i),
            updated_at=now,
        )
        ctx.batches.create(batch, [])
        if i % 4 >= 1:
            batch = ctx.batches.transition(batch, BatchAction.START, now)
        if i % 4 == 2:
            batch = ctx.batches.transition(batch, BatchAction.COMPLETE, now)
        if i % 4 == 3:
            batch = ctx.batches.transition(batch, BatchAction.PAUSE, now)
        batches.append(batch)
    return user, batches


@pytest.mark.parametrize("sort", ["created_at", "priority", "status"])
def test_pages_follow_the_listing_order_by_token_and_by_offset(stores, now, sort):
    user, batches = _listing_fixture(stores, now)
    for status in (None, BatchStatus.PROCESSING):
        expected = [b.id for b in order_batches([b for b in batches if status in (None, b.status)], sort)]
        seen, token, pages = [], None, 0
        while True:
            page = stores.batches.page_for_user(user, status, sort, 2, after=token)
            seen += [b.id for b in page.items]
            pages += 1
            token = page.next_token
            if token is None:
                break
        assert seen == expected and pages == max(1, -(-len(expected) // 2))  # no empty last page
        assert stores.batches.count_for_user(user, status) == len(expected)
        skipped = stores.batches.page_for_user(user, status, sort, 2, skip=1)
        assert [b.id for b in skipped.items] == expected[1:3]
    first = stores.batches.page_for_user(user, None, sort, 3)
    assert first.next_token is not None
    other_sort = "priority" if sort != "priority" else "created_at"
    for bad in (first.next_token[:-3] + "xyz", "not-a-token", first.next_token):
        with pytest.raises(InvalidPageToken):
            stores.batches.page_for_user(user, None, other_sort, 3, after=bad)
    stranger, _ = _listing_fixture(stores, now)
    with pytest.raises(InvalidPageToken):  # a token of another user's listing reads nothing of theirs
        stores.batches.page_for_user(stranger, None, sort, 3, after=first.next_token)


def test_a_batch_is_read_with_its_videos_in_position_order(stores, now):
    batch, _ = new_batch(stores, now, videos=3)
    found = stores.batches.get_with_videos(batch.id)
    assert found is not None
    assert found[0] == stores.batches.get(batch.id)
    assert [m.position for m in found[1]] == [1, 2, 3]
    assert [m.position for m in stores.batch_videos.of_batch(batch.id)] == [1, 2, 3]
    assert stores.batches.get_with_videos("no-such-batch") is None
    videos = stores.videos.get_many([m.video_id for m in found[1]] + ["missing"])
    assert set(videos) == {m.video_id for m in found[1]}
