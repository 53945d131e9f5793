"""Whole batches executed by moto's Step Functions interpreter from the real ASL, with real ffmpeg."""

from datetime import datetime

import pytest

from functions.domain.errors import MediaError
from functions.media.probe import probe
from tests.helpers import start_batch, wait_for_batch, wait_for_execution

pytestmark = pytest.mark.usefixtures("local_cloud")

EXPORT_ONLY = {"transcribe": False, "remove_silence": False, "detect_highlights": False}


def test_one_corrupt_video_fails_alone_and_the_batch_completes(ctx, user_id, clips, local_cloud, tmp_path):
    paths = [clips[".mp4"], clips["corrupt"], clips[".mov"], clips[".webm"]]
    batch_id, execution_arn, _ = start_batch(
        user_id, paths, {**EXPORT_ONLY, "export_format": "mov", "export_quality": "720p"}
    )
    sfn = local_cloud.client("stepfunctions")
    execution = wait_for_execution(sfn, execution_arn)
    assert execution["status"] == "SUCCEEDED"
    assert execution["name"] == batch_id
    batch = wait_for_batch(batch_id, user_id)

    assert batch["status"] == "completed"
    assert (batch["total_videos"], batch["completed_videos"], batch["failed_videos"]) == (4, 3, 1)
    assert batch["cancelled_videos"] == 0 and batch["progress_percentage"] == 100
    assert batch["estimated_time_remaining"] == 0
    created, started, completed = (
        datetime.fromisoformat(batch[k]) for k in ("created_at", "started_at", "completed_at")
    )
    assert created <= started <= completed
    assert batch["processed_duration_seconds"] == pytest.approx(6.0, abs=0.3)
    assert batch["total_duration_seconds"] == pytest.approx(6.0, abs=0.3)  # the corrupt file has no duration

    videos = {v["position"]: v for v in batch["videos"]}
    broken = videos[2]
    assert broken["status"] == "failed"
    assert broken["error_message"].startswith("corrupt.mp4: The file is not a decodable video")
    assert broken["retry_count"] == 0  # a corrupt file is never retried
    for position in (1, 3, 4):
        video = videos[position]
        assert video["status"] == "completed", video
        assert video["progress_percentage"] == 100 and video["current_stage"] is None
        assert video["started_at"] <= video["completed_at"]
        export = video["processing_result"]["exporting"]
        assert export["key"].startswith(f"outputs/{batch_id}/{position:03d}_") and export["key"].endswith(
            ".mov"
        )
        assert video["output_video_url"].startswith("http")
        output = tmp_path / f"{position}.mov"
        ctx.storage.download(local_cloud.media_bucket, export["key"], output)
        info = probe(str(output))
        # 720p requested from a 320x180 source: never upscaled
        assert (info.width, info.height, info.video_codec, info.audio_codec) == (320, 180, "h264", "aac")
        assert "mov" in info.container and info.duration == pytest.approx(2.0, abs=0.15)

    summary = batch["summary"]
    assert summary["counts"]["completed"] == 3 and summary["counts"]["failed"] == 1
    assert summary["failures"] == [
        {"position": 2, "name": "corrupt.mp4", "retries": 0, "error": broken["error_message"]}
    ]
    assert summary["duration_before_seconds"] == pytest.approx(6.0, abs=0.3)
    assert summary["stage_seconds"]["exporting"] > 0
    report = ctx.storage.get_json(local_cloud.media_bucket, summary["report_key"])
    assert report["counts"] == summary["counts"]


def test_each_export_format_has_its_codecs(ctx, user_id, clips, local_cloud, tmp_path):
    expected = {"mp4": ("h264", "aac", "mp4"), "webm": ("vp9", "opus", "webm")}
    for fmt, (vcodec, acodec, container) in expected.items():
        batch_id, _, _ = start_batch(user_id, [clips[".mov"]], {**EXPORT_ONLY, "export_format": fmt})
        batch = wait_for_batch(batch_id, user_id)
        export = batch["videos"][0]["processing_result"]["exporting"]
        output = tmp_path / f"out.{fmt}"
        ctx.storage.download(local_cloud.media_bucket, export["key"], output)
        info = probe(str(output))
        assert (info.video_codec, info.audio_codec) == (vcodec, acodec)
        assert container in info.container


class Flaky:
    def __init__(self, task, failures: int) -> None:
        self.task, self.failures, self.calls = task, failures, 0

    def __call__(self, ctx, event):
        self.calls += 1
        if self.calls <= self.failures:
            raise MediaError(f"transient storage hiccup #{self.calls}")
        return self.task(ctx, event)


def test_a_transient_failure_is_retried_and_recorded(ctx, user_id, clips, monkeypatch):
    from functions.handlers import pipeline

    flaky = Flaky(pipeline.MEDIA_TASKS["exporting"], failures=2)
    monkeypatch.setitem(pipeline.MEDIA_TASKS, "exporting", flaky)
    batch_id, _, _ = start_batch(user_id, [clips[".mp4"]], EXPORT_ONLY)
    batch = wait_for_batch(batch_id, user_id)
    video = batch["videos"][0]
    assert video["status"] == "completed"
    assert video["retry_count"] == 2 and flaky.calls == 3
    assert video["error_message"] is None
    assert batch["completed_videos"] == 1 and batch["failed_videos"] == 0


def test_after_max_retries_the_video_fails_with_an_actionable_message(ctx, user_id, clips, monkeypatch):
    from functions.handlers import pipeline

    flaky = Flaky(pipeline.MEDIA_TASKS["exporting"], failures=99)
    monkeypatch.setitem(pipeline.MEDIA_TASKS, "exporting", flaky)
    batch_id, _, _ = start_batch(user_id, [clips[".mp4"], clips[".webm"]], EXPORT_ONLY)
    batch = wait_for_batch(batch_id, user_id)
    assert batch["status"] == "failed"  # no video completed
    assert batch["error_message"] == "Every video failed (2 of 2)"
    assert batch["failed_videos"] == 2
    for video in batch["videos"]:
        assert video["status"] == "failed" and video["retry_count"] == 3
        assert "transient storage hiccup" in video["error_message"]
        assert "gave up after 3 retries" in video["error_message"]
    assert flaky.calls == 8  # 4 attempts per video
