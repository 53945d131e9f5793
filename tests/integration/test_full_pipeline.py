"""Every stage through the real ASL on a talk with known truth: the data each stage records and the
single render that applies it."""

import pytest

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


def test_a_language_the_local_engine_cannot_serve_fails_that_video_only(ctx, user_id, clips):
    batch_id, _, _ = start_batch(user_id, [clips[".mp4"], clips[".webm"]], {"language": "de"})
    batch = wait_for_batch(batch_id, user_id)
    assert batch["status"] == "completed" and batch["failed_videos"] == 2
    for video in batch["videos"]:
        assert video["status"] == "failed" and video["retry_count"] == 0
        assert "English only" in video["error_message"]
