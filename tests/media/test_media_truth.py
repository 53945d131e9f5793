"""Media stages against generated media whose truth is known (speech from espeak-ng, gaps, bursts, cuts)."""

import re
import subprocess
from pathlib import Path

import jiwer
import numpy as np
import pytest

from functions.domain.enums import ExportFormat, ExportQuality, HighlightSensitivity
from functions.media import highlights
from functions.media.audio import extract_audio, loudness_frames
from functions.media.binaries import ffmpeg
from functions.media.probe import probe
from functions.media.render import plan_render, render
from functions.media.scenes import detect_scene_cuts
from functions.media.silence import plan_cuts
from functions.media.whisper import WhisperEngine
from tests.conftest import make_clip

MIN_SILENCE, MARGIN, THRESHOLD = 1.0, 0.2, -35.0


@pytest.fixture(scope="module")
def talk_frames(talk, tmp_path_factory):
    path, truth = talk
    wav = extract_audio(str(path), tmp_path_factory.mktemp("wav") / "talk.wav", truth.duration)
    return wav, loudness_frames(wav)


def expected_kept(truth) -> float:
    removed = 0.0
    for start, end in truth.silences:
        if end - start < MIN_SILENCE:
            continue
        inner_start = start if start <= 0 else start + MARGIN
        inner_end = end if end >= truth.duration else end - MARGIN
        removed += max(0.0, inner_end - inner_start)
    return truth.duration - removed


def test_detected_silences_are_within_a_tenth_of_a_second_of_truth(talk, talk_frames):
    _, truth = talk
    _, frames = talk_frames
    plan = plan_cuts(frames, truth.duration, THRESHOLD, MIN_SILENCE, MARGIN)
    expected = [s for s in truth.silences if s[1] - s[0] >= MIN_SILENCE]
    assert len(plan.silences) == len(expected) == 5
    for (start, end), (true_start, true_end) in zip(plan.silences, expected, strict=True):
        assert start == pytest.approx(true_start, abs=0.1)
        assert end == pytest.approx(true_end, abs=0.1)
    # the 0.3 s pause between sentences is shorter than min_silence_duration: it is kept
    short = next(s for s in truth.silences if s[1] - s[0] < MIN_SILENCE)
    assert all(not (a <= short[0] and short[1] <= b) for a, b in plan.silences)


def test_output_duration_matches_the_kept_duration(talk, talk_frames, tmp_path):
    path, truth = talk
    _, frames = talk_frames
    plan = plan_cuts(frames, truth.duration, THRESHOLD, MIN_SILENCE, MARGIN)
    info = probe(str(path))
    render_plan = plan_render(
        str(path),
        tmp_path / "cut.mp4",
        info,
        ExportFormat.MP4,
        ExportQuality.Q720P,
        plan.keep,
    )
    output = probe(str(render(render_plan)))
    assert output.duration == pytest.approx(expected_kept(truth), rel=0.02)
    assert output.duration < truth.duration - 5.0  # several seconds of pauses are gone


def _white_onsets(video: Path, fps: int) -> list[float]:
    raw = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(video), "-vf", "scale=8:8,format=gray", "-f", "rawvideo", "-"],
        capture_output=True,
        check=True,
    ).stdout
    brightness = np.frombuffer(raw, np.uint8).reshape(-1, 64).mean(axis=1)
    white = brightness > 128
    return [i / fps for i in np.flatnonzero(white[1:] & ~white[:-1]) + 1]


def _tone_onsets(video: Path, tmp: Path) -> list[float]:
    frames = loudness_frames(extract_audio(str(video), tmp / "out.wav", 0))
    loud = frames > -30
    return [i * 0.01 for i in np.flatnonzero(loud[1:] & ~loud[:-1]) + 1]


def test_audio_and_video_stay_in_sync_after_more_than_twenty_cuts(sync_clip, tmp_path):
    path, truth = sync_clip
    frames = loudness_frames(extract_audio(str(path), tmp_path / "in.wav", truth.duration))
    plan = plan_cuts(frames, truth.duration, THRESHOLD, MIN_SILENCE, MARGIN)
    assert plan.cuts >= 20
    info = probe(str(path))
    output = render(
        plan_render(
            str(path),
            tmp_path / "out.mp4",
            info,
            ExportFormat.MP4,
            ExportQuality.Q720P,
            plan.keep,
        )
    )
    picture, sound = _white_onsets(output, 25), _tone_onsets(output, tmp_path)
    assert len(picture) == len(sound) == 22
    drift = [abs(p - s) for p, s in zip(picture, sound, strict=True)]
    assert max(drift) < 0.1, drift


def test_english_transcript_has_low_word_error_rate_and_word_times(talk, talk_frames):
    _, truth = talk
    wav, frames = talk_frames
    transcript = WhisperEngine().transcribe(wav, "en", truth.duration, frames)
    reference = " ".join(truth.words)
    hypothesis = " ".join(re.sub(r"[^a-z' ]+", "", w.word.lower()) for w in transcript.words)
    error_rate = jiwer.wer(reference, hypothesis)
    assert error_rate <= 0.15, (error_rate, hypothesis)
    assert transcript.words, "no word times"
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    for word in transcript.words:  # whisper stretches segment-final words into the pause; starts are exact
        assert any(s - 0.3 <= word.start <= e for s, e, _ in truth.speech), word
        assert word.end > word.start


def test_unsupported_language_on_an_english_model_fails_clearly(talk_frames):
    from functions.domain.errors import UnsupportedSettingError

    with pytest.raises(UnsupportedSettingError, match="English only"):
        WhisperEngine().check_language("de")


def test_every_loud_event_and_keyword_is_in_a_highlight(talk, talk_frames):
    path, truth = talk
    wav, frames = talk_frames
    words = WhisperEngine().transcribe(wav, "en", truth.duration, frames).words
    keyword_hits = highlights.keyword_events(words, ["important", "amazing"])
    assert len(keyword_hits) == 2
    cuts = detect_scene_cuts(str(path))
    events = (
        highlights.loudness_peaks(frames)
        + keyword_hits
        + highlights.scene_events([(c.time, c.strength) for c in cuts])
    )
    chosen = highlights.build_highlights(events, truth.duration, HighlightSensitivity.MEDIUM)
    spans = [(h.start, h.end) for h in chosen]
    for start, end in truth.bursts:
        assert any(a <= (start + end) / 2 <= b for a, b in spans), (start, spans)
    for hit in keyword_hits:
        assert any(a <= hit.time <= b for a, b in spans), (hit.reason, spans)
    for h in chosen:
        assert h.score > 0 and h.reasons and h.end > h.start
    fewer = highlights.build_highlights(events, truth.duration, HighlightSensitivity.LOW)
    more = highlights.build_highlights(events, truth.duration, HighlightSensitivity.MAX)
    assert len(fewer) <= len(chosen) <= len(more)


def test_scene_cuts_are_found_at_their_times(talk):
    path, truth = talk
    found = [c.time for c in detect_scene_cuts(str(path))]
    assert len(found) == len(truth.scene_cuts) == 3
    for detected, expected in zip(found, truth.scene_cuts, strict=True):
        assert detected == pytest.approx(expected, abs=0.1)


@pytest.fixture(scope="module")
def hd_clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("hd") / "hd.mp4", seconds=1.0, width=1920, height=1080)


@pytest.mark.parametrize(
    ("fmt", "codecs"),
    [
        (ExportFormat.MP4, ("h264", "aac")),
        (ExportFormat.MOV, ("h264", "aac")),
        (ExportFormat.WEBM, ("vp9", "opus")),
    ],
)
@pytest.mark.parametrize(
    ("quality", "size"),
    [
        (ExportQuality.Q720P, (1280, 720)),
        (ExportQuality.Q1080P, (1920, 1080)),
        (ExportQuality.Q4K, (1920, 1080)),
    ],
)
def test_each_format_and_quality_has_its_codecs_and_size(hd_clip, tmp_path, fmt, codecs, quality, size):
    info = probe(str(hd_clip))
    output = probe(str(render(plan_render(str(hd_clip), tmp_path / f"o.{fmt.value}", info, fmt, quality))))
    assert (output.video_codec, output.audio_codec) == codecs
    assert (output.width, output.height) == size
    assert output.duration == pytest.approx(1.0, abs=0.1)


def test_a_360p_input_is_not_upscaled(tmp_path):
    clip = make_clip(tmp_path / "small.mov", seconds=1.0, width=640, height=360)
    info = probe(str(clip))
    output = probe(
        str(render(plan_render(str(clip), tmp_path / "o.mp4", info, ExportFormat.MP4, ExportQuality.Q1080P)))
    )
    assert (output.width, output.height) == (640, 360)


def test_a_video_without_audio_renders_with_cuts(tmp_path):
    clip = make_clip(tmp_path / "mute.mp4", seconds=3.0, audio=False)
    info = probe(str(clip))
    assert not info.has_audio
    output = probe(
        str(
            render(
                plan_render(
                    str(clip),
                    tmp_path / "o.webm",
                    info,
                    ExportFormat.WEBM,
                    ExportQuality.Q720P,
                    [(0.0, 1.0), (2.0, 3.0)],
                )
            )
        )
    )
    assert output.audio_codec is None and output.duration == pytest.approx(2.0, abs=0.1)
