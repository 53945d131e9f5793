"""The version of each file checked at the start is pinned: the pipeline reads it with S3's
GetObject IfMatch, and a file replaced after the start (through its still-valid upload URL) fails that
video with "file changed after start", never processed as the file that was probed."""

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from functions.domain.enums import VideoStatus
from functions.domain.errors import SourceChangedError
from functions.domain.pipeline_contract import TaskError, VideoRef
from functions.services import batch_lifecycle, batches
from functions.services.stages.stage_context import StageContext
from tests.helpers import api, files_payload, upload


def test_a_file_replaced_after_the_start_fails_its_video_with_its_reason(
    ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    clip = clips[".mp4"]
    status, body = api(
        "POST", "/api/batch-jobs", {"name": "pinned", "files": files_payload([clip])}, user=user_id
    )
    assert status == 201, body
    target, batch_id = body["uploads"][0], body["batch_job"]["id"]
    upload(target, clip)  # probed inside the PUT (the S3 event is delivered synchronously)
    slots = ctx.batch_videos.of_batch(batch_id)
    unchecked, checked = batches.checked_versions(ctx, slots)  # what the start checks, then pins
    assert unchecked == [] and set(checked) == {target["video_id"]}
    batches.pin_sources(ctx, batch_id, slots, checked, ctx.clock())
    ref = VideoRef(batch_id=batch_id, video_id=target["video_id"], position=1)
    pinned = StageContext(ctx, ref)
    assert pinned.batch_video.source_etag == checked[ref.video_id]
    assert pinned.source().read_bytes() == clip.read_bytes()  # the checked version is read
    pinned.workspace.clear()

    original = clip.read_bytes()
    replaced = original[:-1] + bytes([original[-1] ^ 0xFF])  # same size: the signed URL still takes it
    sent = requests.put(target["url"], data=replaced, headers=target["headers"], timeout=60)
    assert sent.status_code == 200, sent.text
    with pytest.raises(SourceChangedError, match="file changed after start") as changed:
        StageContext(ctx, ref).source()

    # the Media function's error, as the state machine's Catch hands it over: the video fails for good
    error = TaskError(error="SourceChangedError", cause=json.dumps({"errorMessage": str(changed.value)}))
    decision = batch_lifecycle.handle_failure(ctx, ref, error, [0])
    assert decision.retry is False
    failed = ctx.batch_videos.get(batch_id, ref.video_id)
    assert failed.status is VideoStatus.FAILED and "file changed after start" in failed.error_message
    assert failed.error_message.startswith(clip.name)
