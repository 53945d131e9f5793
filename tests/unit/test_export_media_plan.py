"""Merged and playlist exports, the pure parts: canvas choice, chapters, metadata escaping."""

import pytest

from functions.domain.enums import ExportFormat, ExportQuality
from functions.domain.media_values import ProbeResult
from functions.media.merge import Chapter, MergeClip, chapters, ffmetadata, merge_target


def clip(width: int, height: int, fps: float = 30.0, duration: float = 2.0) -> ProbeResult:
    return ProbeResult(
        duration=duration,
        width=width,
        height=height,
        video_codec="h264",
        audio_codec="aac",
        container="mp4",
        frame_rate=fps,
    )


def test_canvas_follows_the_first_clip_and_the_quality_without_upscaling():
    target = merge_target([clip(1920, 1080), clip(1280, 720, 25)], ExportQuality.Q720P, ExportFormat.MP4)
    assert (target.width, target.height, target.fps) == (1280, 720, 30)
    small = merge_target([clip(640, 360), clip(480, 270)], ExportQuality.Q1080P, ExportFormat.MP4)
    assert (small.width, small.height) == (640, 360)
    vertical = merge_target([clip(1080, 1920, 60), clip(1920, 1080)], ExportQuality.Q720P, ExportFormat.WEBM)
    assert (vertical.width, vertical.height, vertical.fps) == (720, 1280, 60)
    assert merge_target([clip(1920, 1080, 120)], ExportQuality.Q4K, ExportFormat.MP4).fps == 60
    assert merge_target([clip(1920, 1080, 0)], ExportQuality.Q4K, ExportFormat.MP4).fps == 30
    assert merge_target([clip(1920, 1080)], ExportQuality.Q720P, ExportFormat.MP4, fps=24).fps == 24
    with pytest.raises(ValueError, match="no clips"):
        merge_target([], ExportQuality.Q720P, ExportFormat.MP4)


def test_chapters_start_where_the_previous_clip_ends():
    clips = [MergeClip("a", "A", clip(2, 2, duration=1.5)), MergeClip("b", "B", clip(2, 2, duration=2.25))]
    assert chapters(clips) == [Chapter("A", 0.0, 1.5), Chapter("B", 1.5, 3.75)]


def test_ffmetadata_escapes_special_characters_and_keeps_unicode():
    text = ffmetadata([Chapter("a=b; #c\\d\ne 🎬 Привет", 0.0, 1.5)], title="My; batch")
    assert text.splitlines() == [
        ";FFMETADATA1",
        "title=My\\; batch",
        "[CHAPTER]",
        "TIMEBASE=1/1000",
        "START=0",
        "END=1500",
        "title=a\\=b\\; \\#c\\\\d\\",
        "e 🎬 Привет",
    ]
