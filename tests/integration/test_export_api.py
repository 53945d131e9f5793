"""Batch exports end to end in local mode: the API, the export state machine (real ASL on moto), the
export Lambda task and the Fargate stand-in, real ffmpeg on tiny clips, real presigned URLs."""

import io
import json
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests

from functions.media.binaries import ffmpeg, ffprobe
from functions.media.probe import probe
from tests.conftest import make_clip
from tests.helpers import api, start_batch, wait_for_batch

pytestmark = pytest.mark.usefixtures("local_cloud")
QUICK = {"transcribe": False, "remove_silence": False, "detect_highlights": False, "export_quality": "720p"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, local_cloud: Any) -> dict[str, Any]:
    """A completed batch of four mixed inputs: mp4 1080p, mov 720p, webm, and an mp4 without audio."""
    folder = tmp_path_factory.mktemp("mixed")
    paths = [
        make_clip(folder / "Intro Привет.mp4", 2.0, 1920, 1080, 30),
        make_clip(folder / "talk.mov", 1.5, 1280, 720, 25),
        make_clip(folder / "b-roll.webm", 1.2, 640, 360, 30),
        make_clip(folder / "silent.mp4", 1.0, 640, 360, 25, audio=False),
    ]
    user = "export-owner"
    batch_id, _, _ = start_batch(user, paths, QUICK)
    batch = wait_for_batch(batch_id, user)
    assert batch["status"] == "completed", [v["error_message"] for v in batch["videos"]]
    return {"batch_id": batch_id, "user": user, "batch": batch}


def wait_for_export(batch_id: str, export_id: str, user: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = api("GET", f"/api/batch-jobs/{batch_id}/export/{export_id}", user=user)
        assert status == 200, body
        if body["status"] in {"completed", "failed"}:
            return body
        time.sleep(0.2)
    raise AssertionError(f"export {export_id} did not finish in {timeout} s")


def export(batch_id: str, user: str, **request: Any) -> dict[str, Any]:
    status, accepted = api("POST", f"/api/batch-jobs/{batch_id}/export", request, user=user)
    assert status == 202, accepted
    done = wait_for_export(batch_id, accepted["export_id"], user)
    assert done["status"] == "completed", done["error_message"]
    return done


def outputs(local_cloud: Any, batch: dict[str, Any]) -> list[bytes]:
    from functions.services.context import services

    s3 = local_cloud.client("s3")
    members = services().batch_videos.of_batch(batch["id"])
    return [s3.get_object(Bucket=local_cloud.media_bucket, Key=m.output_key)["Body"].read() for m in members]


def test_a_zip_holds_the_outputs_numbered_and_named_by_the_pattern(mixed, local_cloud):
    done = export(
        mixed["batch_id"], mixed["user"], format="zip", custom_naming="{batch} - {position} - {name}.{ext}"
    )
    assert done["progress"] == 100 and done["file_size"] > 0
    assert "X-Amz-Signature" in done["download_url"]
    body = requests.get(done["download_url"], timeout=30).content
    assert len(body) == done["file_size"]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert names == [
            "run - 001 - Intro Привет.mp4",
            "run - 002 - talk.mp4",
            "run - 003 - b-roll.mp4",
            "run - 004 - silent.mp4",
            "results.json",
        ]
        assert [archive.read(n) for n in names[:-1]] == outputs(local_cloud, mixed["batch"])
        results = json.loads(archive.read("results.json"))
    assert [e["file"] for e in results["entries"]] == names[:-1]
    assert results["batch_id"] == mixed["batch_id"]
    key = local_cloud.client("s3").list_objects_v2(
        Bucket=local_cloud.media_bucket, Prefix=f"exports/{mixed['batch_id']}/{done['export_id']}/"
    )["Contents"]
    assert [o["Key"].rsplit("/", 1)[1] for o in key] == ["run.zip"]


def output_durations(local_cloud: Any, batch: dict[str, Any], folder: Path) -> list[float]:
    durations = []
    for index, data in enumerate(outputs(local_cloud, batch)):
        path = folder / f"output{index}.mp4"
        path.write_bytes(data)
        durations.append(probe(str(path)).duration)
    return durations


def test_a_merged_video_lasts_the_sum_of_the_clips_and_decodes_without_error(mixed, local_cloud, tmp_path):
    done = export(mixed["batch_id"], mixed["user"], format="merged")
    merged = tmp_path / "merged.mp4"
    merged.write_bytes(requests.get(done["download_url"], timeout=60).content)
    found = probe(str(merged))
    expected = sum(output_durations(local_cloud, mixed["batch"], tmp_path))
    assert abs(found.duration - expected) <= 0.5, (found.duration, expected)
    decoded = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(merged), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0 and decoded.stderr == ""
    chapters = subprocess.run(
        [ffprobe(), "-v", "error", "-show_chapters", "-of", "json", str(merged)],
        capture_output=True,
        text=True,
        check=True,
    )
    titles = [c["tags"]["title"] for c in json.loads(chapters.stdout)["chapters"]]
    assert titles == ["Intro Привет", "talk", "b-roll", "silent"]
