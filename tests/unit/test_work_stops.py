"""An export or a video whose work ends elsewhere (marked failed by a timeout, cancelled, past its
deadline) has its ffmpeg killed: the export runner and the stage runner watch their record while
ffmpeg runs. The media are FIFOs nobody writes to, so only the kill can end the encode; the probe of
each is a real clip's."""

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from functions.domain.enums import BatchStatus, ExportFormat, ExportQuality, ExportStatus, VideoStatus
from functions.domain.exports import ExportRequest
from functions.domain.pipeline_contract import VideoRef
from functions.domain.transitions import VideoAction
from functions.media.ffmpeg_run import FfmpegStopped
from functions.media.probe import probe
from functions.media.render import plan_render, render
from functions.services import export_runner, exports
from functions.services.batch_lifecycle import mark_unfinished_videos
from functions.services.export_runner import run_export
from functions.services.stages.stage_record import skipped, timed_stage
from tests.conftest import make_clip
from tests.ffmpeg_children import wait_for_ffmpeg
from tests.unit.test_export_use_cases import ALICE, finished_batch


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("stop") / "clip.mp4", 4.0)


def in_thread(work: Any) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def endless_outputs(fake: Any, clip: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every signed URL leads to a FIFO nobody writes to (the fake store's URLs are paths); its probe is
    the clip's."""
    info = probe(str(clip))
    monkeypatch.setattr(export_runner, "probe", lambda url: info)
    endless = folder / "endless.fifo"
    os.mkfifo(endless)
    monkeypatch.setattr(fake.storage, "presigned_get", lambda *args, **kwargs: str(endless))


@pytest.mark.parametrize(
    ("request_fields", "ending"),
    [
        ({"format": "merged"}, "timed out"),
        ({"format": "playlist", "hls": True}, "timed out"),
        ({"format": "merged"}, "deadline"),
    ],
)
def test_an_export_that_ends_elsewhere_leaves_no_ffmpeg_running(
    fake, clip, tmp_path, monkeypatch, request_fields, ending
):
    batch_id = finished_batch(fake)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(**request_fields))
    endless_outputs(fake, clip, tmp_path, monkeypatch)
    deadline = time.monotonic() + 2.0 if ending == "deadline" else None
    thread, errors = in_thread(lambda: run_export(fake.ctx, batch_id, accepted.export_id, deadline=deadline))
    try:
        assert wait_for_ffmpeg(running=True), "the export never started ffmpeg"
        if ending == "timed out":  # what the export state machine's "fail" task records on States.Timeout
            assert exports.fail_export(
                fake.ctx, batch_id, accepted.export_id, "States.Timeout: task timed out"
            )
    finally:
        thread.join(timeout=120)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], FfmpegStopped), errors
    assert wait_for_ffmpeg(running=False) == []
    record = fake.ctx.exports.get(batch_id, accepted.export_id)
    assert record.status is ExportStatus.FAILED
    expected = "States.Timeout" if ending == "timed out" else "time ran out"
    assert expected in record.error_message


def test_a_video_cancelled_mid_render_leaves_no_ffmpeg_running(fake, clip, tmp_path):
    batch_id = finished_batch(fake, status=BatchStatus.PROCESSING)
    member = fake.ctx.batch_videos.of_batch(batch_id)[0]
    fake.ctx.batch_videos.update(batch_id, member.video_id, fake.clock(), set_fields={"status": "processing"})
    source = tmp_path / "source.fifo"
    os.mkfifo(source)
    plan = plan_render(
        str(source), tmp_path / "out.mp4", probe(str(clip)), ExportFormat.MP4, ExportQuality.Q720P, [(0, 4)]
    )

    def work(_: Any) -> Any:
        render(plan, part_seconds=1.0, workers=2)
        return skipped("rendered")

    stage = timed_stage("exporting", work)
    ref = VideoRef(batch_id=batch_id, video_id=member.video_id, position=member.position)
    thread, errors = in_thread(lambda: stage(fake.ctx, ref))
    try:
        assert wait_for_ffmpeg(running=True), "the render never started ffmpeg"
        batch = fake.ctx.batches.get(batch_id)
        assert mark_unfinished_videos(fake.ctx, batch, VideoAction.CANCEL, "Cancelled by the user") >= 1
    finally:
        thread.join(timeout=120)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], FfmpegStopped), errors
    assert "cancelled" in str(errors[0])
    assert wait_for_ffmpeg(running=False) == []
    assert fake.ctx.batch_videos.get(batch_id, member.video_id).status is VideoStatus.CANCELLED
