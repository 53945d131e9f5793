"""An upload arrives: probed once (real ffprobe on a tiny clip), recorded, and its batches released."""

from pathlib import Path

import pytest

from functions.domain.enums import Tier, UploadStatus, VideoStatus
from functions.domain.errors import Conflict
from functions.domain.schemas import BatchJobCreate, FileSpec
from functions.domain.upload_schemas import UploadRequest
from functions.services import batches, uploads
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


def declared_batch(fake: FakeServices, size: int) -> tuple[str, str, str]:
    request = BatchJobCreate(name="b", files=[FileSpec(name="Интервью 🎤.mp4", size=size)])
    created = batches.create_batch(fake.ctx, Caller("alice", Tier.CREATOR), request)
    target = created.uploads[0]
    assert target.url is not None and target.headers["Content-Length"] == str(size)
    return created.batch_job.id, target.video_id, target.key


def test_a_body_of_another_size_than_declared_is_invalid_without_probing(fake, clip):
    _, video_id, key = declared_batch(fake, clip.stat().st_size + 1)
    assert arrive(fake, key, clip.read_bytes()) == "invalid"
    message = fake.ctx.videos.get(video_id).error_message
    assert message.startswith("Интервью 🎤.mp4: The upload is") and "bytes were declared" in message
    assert str(fake.storage.root) not in message  # the file's name, never a server path


def test_a_corrected_upload_of_an_invalid_file_is_probed_again_and_uploaded(fake, clip):
    batch_id, video_id, key = declared_batch(fake, 700)
    assert arrive(fake, key, b"\x00" * 700) == "invalid"
    assert fake.ctx.batch_videos.get(batch_id, video_id).error_message
    target = uploads.request_upload(
        fake.ctx, "alice", batch_id, video_id, UploadRequest(size=clip.stat().st_size)
    )
    assert target.headers["Content-Length"] == str(clip.stat().st_size)
    assert arrive(fake, key, clip.read_bytes()) == "uploaded"
    video = fake.ctx.videos.get(video_id)
    assert video.status is UploadStatus.UPLOADED and video.error_message is None and video.probe_count == 2
    slot = fake.ctx.batch_videos.get(batch_id, video_id)
    assert slot.status is VideoStatus.PENDING and slot.error_message is None and slot.duration


def test_a_file_replaced_after_probing_is_probed_again_and_cannot_start_unchecked(fake, clip):
    batch_id, video_id, key = one_video_batch(fake)
    assert arrive(fake, key, clip.read_bytes()) == "uploaded"
    bucket = fake.ctx.config.ingest_bucket
    fake.storage.put_bytes(bucket, key, b"not a video at all")  # replaced; its event not handled yet
    with pytest.raises(Conflict, match="changed after it was checked"):
        batches.start_batch(fake.ctx, Caller("alice", Tier.CREATOR), batch_id)
    assert handle_upload(fake.ctx, ObjectCreated(bucket, key, 18)) == "invalid"
    video = fake.ctx.videos.get(video_id)
    assert video.probe_count == 2 and video.error_message.startswith("video_001.mp4: ")
    assert fake.ctx.batch_videos.get(batch_id, video_id).error_message == video.error_message


def test_an_event_for_a_missing_object_changes_nothing(fake):
    _, video_id, key = one_video_batch(fake)
    bucket = fake.ctx.config.ingest_bucket
    assert handle_upload(fake.ctx, ObjectCreated(bucket, key, 1)) == "missing"
    assert fake.ctx.videos.get(video_id).status is UploadStatus.AWAITING_UPLOAD


def test_an_object_that_matches_no_video_is_ignored(fake):
    assert arrive(fake, "uploads/alice/unknown/x.mp4", b"x") == "ignored"
    assert arrive(fake, "elsewhere.txt", b"x") == "ignored"
