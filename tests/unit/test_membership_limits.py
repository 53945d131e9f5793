"""A remove or a reorder moves members in one DynamoDB transaction (100 items: the batch's count and 99
members). On a large pending batch (a drop folder's archive import) a change that would move more is
refused with what to do instead, on the fakes as on DynamoDB, never a 500 after half a change."""

from datetime import UTC, datetime

import pytest

from functions.domain.enums import Tier
from functions.domain.errors import Conflict
from functions.domain.membership import MEMBERS_PER_CHANGE
from functions.domain.models import BatchJob, BatchVideo, Video
from functions.services import batches
from functions.services.batches import Caller
from tests.fakes.container import FakeServices

NOW = datetime(2026, 12, 5, tzinfo=UTC)
ALICE = Caller("alice", Tier.PRO)


def archive(fake: FakeServices, videos: int) -> tuple[str, list[str]]:
    batch = BatchJob(user_id="alice", name="archive", created_at=NOW, updated_at=NOW, total_videos=0)
    members, ids = [], []
    for position in range(1, videos + 1):
        video = Video(
            user_id="alice",
            original_name=f"{position}.mp4",
            s3_key=f"k/{position}",
            created_at=NOW,
            updated_at=NOW,
        )
        fake.ctx.videos.put_many([video])
        members.append(
            BatchVideo(
                batch_job_id=batch.id, video_id=video.id, position=position, created_at=NOW, updated_at=NOW
            )
        )
        ids.append(video.id)
    # As the archive import lands them: the batch, then its members in chunks (a creation with them
    # all would be one transaction of more than 100 items, refused on the fakes as on DynamoDB).
    fake.ctx.batches.create(batch, [])
    fake.ctx.batches.add_videos(batch, members, NOW)
    return batch.id, ids


def test_removing_a_video_that_would_move_more_than_one_change_holds_is_refused(fake: FakeServices) -> None:
    batch_id, ids = archive(fake, MEMBERS_PER_CHANGE + 20)
    with pytest.raises(Conflict, match=r"would move 119 videos; one change moves at most 99"):
        batches.remove_video(fake.ctx, ALICE, batch_id, ids[0])
    assert len(fake.ctx.batch_videos.of_batch(batch_id)) == MEMBERS_PER_CHANGE + 20  # nothing changed
    # the 21st: itself and the 98 after it fit one change
    after = batches.remove_video(fake.ctx, ALICE, batch_id, ids[20])
    assert [v.position for v in after.videos] == list(range(1, MEMBERS_PER_CHANGE + 20))
    assert ids[20] not in {v.video_id for v in after.videos}


def test_a_reorder_that_would_move_more_than_one_change_holds_is_refused(fake: FakeServices) -> None:
    batch_id, ids = archive(fake, MEMBERS_PER_CHANGE + 20)
    with pytest.raises(Conflict, match=r"reorder would move 118 videos"):  # the middle one stays
        batches.reorder_videos(fake.ctx, ALICE, batch_id, list(reversed(ids)))
    swapped = [ids[1], ids[0], *ids[2:]]
    after = batches.reorder_videos(fake.ctx, ALICE, batch_id, swapped)
    assert [v.video_id for v in sorted(after.videos, key=lambda v: v.position)] == swapped
