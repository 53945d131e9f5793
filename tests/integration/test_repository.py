"""The data layer against DynamoDB (moto): access patterns as Queries, conditional transitions, counters."""

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from functions.domain.enums import BatchStatus, Tier, VideoStatus
from functions.domain.errors import Conflict, IllegalTransition
from functions.domain.models import BatchJob, BatchVideo, Video
from functions.domain.transitions import BatchAction, VideoAction

pytestmark = pytest.mark.usefixtures("local_cloud")


def new_batch(ctx, user_id, now, videos=2, **fields):
    batch = BatchJob(user_id=user_id, name="b", created_at=now, updated_at=now, total_videos=videos, **fields)
    members = []
    for position in range(1, videos + 1):
        video = Video(
            user_id=user_id,
            original_name=f"v{position}.mp4",
            s3_key=f"uploads/{user_id}/x/v.mp4",
            created_at=now,
            updated_at=now,
        )
        ctx.videos.put_many([video])
        members.append(
            BatchVideo(
                batch_job_id=batch.id,
                video_id=video.id,
                position=position,
                original_name=video.original_name,
                created_at=now,
                updated_at=now,
            )
        )
    # insert out of order to prove the position index orders them
    ctx.batches.create(batch, list(reversed(members)))
    return batch, members


def test_users_batches_newest_first_and_by_status(ctx, user_id, now):
    created = [new_batch(ctx, user_id, now + timedelta(minutes=i), videos=1)[0] for i in range(3)]
    ctx.batches.transition(created[1], BatchAction.START, now)
    listed = ctx.batches.list_for_user(user_id)
    assert [b.id for b in listed] == [b.id for b in reversed(created)]
    processing = ctx.batches.list_for_user(user_id, BatchStatus.PROCESSING)
    assert [b.id for b in processing] == [created[1].id]
    pending = ctx.batches.list_for_user(user_id, BatchStatus.PENDING)
    assert [b.id for b in pending] == [created[2].id, created[0].id]


def test_batches_by_status_are_ordered_by_effective_priority_then_age(ctx, now):
    users = [f"queue-{i}-{now.timestamp()}" for i in range(3)]
    a = new_batch(ctx, users[0], now, videos=1, priority=5)[0]
    b = new_batch(ctx, users[1], now + timedelta(seconds=1), videos=1, priority=9)[0]
    c = new_batch(ctx, users[2], now + timedelta(seconds=2), videos=1, priority=5, tier=Tier.PRO)[0]
    d = new_batch(ctx, users[0], now + timedelta(seconds=3), videos=1, priority=5)[0]
    for batch in (a, b, c, d):
        ctx.batches.transition(batch, BatchAction.ENQUEUE, now)
    queued = [x.id for x in ctx.batches.list_by_status(BatchStatus.QUEUED) if x.user_id in users]
    # b: 9; c: 5 + pro bonus 2 = 7; then a and d at 5, oldest first
    assert queued == [b.id, c.id, a.id, d.id]


def test_batch_videos_come_back_in_position_order_and_videos_know_their_batches(ctx, user_id, now):
    batch, members = new_batch(ctx, user_id, now, videos=4)
    assert [bv.position for bv in ctx.batch_videos.of_batch(batch.id)] == [1, 2, 3, 4]
    other, _ = new_batch(ctx, user_id, now, videos=0)
    shared = members[0].model_copy(update={"batch_job_id": other.id, "position": 1})
    ctx.batches.add_videos(other, [shared], now)
    batches_of_video = {bv.batch_job_id for bv in ctx.batch_videos.of_video(members[0].video_id)}
    assert batches_of_video == {batch.id, other.id}
    assert ctx.batches.get(other.id).total_videos == 1


def test_a_video_can_be_in_a_batch_only_once(ctx, user_id, now):
    batch, members = new_batch(ctx, user_id, now, videos=1)
    again = members[0].model_copy(update={"position": 2, "id": "other"})
    with pytest.raises(Conflict):
        ctx.batches.add_videos(batch, [again], now)
    fresh = BatchJob(user_id=user_id, name="dup", created_at=now, updated_at=now)
    dup = [members[0].model_copy(update={"batch_job_id": fresh.id, "position": p}) for p in (1, 2)]
    with pytest.raises(Conflict):
        ctx.batches.create(fresh, dup)
    assert ctx.batches.get(fresh.id) is None  # the transaction wrote nothing


def test_illegal_transition_is_rejected_by_dynamodb_not_just_python(ctx, user_id, now):
    batch, _ = new_batch(ctx, user_id, now, videos=1)
    stale_copy = batch.model_copy()
    ctx.batches.transition(batch, BatchAction.START, now)
    ctx.batches.transition(batch, BatchAction.COMPLETE, now)
    with pytest.raises(IllegalTransition) as error:
        ctx.batches.transition(stale_copy, BatchAction.START, now)  # the copy still says "pending"
    assert error.value.current == BatchStatus.COMPLETED
    stored = ctx.batches.get(batch.id)
    assert stored.status is BatchStatus.COMPLETED
    assert stored.model_dump()["status"] == "completed"


def test_two_concurrent_starts_exactly_one_wins(ctx, user_id, now):
    batch, _ = new_batch(ctx, user_id, now, videos=1)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            ctx.batches.transition(batch, BatchAction.START, now)
            results.append("won")
        except IllegalTransition:
            results.append("lost")

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["lost"] * 7 + ["won"]


def test_counters_are_atomic_under_concurrency(ctx, user_id, now):
    batch, members = new_batch(ctx, user_id, now, videos=12)
    for bv in members:
        ctx.batch_videos.transition(batch.id, bv.video_id, VideoAction.MARK_UPLOADED, now)
        ctx.batch_videos.transition(batch.id, bv.video_id, VideoAction.START, now)

    def complete(bv: BatchVideo) -> None:
        ctx.batch_videos.transition(
            batch.id,
            bv.video_id,
            VideoAction.COMPLETE,
            now,
            batch_add={"completed_videos": 1, "processed_duration_seconds": 1.5},
        )

    threads = [threading.Thread(target=complete, args=(bv,)) for bv in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = ctx.batches.get(batch.id)
    assert stored.completed_videos == 12
    assert stored.processed_duration_seconds == pytest.approx(18.0)


def test_a_repeated_completion_counts_once(ctx, user_id, now):
    batch, members = new_batch(ctx, user_id, now, videos=1)
    vid = members[0].video_id
    ctx.batch_videos.transition(batch.id, vid, VideoAction.MARK_UPLOADED, now)
    ctx.batch_videos.transition(batch.id, vid, VideoAction.START, now)
    ctx.batch_videos.transition(batch.id, vid, VideoAction.COMPLETE, now, batch_add={"completed_videos": 1})
    with pytest.raises(IllegalTransition):
        ctx.batch_videos.transition(
            batch.id, vid, VideoAction.COMPLETE, now, batch_add={"completed_videos": 1}
        )
    assert ctx.batches.get(batch.id).completed_videos == 1
    assert ctx.batch_videos.get(batch.id, vid).status is VideoStatus.COMPLETED


def test_hourly_creation_quota_is_enforced_atomically(ctx, user_id):
    results = []

    def consume() -> None:
        try:
            results.append(ctx.users.consume_creation_quota(user_id, "2026112312", 5, 0))
        except Exception as error:
            results.append(type(error).__name__)

    threads = [threading.Thread(target=consume) for _ in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r for r in results if isinstance(r, int)) == [1, 2, 3, 4, 5]
    assert results.count(None) == 4  # the store says "used up"; create_batch turns it into 429


def test_no_code_path_scans_the_table():
    root = Path(__file__).resolve().parents[2] / "functions"
    offenders = [p for p in root.rglob("*.py") if re.search(r"\.scan\(|\"Scan\"|'Scan'", p.read_text())]
    assert offenders == []
