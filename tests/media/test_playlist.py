"""Playlist export with real media: EXTINF durations against ffprobe, an HLS rendition that decodes."""

import json
import subprocess
from pathlib import Path

import pytest

from functions.domain.enums import ExportFormat
from functions.media.binaries import ffmpeg, ffprobe
from functions.media.merge import MergeClip, MergeTarget
from functions.media.playlist import (
    PLAYLIST_NAME,
    PlaylistEntry,
    build_hls,
    extended_m3u,
    parse_media_playlist,
    rewrite_uris,
)
from functions.media.probe import probe
from tests.conftest import make_clip


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> list[MergeClip]:
    folder = tmp_path_factory.mktemp("playlist-clips")
    paths = [
        make_clip(folder / "001_a.mp4", seconds=1.0, width=320, height=180, fps=25),
        make_clip(folder / "002_b.mp4", seconds=2.0, width=240, height=160, fps=30, audio=False),
        make_clip(folder / "003_c.webm", seconds=1.5, width=320, height=180, fps=24),
    ]
    return [MergeClip(str(p), f"Видео {i}, part", probe(str(p))) for i, p in enumerate(paths, start=1)]


def ffprobe_duration(path: str) -> float:
    out = subprocess.run(
        [ffprobe(), "-v", "error", "-print_format", "json", "-show_format", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def test_extended_m3u_durations_and_titles_match_the_outputs(outputs):
    entries = [
        PlaylistEntry(
            url=f"https://media.example/{Path(c.source).name}?X-Amz-Signature=abc",
            title=c.title,
            duration=c.probe.duration,
        )
        for c in outputs
    ]
    text = extended_m3u(entries, title="Spring\nlaunch")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[1] == "#PLAYLIST:Spring launch"
    infos = [line for line in lines if line.startswith("#EXTINF:")]
    urls = [line for line in lines if line and not line.startswith("#")]
    assert urls == [e.url for e in entries]
    for info, clip in zip(infos, outputs, strict=True):
        seconds, title = info[len("#EXTINF:") :].split(",", 1)
        assert abs(float(seconds) - ffprobe_duration(clip.source)) < 0.01
        assert title == clip.title


def test_hls_rendition_decodes_end_to_end_with_a_discontinuity_between_outputs(outputs, tmp_path):
    target = MergeTarget(width=320, height=180, fps=25, export_format=ExportFormat.MP4)
    seen: list[str] = []
    playlist = build_hls(
        outputs, target, tmp_path / "hls", segment_seconds=1, on_progress=lambda f, op: seen.append(op)
    )
    text = playlist.read_text()
    assert playlist.name == PLAYLIST_NAME
    assert text.startswith("#EXTM3U\n")
    assert text.count("#EXT-X-DISCONTINUITY") == len(outputs) - 1
    assert text.rstrip().endswith("#EXT-X-ENDLIST")
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text
    segments = parse_media_playlist(text)
    assert all((playlist.parent / s.uri).exists() for s in segments)
    assert sorted(p.name for p in playlist.parent.glob("*.m3u8")) == [PLAYLIST_NAME]
    total = sum(c.probe.duration for c in outputs)
    assert abs(sum(s.duration for s in segments) - total) < 0.5
    decoded = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(playlist), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0
    assert decoded.stderr == ""
    assert abs(ffprobe_duration(str(playlist)) - total) < 0.5
    assert "segmenting video 3/3" in seen


def test_segment_uris_can_be_replaced_by_signed_urls():
    text = (
        "#EXTM3U\n#EXTINF:2.0,\nv000_00000.ts\n#EXT-X-DISCONTINUITY\n"
        "#EXTINF:1.0,\nv001_00000.ts\n#EXT-X-ENDLIST\n"
    )
    signed = rewrite_uris(text, lambda uri: f"https://s3/{uri}?sig=1")
    assert [s.uri for s in parse_media_playlist(signed)] == [
        "https://s3/v000_00000.ts?sig=1",
        "https://s3/v001_00000.ts?sig=1",
    ]
    assert signed.count("#EXT-X-DISCONTINUITY") == 1
    assert signed.endswith("#EXT-X-ENDLIST\n")
