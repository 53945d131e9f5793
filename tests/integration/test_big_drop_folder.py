"""An archive import: a drop folder of 1,000 tiny videos becomes one batch that runs to completion in
local mode, on the same state machine as AWS (the videos' Distributed Map, one child execution each).

Marked slow: not in the default suite. Run it with
`REELFLOW_BIG_DROP_VIDEOS=100 .venv/bin/python -m pytest tests/integration/test_big_drop_folder.py -m slow
--no-cov -s` (the count defaults to 1,000, the drop folder's limit). It prints what it measured:
docs/scale.md has the figures."""

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from functions.domain.drop_folder import drop_batch_id
from functions.domain.enums import Tier
from tests.conftest import make_clip
from tests.helpers import api, batch_states, wait_for_execution

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_cloud")]
VIDEOS = int(os.environ.get("REELFLOW_BIG_DROP_VIDEOS", "1000"))
TIMEOUT = VIDEOS * 30  # seconds: generous, never asserted
FAST = {"transcribe": False, "remove_silence": False, "detect_highlights": False, "export_quality": "720p"}


@pytest.mark.timeout(TIMEOUT + 600)
def test_a_drop_folder_of_many_videos_runs_as_one_batch(
    local_cloud: Any, ctx: Any, user_id: str, tmp_path: Path
) -> None:
    assert ctx.config.drop_folder_max_videos >= VIDEOS
    ctx.users.upsert(user_id, Tier.PRO, ctx.clock())  # an archive import of a pro creator: 5 videos at a time
    body = make_clip(tmp_path / "tiny.mp4", seconds=1.0, width=160, height=90, fps=10).read_bytes()
    s3 = local_cloud.client("s3")
    folder = "archive"
    bucket = local_cloud.ingest_bucket
    # A multipart upload in progress holds the folder (as a big file still uploading does): the quiet
    # period (3 s in the tests) must not start the batch at a pause between 1,000 uploads on a busy machine.
    held = f"dropbox/{user_id}/{folder}/still-uploading.mp4"
    hold = s3.create_multipart_upload(Bucket=bucket, Key=held)["UploadId"]
    began = time.monotonic()
    for index in range(VIDEOS):
        key = f"dropbox/{user_id}/{folder}/clip{index:04d}.mp4"
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    uploaded = time.monotonic()
    manifest = {"name": "Back catalogue", "start": True, "settings": FAST}
    s3.put_object(
        Bucket=bucket, Key=f"dropbox/{user_id}/{folder}/batch.json", Body=json.dumps(manifest).encode()
    )
    s3.abort_multipart_upload(Bucket=bucket, Key=held, UploadId=hold)
    batch_id = drop_batch_id(user_id, folder)
    sfn = local_cloud.client("stepfunctions")
    # The batch's detail (1,000 videos, their links) is read once, after its execution ends: polling it
    # every 0.2 s as wait_for_batch does took most of the process's time by the 200th video.
    execution = wait_for_execution(sfn, _started_execution(batch_id, user_id), timeout=TIMEOUT, interval=5.0)
    finished = time.monotonic()
    read_began = time.monotonic()
    status, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id, tier=Tier.PRO)
    read_seconds = time.monotonic() - read_began
    assert status == 200, batch

    assert batch["status"] == "completed", batch.get("error_message")
    assert batch["total_videos"] == VIDEOS and batch["completed_videos"] == VIDEOS
    assert batch["summary"]["drop_folder"]["over_limit"] == []
    assert [v["position"] for v in batch["videos"]] == list(range(1, VIDEOS + 1))
    assert all(v["status"] == "completed" for v in batch["videos"])
    assert execution["status"] == "SUCCEEDED" and execution["executionArn"] == batch["execution_arn"]
    events = sfn.get_execution_history(executionArn=batch["execution_arn"], maxResults=1000)["events"]
    assert batch_states(sfn, batch["execution_arn"]) == ["Prepare batch", "Process videos", "Complete batch"]
    prepared = next(e for e in events if e["type"] == "TaskSucceeded")
    output = json.loads(prepared["taskSucceededEventDetails"]["output"])
    state_bytes = len(json.dumps(output["Payload"]))
    assert state_bytes < 256 * 1024
    ran = finished - uploaded
    print(
        f"\n{VIDEOS} videos: uploaded in {uploaded - began:.1f} s, batch completed {ran:.1f} s after the "
        f"last upload ({ran / VIDEOS:.2f} s a video); the batch's history {len(events)} events; "
        f"Prepare batch's answer {state_bytes} bytes; the batch's detail read in {read_seconds:.2f} s"
    )


def _started_execution(batch_id: str, user_id: str) -> str:
    """The batch's execution, once the drop folder has started it."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id, tier=Tier.PRO)
        if status == 200 and batch.get("execution_arn"):
            return str(batch["execution_arn"])
        time.sleep(2.0)
    raise AssertionError(f"the drop folder's batch {batch_id} did not start in 600 s")
