"""The in-memory fakes and the DynamoDB stores obey the same rules: each scenario runs on both."""

import threading
import uuid
from datetime import timedelta

import pytest

from functions.domain.batch_control import ParkedToken
from functions.domain.batch_listing import InvalidPageToken, order_batches
from functions.domain.enums import BatchStatus, Stage, Tier, UploadStatus, VideoStatus
from functions.domain.errors import Conflict, IllegalTransition, MembershipConflict, TransactionTooLarge
from functions.domain.models import BatchJob, BatchVideo, TranscriptionJob, Video
from functions.domain.transitions import BatchAction, VideoAction
from functions.services.context import Services
from tests.fakes.container import fake_services


@pytest.fixture(params=["fake", "dynamodb"])
def stores(request: pytest.FixtureRequest, tmp_path, local_cloud) -> Services:
    # `local_cloud` named here, not only fetched below: the session stops it after the last test that
    # names it, so a test that reached it dynamically would find it stopped
    if request.param == "fake":
        return fake_services(tmp_path).ctx
    return request.getfixturevalue("ctx")


def new_batch(
    ctx: Services, now, videos: int = 2, user: str | None = None, **fields
) -> tuple[BatchJob, list[BatchVideo]]:
    user = user or f"contract-{uuid.uuid4().hex[:8]}"
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


def test_rendered_parts_count_once_and_the_bar_only_rises_while_processing(stores, now):
    batch, members = new_batch(stores, now, videos=1)
    vid = members[0].video_id
    bar = stores.batch_videos.raise_progress
    assert stores.batch_videos.add_rendered_part(batch.id, vid, 0, now) is None  # not processing yet
    assert not bar(batch.id, vid, now, 30, Stage.EXPORTING, None)
    stores.batch_videos.transition(batch.id, vid, VideoAction.MARK_UPLOADED, now)
    stores.batch_videos.transition(batch.id, vid, VideoAction.START, now)
    for index in (2, 0, 2):  # a part recorded twice (a retried task) counts once
        after = stores.batch_videos.add_rendered_part(batch.id, vid, index, now)
    assert after is not None and sorted(after.rendered_parts) == [0, 2]
    assert sorted(stores.batch_videos.get(batch.id, vid).rendered_parts) == [0, 2]

    assert bar(batch.id, vid, now, 30, Stage.EXPORTING, None)
    assert not bar(batch.id, vid, now, 30, Stage.EXPORTING, None)  # not higher
    assert not bar(batch.id, vid, now, 25, Stage.EXPORTING, None)  # never back
    written = now.timestamp()
    assert not bar(batch.id, vid, now, 40, Stage.EXPORTING, written - 3)  # a part moved it since then
    assert bar(batch.id, vid, now + timedelta(seconds=3), 40, Stage.EXPORTING, written)
    stored = stores.batch_videos.get(batch.id, vid)
    assert stored.progress_percentage == 40 and stored.current_stage is Stage.EXPORTING
    assert stored.progress_written_at == pytest.approx(written + 3)

    # a retry starts over: the set and the throttle are removed
    assert stores.batch_videos.update(
        batch.id, vid, now, set_fields={"rendered_parts": None, "progress_written_at": None}
    )
    stored = stores.batch_videos.get(batch.id, vid)
    assert stored.rendered_parts is None and stored.progress_written_at is None
    assert sorted(stores.batch_videos.add_rendered_part(batch.id, vid, 1, now).rendered_parts) == [1]
    stores.batch_videos.transition(batch.id, vid, VideoAction.CANCEL, now)
    assert stores.batch_videos.add_rendered_part(batch.id, vid, 3, now) is None
    assert not bar(batch.id, vid, now, 90, Stage.EXPORTING, None)


def test_queue_order_quota_tokens_probe_and_jobs(stores, now):
    low, _ = new_batch(stores, now, videos=0, priority=5)
    pro, _ = new_batch(stores, now + timedelta(seconds=1), videos=0, priority=5, tier=Tier.PRO)
    for batch in (low, pro):
        stores.batches.transition(batch, BatchAction.ENQUEUE, now)
    queued = [b.id for b in stores.batches.list_by_status(BatchStatus.QUEUED) if b.id in {low.id, pro.id}]
    assert queued == [pro.id, low.id]
    stores.batches.update(low.id, now, set_fields={"priority": 10})  # a new priority moves it in the queue
    queued = [b.id for b in stores.batches.list_by_status(BatchStatus.QUEUED) if b.id in {low.id, pro.id}]
    assert queued == [low.id, pro.id]

    user = f"q-{uuid.uuid4().hex[:6]}"
    assert [stores.users.consume_creation_quota(user, "w", 2, 0) for _ in range(3)] == [1, 2, None]

    assert stores.task_tokens.park(low.id, "v", "t0", now) is True  # queued: the gate waits for a slot
    (parked,) = stores.task_tokens.parked(low.id)
    assert parked == ParkedToken(low.id, "v", "t0")
    assert stores.task_tokens.remove(parked) is True and stores.task_tokens.remove(parked) is False
    stores.batches.transition(low, BatchAction.LAUNCH, now)
    assert stores.task_tokens.park(low.id, "v", "t1", now) is False  # processing: answered at once
    stores.batches.transition(low, BatchAction.PAUSE, now)
    assert stores.task_tokens.park(low.id, "v", "t1", now) is True
    assert stores.task_tokens.park(low.id, "v", "t2", now) is True  # parked again: the newest token
    assert stores.task_tokens.remove(ParkedToken(low.id, "v", "t1")) is False  # never a newer token
    assert [p.token for p in stores.task_tokens.parked(low.id)] == ["t2"]
    assert stores.task_tokens.drop_all(low.id) == 1 and stores.task_tokens.parked(low.id) == []

    video = Video(user_id=user, original_name="a.mp4", s3_key="k", created_at=now, updated_at=now)
    stores.videos.put_many([video])
    probed = stores.videos.record_probe(
        video.id, '"e1"', {"status": UploadStatus.UPLOADED.value, "duration": 2.0}, now
    )
    assert probed is not None and probed.duration == 2.0 and probed.probe_count == 1
    assert stores.videos.record_probe(video.id, '"e1"', {"duration": 9.0}, now) is None
    replaced = stores.videos.record_probe(video.id, '"e2"', {"duration": 3.0}, now)
    assert replaced is not None and replaced.duration == 3.0 and replaced.probe_count == 2
    assert replaced.etag == '"e2"'
    assert stores.videos.record_probe("no-such-video", '"e1"', {"duration": 1.0}, now) is None
    declared = stores.videos.set_upload(video.id, now, {"size": 42, "upload_id": "u1"})
    assert declared.size == 42 and declared.upload_id == "u1" and declared.duration == 3.0

    job = TranscriptionJob(job_name=f"j-{user}", batch_id=low.id, video_id="v", token="t", expires_at=now)
    stores.transcription_jobs.park(job)
    assert stores.transcription_jobs.get(job.job_name) == job
    assert stores.transcription_jobs.get(job.job_name) == job  # reading leaves it for a retry
    stores.transcription_jobs.remove(job.job_name)
    assert stores.transcription_jobs.get(job.job_name) is None


def test_an_identical_export_request_claims_one_export_until_it_fails_or_expires(stores, now):
    from functions.domain.exports import BatchExport, ExportRequest, ExportStatus

    batch, _ = new_batch(stores, now, videos=1)
    request = ExportRequest(format="zip")
    first = BatchExport.create("e1-" + batch.id, batch.id, batch.user_id, request, now)
    second = BatchExport.create("e2-" + batch.id, batch.id, batch.user_id, request, now)
    assert stores.exports.claim(first, now).id == first.id
    assert stores.exports.claim(second, now).id == first.id  # the conditional put lost: the first answers
    assert [e.id for e in stores.exports.of_batch(batch.id)] == [first.id]
    assert stores.exports.update(
        batch.id, first.id, now, set_fields={"status": ExportStatus.FAILED}, only_if=[ExportStatus.PENDING]
    )
    assert not stores.exports.update(
        batch.id, first.id, now, set_fields={"progress": 5}, only_if=[ExportStatus.PENDING]
    )
    stores.exports.release(stores.exports.get(batch.id, first.id))
    assert stores.exports.claim(second, now).id == second.id  # a failed export is not reused
    later = now + timedelta(hours=24)
    third = BatchExport.create("e3-" + batch.id, batch.id, batch.user_id, request, later)
    assert stores.exports.claim(third, later).id == third.id  # nor an expired one
    assert {e.id for e in stores.exports.of_batch(batch.id)} == {first.id, second.id, third.id}


def test_running_slots_move_with_the_status_and_caps_hold(stores, now):
    from functions.domain.slots import NoRunningSlot, SlotLimits

    first, _ = new_batch(stores, now, videos=1, tier=Tier.FREE)
    user = first.user_id
    second, _ = new_batch(stores, now, videos=1, user=user, tier=Tier.FREE)
    before = stores.batches.slot_counts([user]).global_running
    limits = SlotLimits(user_limit=1, global_cap=before + 5)
    for batch in (first, second):
        stores.batches.transition(batch, BatchAction.ENQUEUE, now)
    admitted = stores.batches.transition(first, BatchAction.LAUNCH, now, slots=limits)
    assert admitted.status is BatchStatus.PROCESSING
    counts = stores.batches.slot_counts([user])
    assert counts.running_by_user == {user: 1} and counts.global_running == before + 1
    assert counts.last_admitted_at == {user: now}
    with pytest.raises(NoRunningSlot):  # the user's plan is full: nothing written
        stores.batches.transition(second, BatchAction.LAUNCH, now, slots=limits)
    assert stores.batches.get(second.id).status is BatchStatus.QUEUED
    with pytest.raises(NoRunningSlot):  # the global cap is full
        stores.batches.transition(
            second,
            BatchAction.LAUNCH,
            now,
            slots=SlotLimits(5, stores.batches.slot_counts([]).global_running),
        )
    # fail from processing frees the slot (from queued it would not): one transaction either way
    stores.batches.transition(first, BatchAction.FAIL, now)
    assert stores.batches.slot_counts([user]).running_by_user == {user: 0}
    stores.batches.transition(second, BatchAction.FAIL, now)
    counts = stores.batches.slot_counts([user])
    assert counts.running_by_user == {user: 0} and counts.global_running == before


def test_videos_in_flight_are_counted_per_batch_and_capped(stores, now):
    from functions.domain.slots import NoRunningSlot, SlotLimits

    pro, _ = new_batch(stores, now, videos=12, tier=Tier.PRO)  # runs 5 videos at once
    small, _ = new_batch(stores, now, videos=2, tier=Tier.FREE)  # runs 1
    for batch in (pro, small):
        stores.batches.transition(batch, BatchAction.ENQUEUE, now)
    before = stores.batches.slot_counts([])
    room = SlotLimits(5, before.global_running + 10, before.global_videos + 5)
    stores.batches.transition(pro, BatchAction.LAUNCH, now, slots=room)
    assert stores.batches.slot_counts([]).global_videos == before.global_videos + 5
    with pytest.raises(NoRunningSlot):  # one more video would pass the videos cap
        stores.batches.transition(small, BatchAction.LAUNCH, now, slots=room)
    assert stores.batches.get(small.id).status is BatchStatus.QUEUED
    stores.batches.transition(pro, BatchAction.COMPLETE, now)
    stores.batches.transition(small, BatchAction.LAUNCH, now, slots=room)
    assert stores.batches.slot_counts([]).global_videos == before.global_videos + 1
    stores.batches.transition(small, BatchAction.FAIL, now)
    assert stores.batches.slot_counts([]).global_videos == before.global_videos


def test_the_capacity_item_round_trips(stores, now):
    from functions.domain.capacity import DEFAULT_CAPACITY, CapacitySetting, edited

    seeded = CapacitySetting(capacity=DEFAULT_CAPACITY, deployed=DEFAULT_CAPACITY, updated_at=now)
    stores.capacity.put(seeded)
    assert stores.capacity.get() == seeded
    changed = edited(seeded, {"videos_in_flight": 40}, now)
    stores.capacity.put(changed)
    assert stores.capacity.get() == changed and changed.capacity.videos_in_flight == 40


def _race(attempt, threads: int = 8) -> list[object]:
    barrier, outcomes = threading.Barrier(threads), []

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(attempt())
        except IllegalTransition as lost:
            outcomes.append(lost)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


@pytest.mark.parametrize("action", [BatchAction.PAUSE, BatchAction.CANCEL, BatchAction.RETRY_TO_QUEUE])
def test_of_concurrent_control_transitions_exactly_one_wins(stores, now, action):
    batch, _ = new_batch(stores, now)
    batch = stores.batches.transition(batch, BatchAction.START, now)
    if action is BatchAction.RETRY_TO_QUEUE:
        batch = stores.batches.transition(batch, BatchAction.FAIL, now)
    outcomes = _race(lambda: stores.batches.transition(batch, action, now))
    winners = [o for o in outcomes if isinstance(o, BatchJob)]
    assert len(winners) == 1, outcomes
    assert all(o.current == winners[0].status for o in outcomes if isinstance(o, IllegalTransition))


def test_delete_is_conditional_won_once_and_removes_the_partition(stores, now):
    batch, members = new_batch(stores, now, videos=3)
    other, _ = new_batch(stores, now)
    terminal = (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED)
    assert stores.batches.delete(batch.id, terminal) is None  # pending: refused, nothing removed
    assert len(stores.batch_videos.of_batch(batch.id)) == 3
    batch = stores.batches.transition(batch, BatchAction.START, now)
    batch = stores.batches.transition(batch, BatchAction.PAUSE, now)
    assert stores.task_tokens.park(batch.id, members[0].video_id, "t", now) is True
    stores.batches.transition(batch, BatchAction.CANCEL, now)

    outcomes = _race(lambda: stores.batches.delete(batch.id, terminal), threads=4)
    assert [o.id for o in outcomes if isinstance(o, BatchJob)] == [batch.id]
    assert stores.batches.get(batch.id) is None and stores.batch_videos.of_batch(batch.id) == []
    assert stores.task_tokens.parked(batch.id) == []
    assert stores.batch_videos.of_video(members[0].video_id) == []
    assert len(stores.batch_videos.of_batch(other.id)) == 2  # another batch's partition is untouched
    stores.videos.delete(members[0].video_id)
    assert stores.videos.get(members[0].video_id) is None


def test_batches_created_since_a_moment_newest_first(stores, now):
    old, _ = new_batch(stores, now - timedelta(days=10), videos=1)
    user = old.user_id
    moments = [now, now + timedelta(minutes=5)]
    later = [BatchJob(user_id=user, name="c", created_at=moment, updated_at=now) for moment in moments]
    for batch in later:
        stores.batches.create(batch, [])
    found = stores.batches.list_for_user_since(user, now)
    assert [b.id for b in found] == [later[1].id, later[0].id]
    assert len(stores.batches.list_for_user_since(user, now - timedelta(days=11))) == 3


def test_membership_changes_are_conditional_on_the_count_read_and_the_limit(stores, now):
    batch, members = new_batch(stores, now, videos=3)
    user = batch.user_id
    extra = Video(user_id=user, original_name="x.mp4", s3_key=f"u/{user}/x", created_at=now, updated_at=now)
    stores.videos.put_many([extra])
    slot = BatchVideo(batch_job_id=batch.id, video_id=extra.id, position=4, created_at=now, updated_at=now)
    with pytest.raises(MembershipConflict):  # over the limit
        stores.batches.add_videos(batch, [slot], now, limit=3)
    stores.batches.add_videos(batch, [slot], now, limit=4)
    with pytest.raises(MembershipConflict):  # the count changed since `batch` was read
        stores.batches.remove_video(batch, members[0], members[1:], now)
    fresh = stores.batches.get(batch.id)
    after = stores.batch_videos.of_batch(batch.id)[1:]
    stores.batches.remove_video(fresh, members[0], after, now)
    assert [(m.video_id, m.position) for m in stores.batch_videos.of_batch(batch.id)] == [
        (members[1].video_id, 1),
        (members[2].video_id, 2),
        (extra.id, 3),
    ]
    fresh = stores.batches.get(batch.id)
    assert fresh.total_videos == 3
    current = stores.batch_videos.of_batch(batch.id)
    stores.batches.reorder(fresh, [(current[2], 1), (current[0], 3)], now)
    assert [m.video_id for m in stores.batch_videos.of_batch(batch.id)] == [
        extra.id,
        members[2].video_id,
        members[1].video_id,
    ]
    started = stores.batches.transition(stores.batches.get(batch.id), BatchAction.START, now)
    with pytest.raises(MembershipConflict):  # only a pending batch changes its members
        stores.batches.reorder(started, [(current[2], 3), (current[0], 1)], now)


def _listing_fixture(ctx: Services, now) -> tuple[str, list[BatchJob]]:
    """Seven batches of one user: priorities, names (any case) and progress with ties, four statuses,
    one minute apart."""
    user = f"pages-{uuid.uuid4().hex[:8]}"
    batches = []
    for i, priority in enumerate([5, 9, 5, 0, 9, 5, 10]):
        batch = BatchJob(
            user_id=user,
            name=["Beta", "alpha", "beta", "Gamma", "alpha", "delta", "Alpha"][i],
            priority=priority,
            total_videos=4,
            completed_videos=[4, 2, 0, 2, 1, 4, 0][i],
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


@pytest.mark.parametrize("order", [None, "asc", "desc"])
@pytest.mark.parametrize("sort", ["created_at", "priority", "status", "name", "progress"])
def test_pages_follow_the_listing_order_by_token_and_by_offset(stores, now, sort, order):
    user, batches = _listing_fixture(stores, now)
    for status in (None, BatchStatus.PROCESSING):
        matching = [b for b in batches if status in (None, b.status)]
        expected = [b.id for b in order_batches(matching, sort, order)]
        seen, token, pages = [], None, 0
        while True:
            page = stores.batches.page_for_user(user, status, sort, 2, after=token, order=order)
            seen += [b.id for b in page.items]
            pages += 1
            token = page.next_token
            if token is None:
                break
        assert seen == expected and pages == max(1, -(-len(expected) // 2))  # no empty last page
        assert stores.batches.count_for_user(user, status) == len(expected)
        skipped = stores.batches.page_for_user(user, status, sort, 2, skip=1, order=order)
        assert [b.id for b in skipped.items] == expected[1:3]
    first = stores.batches.page_for_user(user, None, sort, 3, order=order)
    assert first.next_token is not None
    other_sort = "priority" if sort != "priority" else "created_at"
    for bad in (first.next_token[:-3] + "xyz", "not-a-token", first.next_token):
        with pytest.raises(InvalidPageToken):
            stores.batches.page_for_user(user, None, other_sort, 3, after=bad, order=order)
    other_order = (
        "asc" if order_batches(batches, sort, "asc") != order_batches(batches, sort, order) else "desc"
    )
    with pytest.raises(InvalidPageToken):  # a token of the other direction resumes nothing
        stores.batches.page_for_user(user, None, sort, 3, after=first.next_token, order=other_order)
    stranger, _ = _listing_fixture(stores, now)
    with pytest.raises(InvalidPageToken):  # a token of another user's listing reads nothing of theirs
        stores.batches.page_for_user(stranger, None, sort, 3, after=first.next_token, order=order)


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


def test_an_edit_lands_only_while_the_batch_is_pending(stores, now):
    batch, _ = new_batch(stores, now, videos=1, description="draft")
    later = now + timedelta(seconds=1)
    edited = stores.batches.update_pending(batch.id, later, {"name": "renamed", "description": None})
    assert edited is not None and (edited.name, edited.description, edited.updated_at) == (
        "renamed",
        None,
        later,
    )
    assert stores.batches.get(batch.id) == edited
    stores.batches.transition(batch, BatchAction.ENQUEUE, later)
    assert stores.batches.update_pending(batch.id, later, {"name": "too late"}) is None
    stored = stores.batches.get(batch.id)
    assert (stored.name, stored.status) == ("renamed", BatchStatus.QUEUED)
    assert stores.batches.update_pending("missing-batch", later, {"name": "x"}) is None
    assert stores.batches.get("missing-batch") is None  # a conditional edit never creates an item


def test_of_concurrent_edits_and_a_start_the_start_holds_and_each_edit_lands_whole(stores, now):
    batch, _ = new_batch(stores, now, videos=1)
    results: list[BatchJob | None] = []

    def edit(n: int) -> None:
        results.append(
            stores.batches.update_pending(batch.id, now, {"name": f"n{n}", "description": f"d{n}"})
        )

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    threads.insert(
        3, threading.Thread(target=stores.batches.transition, args=(batch, BatchAction.ENQUEUE, now))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = stores.batches.get(batch.id)
    assert stored.status is BatchStatus.QUEUED
    assert stored.name == "c" or stored.name[1:] == (stored.description or "")[1:]
    landed = [r for r in results if r is not None]
    assert all(r.status is BatchStatus.PENDING for r in landed)


def test_an_archive_import_adds_more_members_than_one_transaction_holds(stores, now):
    """A drop folder's 250 videos land in chunks (TransactWriteItems takes 100 items), each pinned to
    the count the chunks before it left; a writer that read the batch before them conflicts."""
    batch, _ = new_batch(stores, now, videos=0)
    members = new_members(stores, batch, now, 250)
    stores.batches.add_videos(batch, members, now)
    assert stores.batches.get(batch.id).total_videos == 250
    assert [m.position for m in stores.batch_videos.of_batch(batch.id)] == list(range(1, 251))
    with pytest.raises(MembershipConflict):  # `batch` still says 0 videos
        stores.batches.add_videos(batch, members, now)
    assert stores.batches.get(batch.id).total_videos == 250


def new_members(ctx: Services, batch: BatchJob, now, count: int) -> list[BatchVideo]:
    """`count` new videos of the batch's user, as members at positions 1..count (not yet written)."""
    videos = [
        Video(
            user_id=batch.user_id,
            original_name="v.mp4",
            s3_key=f"k/{batch.id}/{i}",
            created_at=now,
            updated_at=now,
        )
        for i in range(count)
    ]
    ctx.videos.put_many(videos)
    return [
        BatchVideo(batch_job_id=batch.id, video_id=v.id, position=i, created_at=now, updated_at=now)
        for i, v in enumerate(videos, start=1)
    ]


def test_a_transaction_of_more_than_100_items_is_refused_whole_by_both(stores, now):
    """DynamoDB's TransactWriteItems takes at most 100 items and refuses more before reading any
    condition: the fakes refuse the same writes with the same error, and nothing is written."""
    batch, _ = new_batch(stores, now, videos=0)
    members = new_members(stores, batch, now, 120)
    stores.batches.add_videos(batch, members, now)  # in chunks: never more than a transaction holds
    batch = stores.batches.get(batch.id)
    stored = stores.batch_videos.of_batch(batch.id)
    positions = [(m.video_id, m.position) for m in stored]

    # A new batch with 100 members: 101 items.
    big = BatchJob(user_id=batch.user_id, name="big", created_at=now, updated_at=now, total_videos=100)
    fresh = [m.model_copy(update={"batch_job_id": big.id}) for m in members[:100]]
    with pytest.raises(TransactionTooLarge) as refused:
        stores.batches.create(big, fresh)
    assert refused.value.items == 101
    assert stores.batches.get(big.id) is None
    assert stores.batch_videos.of_batch(big.id) == []
    stores.batches.create(big.model_copy(update={"total_videos": 99}), fresh[:99])  # 100 items: taken

    # 100 moves (101 items), and a removal moving 99 members up (101 items).
    reversed_moves = [(member, len(stored) + 1 - member.position) for member in stored[:100]]
    with pytest.raises(TransactionTooLarge) as refused:
        stores.batches.reorder(batch, reversed_moves, now)
    assert refused.value.items == 101
    with pytest.raises(TransactionTooLarge):
        stores.batches.remove_video(batch, stored[20], stored[21:], now)
    assert [(m.video_id, m.position) for m in stores.batch_videos.of_batch(batch.id)] == positions
    assert stores.batches.get(batch.id).total_videos == 120

    # At the limit both take it: 99 moves, and a removal moving 98 members up (100 items each).
    stores.batches.reorder(batch, [(m, m.position) for m in stored[:99]], now)
    stores.batches.remove_video(batch, stored[21], stored[22:], now)
    assert stores.batches.get(batch.id).total_videos == 119
