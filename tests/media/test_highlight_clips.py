"""Highlight clips on a generated talk: the talk is transcribed, its pauses cut and rendered, its keyword
highlights found; then the clips around them are checked as a creator would: their shape (9:16, or
square), their length (as set, or the whole output when that is shorter), the keyword heard in them (the
clip transcribed by the project's speech engine), captions drawn in their picture (pixel difference
against the same clip rendered without captions, where a cue is shown), and a poster that decodes."""

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from functions.domain.enums import ClipAspect, ExportFormat, ExportQuality, HighlightSensitivity
from functions.media.audio import extract_audio, loudness_frames
from functions.media.binaries import ffmpeg, ffprobe
from functions.media.captions import build_cues
from functions.media.clips import clip_windows, line_chars, make_clips, plan_clip
from functions.media.highlights import build_highlights, keyword_events, on_output
from functions.media.probe import probe
from functions.media.render import plan_render, render
from functions.media.silence import plan_cuts
from functions.media.whisper import WhisperEngine

KEYWORD = "important"
SECONDS = 6.0
GRAY = ("-f", "rawvideo", "-pix_fmt", "gray", "-")


def _plain(word: str) -> str:
    return re.sub(r"[^a-z']+", "", word.lower())


@pytest.fixture(scope="module")
def engine() -> WhisperEngine:
    return WhisperEngine(beam_size=1)


@pytest.fixture(scope="module")
def edited(talk, tmp_path_factory, engine):
    """The talk's edit (its render plan, not rendered: clips render from the source), its words and its
    keyword highlights on the edited timeline."""
    path, truth = talk
    work = tmp_path_factory.mktemp("clips")
    wav = extract_audio(str(path), work / "source.wav", truth.duration)
    frames = loudness_frames(wav)
    words = engine.transcribe(wav, "en", truth.duration, frames).words
    info = probe(str(path))
    keep = plan_cuts(frames, truth.duration, -35.0, 1.0, 0.2).keep
    plan = plan_render(str(path), work / "edited.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, keep)
    events = keyword_events(words, [KEYWORD])
    highlights = on_output(build_highlights(events, info.duration, HighlightSensitivity.MAX), plan.keep)
    assert highlights, f"'{KEYWORD}' was not found in the talk's transcript"
    return plan, info, words, highlights


def _heard(engine: WhisperEngine, video: Path, duration: float) -> list[str]:
    wav = extract_audio(str(video), video.with_suffix(".wav"), duration)
    return [_plain(w.word) for w in engine.transcribe(wav, "en", duration, loudness_frames(wav)).words]


def _gray(video: Path, at: float) -> np.ndarray:
    info = probe(str(video))
    raw = subprocess.run(
        [ffmpeg(), "-v", "error", "-ss", f"{at:.3f}", "-i", str(video), "-frames:v", "1", *GRAY],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(info.height, info.width).astype(np.int16)


def _decodes(path: Path) -> dict:
    subprocess.run([ffmpeg(), "-v", "error", "-i", str(path), "-f", "null", "-"], check=True)
    report = subprocess.run(
        [ffprobe(), "-v", "error", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(report.stdout)["streams"][0]


def test_a_vertical_clip_holds_the_keyword_lasts_as_set_and_shows_its_captions(edited, engine, tmp_path):
    plan, info, words, highlights = edited
    windows = clip_windows(highlights, plan.expected_duration, SECONDS, info.frame_rate)
    fractions: list[float] = []
    clips = make_clips(
        plan, info, windows, words, ClipAspect.VERTICAL, tmp_path, "talk", "en", fractions.append
    )
    assert clips, "no clip was made"
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(
        1.0
    )  # progress over all the clips
    clip = clips[0]
    assert clip.video.name == "talk.clip1.mp4"
    shown = probe(str(clip.video))
    assert shown.width / shown.height == pytest.approx(9 / 16, rel=0.01)  # 9:16
    assert shown.height == 360  # the talk's height: cropped, not upscaled
    assert shown.duration == pytest.approx(SECONDS, abs=1.5 / info.frame_rate)
    assert (shown.video_codec, shown.audio_codec) == ("h264", "aac")
    assert KEYWORD in _heard(engine, clip.video, shown.duration)

    # the same clip without captions: the burnt one differs in the bottom band while a cue is shown
    plain_plan = plan_clip(
        plan.source, tmp_path / "plain.mp4", info, plan.kept(), clip.window, ClipAspect.VERTICAL, plan.quality
    )
    plain = render(plain_plan)
    cues = build_cues(words, plain_plan.kept(), max_chars=line_chars(shown.width, shown.height))
    cue = next(c for c in cues if c.end - c.start >= 0.5)
    at = (cue.start + cue.end) / 2
    difference = abs(_gray(clip.video, at) - _gray(plain, at))
    bottom, top = difference[int(shown.height * 0.6) :], difference[: int(shown.height * 0.5)]
    assert (bottom > 60).sum() > 100, "no caption text in the bottom of the clip's picture"
    assert (top > 60).sum() < 0.01 * top.size  # the rest of the picture is the source's

    poster = _decodes(clip.poster)
    assert poster["codec_name"] == "mjpeg" and (poster["width"], poster["height"]) == (
        shown.width,
        shown.height,
    )
    assert clip.poster.name == "talk.clip1.poster.jpg"


def test_a_square_clip_longer_than_the_output_is_the_whole_output(edited, tmp_path):
    plan, info, words, highlights = edited
    windows = clip_windows(highlights, plan.expected_duration, 90.0, info.frame_rate)
    (clip,) = make_clips(plan, info, windows, words, ClipAspect.SQUARE, tmp_path, "talk")
    shown = probe(str(clip.video))
    assert shown.width == shown.height == 360
    assert shown.duration == pytest.approx(plan.expected_duration, abs=1.5 / info.frame_rate)
    assert clip.window.start == 0.0
    assert clip.window.end == pytest.approx(plan.expected_duration, abs=1e-3)
    assert _decodes(clip.poster)["codec_name"] == "mjpeg"
