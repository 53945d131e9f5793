"""The S3 drop folder against local mode: files put with boto3 under dropbox/{user}/{folder}/ become one
batch per folder, started by batch.json, a `_start` marker or a quiet period (the local timer stands in
for the EventBridge schedule), whatever the order or number of the S3 events."""

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from functions.domain.drop_folder import drop_batch_id
from functions.handlers.ingest import handler as ingest_handler
from reelflow.local.invoker import LocalLambdaContext
from tests.helpers import api, wait_for_batch

FAST = {"transcribe": False, "remove_silence": False, "detect_highlights": False, "export_quality": "720p"}


def s3_record(bucket: str, key: str, size: int) -> dict[str, Any]:
    return {
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": size}},
    }


def drop(local_cloud: Any, user: str, folder: str, files: dict[str, bytes]) -> list[dict[str, Any]]:
    s3 = local_cloud.client("s3")
    records = []
    for name, body in files.items():
        key = f"dropbox/{user}/{folder}/{name}"
        s3.put_object(Bucket=local_cloud.ingest_bucket, Key=key, Body=body)
        records.append(s3_record(local_cloud.ingest_bucket, key, len(body)))
    return records


def test_a_folder_becomes_exactly_one_batch_that_completes_even_with_duplicated_reordered_events(
    local_cloud: Any, ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    assert ctx.config.drop_settle_seconds == 1  # the session cloud's short timings
    manifest = {"name": "Vlog week 3", "start": True, "priority": 7, "settings": FAST}
    files = {
        "Интервью.MOV": clips[".mov"].read_bytes(),
        "b-roll 🌊.mp4": clips[".mp4"].read_bytes(),
        "a.webm": clips[".webm"].read_bytes(),
        "notes.txt": b"not a video",
        "batch.json": json.dumps(manifest).encode(),
    }
    records = drop(local_cloud, user_id, "week 3", files)
    # S3 delivers at least once and in any order: every event again, twice, reversed
    for record in [*reversed(records), *reversed(records)]:
        ingest_handler({"Records": [record]}, LocalLambdaContext(function_name="ingest"))

    batch_id = drop_batch_id(user_id, "week 3")
    batch = wait_for_batch(batch_id, user_id, timeout=120)
    assert batch["status"] == "completed", batch
    assert batch["name"] == "Vlog week 3" and batch["source"] == "dropbox" and batch["priority"] == 7
    assert [v["original_name"] for v in batch["videos"]] == ["a.webm", "b-roll 🌊.mp4", "Интервью.MOV"]
    assert [v["position"] for v in batch["videos"]] == [1, 2, 3]
    assert all(v["status"] == "completed" for v in batch["videos"])
    outputs = [unquote(urlparse(v["output_video_url"]).path) for v in batch["videos"]]
    assert outputs[2].endswith("/003_Интервью.mp4") and outputs[1].endswith("/002_b-roll_🌊.mp4")
    assert batch["summary"]["drop_folder"]["skipped"] == ["notes.txt"]  # kept in the final summary
    listed = api("GET", "/api/batch-jobs", user=user_id)[1]
    assert [b["id"] for b in listed["batch_jobs"]] == [batch_id]  # one batch, found by listing
    videos = [ctx.videos.get(v["video_id"]) for v in batch["videos"]]
    assert all(v.probe_count == 1 for v in videos)


def test_a_folder_without_a_start_request_starts_after_the_quiet_period(
    local_cloud: Any, ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    drop(local_cloud, user_id, "quiet", {"clip.mp4": clips[".mp4"].read_bytes()})
    batch_id = drop_batch_id(user_id, "quiet")
    time.sleep(1.5)
    assert api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)[1]["status"] == "pending"
    batch = wait_for_batch(batch_id, user_id, timeout=120)
    assert batch["status"] == "completed" and batch["name"] == "quiet"


def test_an_upload_in_progress_holds_the_folder_past_its_quiet_period(
    local_cloud: Any, ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    s3, bucket = local_cloud.client("s3"), local_cloud.ingest_bucket
    held = f"dropbox/{user_id}/held/big.mp4"
    upload = s3.create_multipart_upload(Bucket=bucket, Key=held)["UploadId"]
    drop(local_cloud, user_id, "held", {"clip.mp4": clips[".mp4"].read_bytes()})
    batch_id = drop_batch_id(user_id, "held")
    quiet = ctx.config.drop_quiet_period_seconds
    deadline = time.monotonic() + quiet * 3  # several sweeps after the quiet period: still held
    while time.monotonic() < deadline:
        assert api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)[1]["status"] == "pending"
        time.sleep(0.5)
    s3.abort_multipart_upload(Bucket=bucket, Key=held, UploadId=upload)
    batch = wait_for_batch(batch_id, user_id, timeout=120)
    assert batch["status"] == "completed" and batch["total_videos"] == 1


def test_a_broken_batch_json_creates_the_batch_failed_with_the_reason(
    local_cloud: Any, ctx: Any, user_id: str, clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.config, "drop_folder_max_videos", 3)  # the deployment's drop-folder limit
    files = {
        "clip.mp4": clips[".mp4"].read_bytes(),
        "extra 1.mp4": clips[".mp4"].read_bytes(),
        "extra 2.mp4": clips[".mp4"].read_bytes(),
        "extra 3.mp4": clips[".mp4"].read_bytes(),
        "batch.json": b'{"start": true, "priority": 11}',
    }
    drop(local_cloud, user_id, "broken", files)
    batch = wait_for_batch(drop_batch_id(user_id, "broken"), user_id, timeout=60)
    assert batch["status"] == "failed"
    assert batch["error_message"].startswith("batch.json is invalid: priority")
    assert len(batch["videos"]) == 3  # the drop folder's limit: nothing lost, the extra one reported
    assert batch["summary"]["drop_folder"]["over_limit"] == ["extra 3.mp4"]
