"""An upload arrives: probed once (real ffprobe on a tiny clip), recorded, and its batches released."""

from pathlib import Path

import pytest

from functions.domain.enums import Tier, UploadStatus, VideoStatus
from functions.domain.schemas import BatchJobCreate
from functions.domain.uploads import MAX_FILE_SIZE
from functions.services import batches
from functions.services.batches import Caller
from functions.services.ingestion import ObjectCreated, handle_upload
from tests.conftest import make_clip
from tests.fakes.container import FakeServices


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=1.0, width=160, height=90)


def one_video_batch(fake: FakeServices) -> tuple[str, str, str]:
    created = batches.create_batch(
        fake.ctx, Caller("alice", Tier.CREATOR), BatchJobCreate(name="b", video_count=1)
    )
    target = created.uploads[0]
    return created.batch_job.id, target.video_id, target.key


def arrive(fake: FakeServices, key: str, body: bytes, size: int | None = None) -> str:
    bucket = fake.ctx.config.ingest_bucket
    fake.storage.put_bytes(bucket, key, body)
    return handle_upload(fake.ctx, ObjectCreated(bucket, key, len(body) if size is None else size))


def test_a_real_video_is_probed_once_and_its_batch_released(fake, clip):
    batch_id, video_id, key = one_video_batch(fake)
    assert arrive(fake, key, clip.read_bytes()) == "uploaded"
    video = fake.ctx.videos.get(video_id)
    assert (
        video.status is UploadStatus.UPLOADED
        and video.width == 160
        and video.duration == pytest.approx(1.0, abs=0.1)
    )
    slot = fake.ctx.batch_videos.get(batch_id, video_id)
    assert slot.status is VideoStatus.PENDING and slot.duration == video.duration
    assert arrive(fake, key, clip.read_bytes()) == "already-probed"  # redelivered event


def test_a_corrupt_file_is_invalid_and_the_slot_carries_the_reason(fake):
    batch_id, video_id, key = one_video_batch(fake)
    assert arrive(fake, key, b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100) == "invalid"
    slot = fake.ctx.batch_videos.get(batch_id, video_id)
    assert slot.status is VideoStatus.PENDING and slot.error_message


def test_an_oversized_file_is_refused_without_probing(fake):
    _, video_id, key = one_video_batch(fake)
    assert arrive(fake, key, b"tiny", size=MAX_FILE_SIZE + 1) == "invalid"
    assert "2 GB" in fake.ctx.videos.get(video_id).error_message


def test_an_object_that_matches_no_video_is_ignored(fake):
    assert arrive(fake, "uploads/alice/unknown/x.mp4", b"x") == "ignored"
    assert arrive(fake, "elsewhere.txt", b"x") == "ignored"
