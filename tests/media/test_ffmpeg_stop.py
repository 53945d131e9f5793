"""Work that ends (a deadline passed, its export or video marked failed or cancelled) stops its ffmpeg:
a single run, and a render whose parts and sound run in parallel. The sources never end on their own
(an endless test pattern, a FIFO nobody writes to), so only the kill can end them."""

import os
import threading
import time
from pathlib import Path

import pytest

from functions.domain.enums import ExportFormat, ExportQuality
from functions.media.ffmpeg_run import FfmpegStopped, run_ffmpeg, watched
from functions.media.probe import probe
from functions.media.render import plan_render, render
from tests.conftest import make_clip
from tests.ffmpeg_children import running_ffmpeg, wait_for_ffmpeg

ENDLESS = ["-re", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10", "-f", "null", "-"]


def stop_once_running(seen: threading.Event, minimum: int = 1) -> "object":
    def reason() -> str | None:
        if len(running_ffmpeg()) >= minimum:
            seen.set()
            return "the export was marked failed"
        return None

    return reason


def test_an_ffmpeg_whose_work_is_marked_stopped_is_killed():
    seen = threading.Event()
    with watched(should_stop=stop_once_running(seen), interval=0.1), pytest.raises(FfmpegStopped) as caught:
        run_ffmpeg(ENDLESS)
    assert seen.is_set() and "marked failed" in str(caught.value)
    assert wait_for_ffmpeg(running=False) == []


def test_an_ffmpeg_past_its_deadline_is_killed_and_none_starts_after_it():
    with watched(deadline=time.monotonic() + 0.5), pytest.raises(FfmpegStopped) as caught:
        run_ffmpeg(ENDLESS)
    assert "time ran out" in str(caught.value)
    assert wait_for_ffmpeg(running=False) == []
    with watched(deadline=time.monotonic() - 1), pytest.raises(FfmpegStopped, match="not started"):
        run_ffmpeg(ENDLESS)
    assert running_ffmpeg() == []


def test_ffmpeg_outside_any_watch_runs_to_its_end():
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=0.5", "-f", "null", "-"])


def test_a_render_cancelled_midway_stops_every_part_and_its_sound(tmp_path: Path):
    clip = make_clip(tmp_path / "clip.mp4", 6.0)
    info = probe(str(clip))
    source = tmp_path / "never-written.fifo"
    os.mkfifo(source)  # every reader blocks: the render cannot finish by itself
    plan = plan_render(
        str(source), tmp_path / "out.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, [(0.0, 6.0)]
    )
    assert len(plan.parts(2.0)) == 3
    seen = threading.Event()
    # Stop once the sound's decoder and at least one picture part are running at the same time.
    with (
        watched(should_stop=stop_once_running(seen, minimum=3), interval=0.1),
        pytest.raises(FfmpegStopped),
    ):
        render(plan, part_seconds=2.0, workers=3)
    assert seen.is_set()
    assert wait_for_ffmpeg(running=False) == []
