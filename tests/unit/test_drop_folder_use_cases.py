"""The drop folder's use cases on fakes: events create one batch per folder, the start waits for the
folder to settle (a scheduled sweep decides), and duplicated events change nothing."""

import pytest

from functions.domain.drop_folder import StartTiming, drop_batch_id, drop_video_id
from functions.domain.enums import BatchStatus, UploadStatus, VideoStatus
from functions.domain.models import Video
from functions.services.drop_folder import note_object, sweep
from tests.conftest import make_clip
from tests.fakes.container import FakeServices

TIMING = StartTiming(quiet_seconds=300, settle_seconds=10)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(
        tmp_path_factory.mktemp("clip") / "c.mp4", seconds=1.0, width=160, height=90
    ).read_bytes()


def put(fake: FakeServices, name: str, body: bytes, folder: str = "Отпуск") -> str:
    key = f"dropbox/alice/{folder}/{name}"
    fake.storage.put_bytes(fake.ctx.config.ingest_bucket, key, body)
    return note_object(fake.ctx, key, TIMING)


def test_a_folder_waits_to_settle_then_starts_once_with_its_videos_by_name(
    fake: FakeServices, clip: bytes
) -> None:
    assert put(fake, "b.MOV", clip) == "waiting"
    assert put(fake, "a.mp4", clip) == "waiting"
    assert put(fake, "notes.txt", b"hello") == "waiting"
    assert put(fake, "batch.json", b'{"start": true, "name": "Trip"}') == "waiting"
    batch_id = drop_batch_id("alice", "Отпуск")
    assert [b.id for b in fake.ctx.batches.list_for_user("alice")] == [batch_id]
    assert fake.ctx.batches.get(batch_id).name == "Отпуск"  # named after the folder from the first file
    assert sweep(fake.ctx, TIMING) == {batch_id: "waiting"}  # not settled yet

    fake.clock.advance(11)
    assert sweep(fake.ctx, TIMING) == {batch_id: "started: batch.json start"}
    batch = fake.ctx.batches.get(batch_id)
    assert batch.status is BatchStatus.PROCESSING and batch.name == "Trip" and batch.total_videos == 2
    assert batch.summary["drop_folder"]["skipped"] == ["notes.txt"]
    members = fake.ctx.batch_videos.of_batch(batch_id)
    assert [(m.position, m.original_name, m.status) for m in members] == [
        (1, "a.mp4", VideoStatus.PENDING),
        (2, "b.MOV", VideoStatus.PENDING),
    ]
    assert list(fake.workflow.executions) == [batch_id]
    # redelivered events and later sweeps change nothing
    assert note_object(fake.ctx, "dropbox/alice/Отпуск/a.mp4", TIMING) == "started-already"
    assert sweep(fake.ctx, TIMING) == {}
    assert fake.ctx.videos.get(members[0].video_id).probe_count == 1


def test_each_video_is_probed_as_it_arrives_and_the_start_probes_none_again(
    fake: FakeServices, clip: bytes
) -> None:
    put(fake, "a.mp4", clip, folder="arrivals")
    put(fake, "broken.mp4", b"not a video", folder="arrivals")
    put(fake, "bad\x07name.mp4", clip, folder="arrivals")  # a name the API refuses: never probed
    batch_id = drop_batch_id("alice", "arrivals")

    def video(name: str) -> Video | None:
        return fake.ctx.videos.get(drop_video_id(batch_id, f"dropbox/alice/arrivals/{name}"))

    assert (video("a.mp4").status, video("a.mp4").probe_count) == (UploadStatus.UPLOADED, 1)
    assert (video("broken.mp4").status, video("broken.mp4").probe_count) == (UploadStatus.INVALID, 1)
    assert video("bad\x07name.mp4") is None

    fake.clock.advance(301)
    assert sweep(fake.ctx, TIMING) == {batch_id: "started: quiet period"}
    members = fake.ctx.batch_videos.of_batch(batch_id)
    assert [m.original_name for m in members] == ["a.mp4", "broken.mp4"]
    assert [fake.ctx.videos.get(m.video_id).probe_count for m in members] == [1, 1]  # read, not probed again
    assert members[1].error_message and members[1].error_message.startswith("broken.mp4:")


def test_a_quiet_folder_starts_and_an_unfinished_upload_holds_it(fake: FakeServices, clip: bytes) -> None:
    put(fake, "a.mp4", clip, folder="quiet")
    batch_id = drop_batch_id("alice", "quiet")
    fake.clock.advance(301)
    upload = fake.storage.start_multipart(fake.ctx.config.ingest_bucket, "dropbox/alice/quiet/big.mp4", None)
    assert sweep(fake.ctx, TIMING) == {batch_id: "waiting"}  # a 2 GB file is still arriving
    fake.storage.abort_multipart(fake.ctx.config.ingest_bucket, "dropbox/alice/quiet/big.mp4", upload)
    assert sweep(fake.ctx, TIMING) == {batch_id: "started: quiet period"}


def test_a_broken_manifest_fails_the_batch_with_the_reason(fake: FakeServices, clip: bytes) -> None:
    put(fake, "a.mp4", clip, folder="bad")
    put(fake, "batch.json", b"{not json", folder="bad")
    fake.clock.advance(301)
    batch_id = drop_batch_id("alice", "bad")
    assert sweep(fake.ctx, TIMING) == {batch_id: "failed"}
    batch = fake.ctx.batches.get(batch_id)
    assert batch.status is BatchStatus.FAILED and batch.error_message.startswith(
        "batch.json is not valid JSON"
    )
    assert batch.total_videos == 1 and not fake.workflow.executions


def test_keys_outside_a_folder_are_ignored(fake: FakeServices) -> None:
    assert note_object(fake.ctx, "dropbox/alice/loose.mp4", TIMING) == "ignored"
    assert fake.ctx.batches.list_for_user("alice") == []
