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
from functions.domain.stage_results import ProbeSummary
from functions.media.probe import probe
from functions.services import batch_lifecycle, batches
from functions.services.stages.stage_context import StageContext
from tests.helpers import api, files_payload, upload


def pinned_upload(ctx: Any, user_id: str, clip: Path) -> tuple[dict[str, Any], VideoRef, dict[str, str]]:
    """`clip` uploaded to a new batch and pinned as the start pins it: its upload target, its video and
    the versions pinned."""
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
    return target, VideoRef(batch_id=batch_id, video_id=target["video_id"], position=1), checked


def probed(sc: StageContext, clip: Path) -> StageContext:
    """`sc` as the stages after the probe see it: with the probe's result."""
    summary = ProbeSummary(**probe(str(clip)).model_dump(), route="lambda")
    sc.result = sc.result.model_copy(update={"probe": summary})
    return sc


def test_a_file_replaced_after_the_start_fails_its_video_with_its_reason(
    ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    clip = clips[".mp4"]
    target, ref, checked = pinned_upload(ctx, user_id, clip)
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
    with pytest.raises(SourceChangedError, match="file changed after start"):
        probed(StageContext(ctx, ref), clip).audio()  # streamed by URL, pinned: S3 answers 412

    # the Media function's error, as the state machine's Catch hands it over: the video fails for good
    error = TaskError(error="SourceChangedError", cause=json.dumps({"errorMessage": str(changed.value)}))
    decision = batch_lifecycle.handle_failure(ctx, ref, error, [0])
    assert decision.retry is False
    failed = ctx.batch_videos.get(ref.batch_id, ref.video_id)
    assert failed.status is VideoStatus.FAILED and "file changed after start" in failed.error_message
    assert failed.error_message.startswith(clip.name)


def test_the_analysis_streams_the_pinned_source_without_a_copy_in_tmp(
    ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    clip = clips[".mp4"]
    _, ref, _ = pinned_upload(ctx, user_id, clip)
    analysis = probed(StageContext(ctx, ref), clip)
    try:
        wav = analysis.audio()
        duration = analysis.probe_result().duration
        assert wav.stat().st_size > 16_000 * 2 * duration * 0.9  # 16 kHz mono, 16-bit: all of it
        assert analysis.workspace.downloaded(analysis.video) is None  # read by URL, not downloaded
        assert [p.name for p in analysis.workspace.root.iterdir()] == ["audio.wav"]
    finally:
        analysis.workspace.clear()
