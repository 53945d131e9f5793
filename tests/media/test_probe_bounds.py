"""Work is bounded by what the media really is: a file whose declared length its frames cannot fill
is refused at probing, with a message that says why."""

import subprocess
from pathlib import Path

import pytest

from functions.domain.errors import InvalidMediaError
from functions.media.binaries import ffmpeg
from functions.media.probe import parse_probe, probe


def far_apart_frames(folder: Path, suffix: str) -> Path:
    """Two 320x180 frames 36,000 s apart: about 12 KB declaring ten hours."""
    path = folder / f"far{suffix}"
    subprocess.run(
        [
            ffmpeg(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x180:rate=1,trim=end_frame=2",
            "-vf",
            "setpts=N*36000/TB",
            "-fps_mode",
            "passthrough",
            "-c:v",
            "libvpx-vp9" if suffix == ".webm" else "libx264",
            path.name,
        ],
        cwd=folder,
        check=True,
        timeout=120,
    )
    return path


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_two_frames_declaring_ten_hours_are_refused_at_probing(tmp_path, suffix):
    path = far_apart_frames(tmp_path, suffix)
    assert path.stat().st_size < 20_000
    with pytest.raises(InvalidMediaError) as refused:
        probe(str(path))
    message = str(refused.value)
    assert "holds only 2 frames" in message and "36,00" in message
    assert "at least one frame every 30 s" in message


def test_a_real_clip_records_its_frame_count_and_stream_durations(clips):
    info = probe(str(clips[".mp4"]))
    assert info.frame_count is not None and info.frame_count == pytest.approx(
        info.duration * info.frame_rate, abs=2
    )
    assert info.video_duration == pytest.approx(info.duration, abs=0.1)
    assert info.audio_duration == pytest.approx(info.duration, abs=0.1)


def test_a_container_declaring_more_than_its_streams_hold_is_clamped_to_the_longest_stream():
    report = {
        "format": {"duration": "7200.0", "format_name": "mov,mp4"},
        "streams": [
            {
                "codec_type": "video",
                "codec_name": "h264",
                "width": 320,
                "height": 180,
                "duration": "10.0",
                "nb_frames": "300",
                "avg_frame_rate": "30/1",
            },
            {"codec_type": "audio", "codec_name": "aac", "duration": "10.5"},
        ],
    }
    info = parse_probe(report)
    assert info.duration == 10.5 and info.frame_count == 300
    assert (info.video_duration, info.audio_duration) == (10.0, 10.5)
