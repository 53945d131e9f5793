"""Merged export with real ffmpeg on mixed inputs: mp4 1080p, mov 720p, webm, one clip without audio."""

import json
import subprocess
from pathlib import Path

import pytest

from functions.domain.enums import ExportFormat
from functions.media.binaries import ffmpeg, ffprobe
from functions.media.merge import MergeClip, MergeTarget, merge
from functions.media.probe import probe
from tests.conftest import make_clip

TITLES = ["Привет, мир", "Interview = take #2", "vlog; 🎬", "silent b-roll"]


@pytest.fixture(scope="module")
def mixed_clips(tmp_path_factory) -> list[MergeClip]:
    folder = tmp_path_factory.mktemp("merge-clips")
    paths = [
        make_clip(folder / "a.mp4", seconds=1.0, width=1920, height=1080, fps=30),
        make_clip(folder / "b.mov", seconds=1.5, width=1280, height=720, fps=25),
        make_clip(folder / "c.webm", seconds=1.0, width=320, height=180, fps=24),
        make_clip(folder / "d.mp4", seconds=1.2, width=180, height=320, fps=30, audio=False),
    ]
    return [MergeClip(str(p), title, probe(str(p))) for p, title in zip(paths, TITLES, strict=True)]


def report(path: Path) -> dict:
    out = subprocess.run(
        [
            ffprobe(),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_chapters",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def decode_errors(path: Path) -> str:
    result = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    return result.stderr


def check_merged(path: Path, clips: list[MergeClip], target: MergeTarget, audio_codec: str) -> None:
    info = report(path)
    expected = sum(c.probe.duration for c in clips)
    assert abs(float(info["format"]["duration"]) - expected) < 0.5
    assert decode_errors(path) == ""
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["width"], video["height"]) == (target.width, target.height)
    assert video["pix_fmt"] == "yuv420p"
    assert video.get("sample_aspect_ratio", "1:1") == "1:1"
    assert video["avg_frame_rate"] in {f"{target.fps}/1", f"{target.fps * 1000}/1000"}
    assert (audio["codec_name"], int(audio["sample_rate"]), audio["channels"]) == (audio_codec, 48000, 2)
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == TITLES
    cursor = 0.0
    for chapter, clip in zip(chapters, clips, strict=True):
        assert abs(float(chapter["start_time"]) - cursor) < 0.01
        cursor += clip.probe.duration
        assert abs(float(chapter["end_time"]) - cursor) < 0.01


def test_single_pass_merge_of_mixed_inputs_decodes_cleanly_with_chapters(mixed_clips, tmp_path):
    target = MergeTarget(width=320, height=180, fps=25, export_format=ExportFormat.MP4)
    seen: list[tuple[float, str]] = []
    out = tmp_path / "merged.mp4"
    marks = merge(
        mixed_clips,
        target,
        out,
        title="Batch",
        strategy="single",
        on_progress=lambda f, op: seen.append((f, op)),
    )
    check_merged(out, mixed_clips, target, "aac")
    assert [m.title for m in marks] == TITLES
    assert seen[-1] == (1.0, "merged")
    assert report(out)["format"]["tags"]["title"] == "Batch"


def test_per_clip_merge_to_webm_decodes_cleanly_with_chapters(mixed_clips, tmp_path):
    target = MergeTarget(width=256, height=144, fps=24, export_format=ExportFormat.WEBM)
    seen: list[str] = []
    out = tmp_path / "merged.webm"
    merge(mixed_clips, target, out, strategy="per_clip", on_progress=lambda f, op: seen.append(op))
    check_merged(out, mixed_clips, target, "opus")
    assert "normalising video 4/4" in seen
    assert "joining videos" in seen
