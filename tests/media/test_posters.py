"""Export extras on real media: poster and thumbnail, a soft subtitle track in each container, burnt-in
captions (where ffmpeg has libass), and the removed-parts preview."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from functions.domain.enums import CaptionsMode, ExportFormat, ExportQuality
from functions.domain.media_values import Word
from functions.media.binaries import ffmpeg, ffprobe
from functions.media.captions import write_captions
from functions.media.export_extras import finish_extras, prepare_captions
from functions.media.ffmpeg_run import run_ffmpeg
from functions.media.posters import make_posters, poster_time
from functions.media.probe import probe
from functions.media.render import plan_render, render
from functions.media.subtitles import SubtitleTrack, can_burn, effective_mode, escape_filter_value
from functions.media.timelines import plan_removed_parts
from tests.conftest import make_clip

KEEP = [(0.0, 1.5), (2.5, 4.0)]
WORDS = [
    Word(word="Hello", start=0.2, end=0.6),
    Word(word="world.", start=0.7, end=1.2),
    Word(word="Cut", start=1.8, end=2.2),  # inside the removed second
    Word(word="Again,", start=2.8, end=3.2),
    Word(word="friends.", start=3.3, end=3.8),
]


def streams(path: Path) -> list[dict]:
    report = subprocess.run(
        [ffprobe(), "-v", "error", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(report.stdout)["streams"]


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_clip(tmp_path_factory.mktemp("extras") / "clip.mp4", seconds=4.0, width=640, height=360)


def test_poster_and_thumbnail_are_jpegs_of_the_right_size(clip, tmp_path):
    at = poster_time(4.0)
    files = make_posters(clip, at, tmp_path, "clip")
    poster, thumb = streams(files.poster)[0], streams(files.thumbnail)[0]
    assert poster["codec_name"] == thumb["codec_name"] == "mjpeg"
    assert (poster["width"], poster["height"]) == (640, 360)
    assert (thumb["width"], thumb["height"]) == (320, 180)
    assert files.poster.read_bytes()[:2] == b"\xff\xd8"


def test_the_poster_is_the_first_highlight_in_the_edited_output():
    # a highlight at 3.0 s of the source plays at 2.0 s after the 1 s cut; one inside the cut is skipped
    assert poster_time(3.0, [1.8, 3.0], KEEP) == pytest.approx(2.0)
    assert poster_time(3.0, [], KEEP) == pytest.approx(1.5)
    assert poster_time(3.0, [1.8], KEEP) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("suffix", "export_format", "codec"),
    [
        (".mp4", ExportFormat.MP4, "mov_text"),
        (".mov", ExportFormat.MOV, "mov_text"),
        (".webm", ExportFormat.WEBM, "webvtt"),
    ],
)
def test_a_soft_track_is_muxed_in_the_same_render(clip, tmp_path, suffix, export_format, codec):
    files = write_captions(WORDS, KEEP, tmp_path, "clip")
    track = SubtitleTrack(files.srt, "soft", language="en")
    info = probe(str(clip))
    plan = plan_render(
        str(clip), tmp_path / f"out{suffix}", info, export_format, ExportQuality.Q720P, KEEP, track
    )
    output = render(plan)
    subtitle = [s for s in streams(output) if s["codec_type"] == "subtitle"]
    assert [s["codec_name"] for s in subtitle] == [codec]
    assert subtitle[0].get("tags", {}).get("language") == "eng"
    assert probe(str(output)).duration == pytest.approx(3.0, abs=0.15)
    extracted = tmp_path / "back.srt"
    run_ffmpeg(["-i", str(output), "-map", "0:s:0", str(extracted)])
    text = extracted.read_text()
    assert "Hello world." in text and "Cut" not in text
    assert "00:00:01,800 -->" in text  # "Again," at 2.8 s of the source plays at 1.8 s


def test_burning_needs_libass_and_falls_back_to_a_soft_track_without_it(clip, tmp_path):
    mode, note = effective_mode("burn")
    if not can_burn():
        assert mode == "soft" and note is not None and "libass" in note
        return
    assert (mode, note) == ("burn", None)
    files = write_captions(WORDS, KEEP, tmp_path, "clip")
    info = probe(str(clip))
    plain = render(
        plan_render(str(clip), tmp_path / "plain.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, KEEP)
    )
    burnt = render(
        plan_render(
            str(clip),
            tmp_path / "burnt.mp4",
            info,
            ExportFormat.MP4,
            ExportQuality.Q720P,
            KEEP,
            SubtitleTrack(files.srt, "burn"),
        )
    )
    assert [s["codec_type"] for s in streams(burnt)] == ["video", "audio"]  # drawn, not muxed
    assert _frame(burnt, 0.5) != _frame(plain, 0.5)


def _frame(video: Path, at: float) -> bytes:
    return subprocess.run(
        [ffmpeg(), "-v", "error", "-ss", str(at), "-i", str(video), "-frames:v", "1", "-f", "rawvideo", "-"],
        capture_output=True,
        check=True,
    ).stdout


def test_filter_values_survive_quotes_colons_and_brackets(clip, tmp_path):
    # the `movie` source reads a file name with the same two-level escaping the subtitles filter needs
    awkward = tmp_path / "it's a [test], really; 1:2.mp4"
    awkward.write_bytes(clip.read_bytes())
    graph = f"movie=filename={escape_filter_value(str(awkward))},trim=duration=0.2[out]"
    run_ffmpeg(["-filter_complex", graph, "-map", "[out]", "-f", "null", "-"])


def test_the_removed_parts_preview_is_what_was_cut(clip, tmp_path):
    info = probe(str(clip))
    plan = plan_removed_parts(str(clip), tmp_path / "removed.mp4", info, KEEP)
    assert plan is not None
    output = probe(str(render(plan)))
    assert output.duration == pytest.approx(1.0, abs=0.1)  # the one second between 1.5 and 2.5


@pytest.mark.parametrize(
    "mode", [CaptionsMode.OFF, CaptionsMode.SIDECAR, CaptionsMode.SOFT, CaptionsMode.BURN]
)
def test_the_export_extras_around_one_render(clip, tmp_path, mode):
    info = probe(str(clip))
    plan = plan_render(str(clip), tmp_path / "clip.webm", info, ExportFormat.WEBM, ExportQuality.Q720P, KEEP)
    plan, captions = prepare_captions(plan, info.duration, WORDS, mode, tmp_path, "clip", "en")
    output = render(plan)
    subtitle_codecs = [s["codec_name"] for s in streams(output) if s["codec_type"] == "subtitle"]
    if mode is CaptionsMode.OFF:
        assert captions is None and not list(tmp_path.glob("*.srt"))
    else:
        assert captions is not None and captions.files.srt.exists() and captions.files.vtt.exists()
    delivered = captions.mode if captions else mode
    assert subtitle_codecs == (["webvtt"] if delivered is CaptionsMode.SOFT else [])
    extras = finish_extras(
        plan, info, "clip.mp4", tmp_path, "clip", [3.0], cut_lists=True, removed_parts_preview=True
    )
    assert set(extras.files) == {"poster", "thumbnail", "edl", "fcpxml", "removed_parts"}
    assert all(path.stat().st_size > 0 for path in extras.files.values())
    assert probe(str(extras.files["removed_parts"])).duration == pytest.approx(1.0, abs=0.1)
    assert extras.files["edl"].read_text().count("* FROM CLIP NAME: clip.mp4") == len(KEEP)


GRAY = ("-f", "rawvideo", "-pix_fmt", "gray", "-")


def _gray(video: Path, at: float) -> np.ndarray:
    info = probe(str(video))
    raw = subprocess.run(
        [ffmpeg(), "-v", "error", "-ss", str(at), "-i", str(video), "-frames:v", "1", *GRAY],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(info.height, info.width).astype(np.int16)


def test_the_shipped_ffmpeg_burns_captions_into_the_picture_where_a_cue_shows(clip, tmp_path):
    """With this ffmpeg (libass or not) a burn draws the text: the picture differs from the plain render
    in the bottom band while a cue is shown, and nowhere else; between cues it is the plain picture."""
    info = probe(str(clip))
    plain = render(
        plan_render(str(clip), tmp_path / "plain.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, KEEP)
    )
    plan = plan_render(str(clip), tmp_path / "burnt.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, KEEP)
    plan, captions = prepare_captions(plan, 4.0, WORDS, CaptionsMode.BURN, tmp_path / "extras", "clip")
    assert captions is not None and captions.mode is CaptionsMode.BURN and captions.note is None
    burnt = render(plan)
    assert [s["codec_type"] for s in streams(burnt)] == ["video", "audio"]  # drawn, not muxed
    height = info.height
    shown = abs(_gray(burnt, 0.8) - _gray(plain, 0.8))  # "Hello world." is on screen
    bottom, top = shown[int(height * 0.6) :], shown[: int(height * 0.5)]
    assert (bottom > 60).sum() > 300, "no caption text in the bottom of the picture"
    assert (top > 60).sum() < 0.01 * top.size  # the rest of the picture is untouched
    rows = (bottom > 60).any(axis=1).nonzero()[0] + int(height * 0.6)
    assert rows.max() <= height * (1 - 0.08) + 2  # above the bottom safe margin
    assert 0.02 * height < rows.max() - rows.min() < 0.2 * height  # text of a size relative to the frame
    quiet = abs(_gray(burnt, 1.45) - _gray(plain, 1.45))  # after the last cue of the first part ends
    assert (quiet[int(height * 0.6) :] > 60).sum() < 0.2 * (bottom > 60).sum()
