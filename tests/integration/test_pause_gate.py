"""The pause gate in the real ASL: videos of a paused batch park a task token and wait (no polling);
sending the tokens back resumes them. This is the mechanism the pause/resume endpoints drive."""

import time

import pytest

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.transitions import BatchAction
from functions.services.parked_tokens import release_parked
from tests.helpers import api, files_payload, upload, wait_for_batch

pytestmark = pytest.mark.usefixtures("local_cloud")


def parked_tokens(ctx, batch_id: str) -> list[dict]:
    from boto3.dynamodb.conditions import Key

    return ctx.task_tokens.table.query(
        KeyConditionExpression=Key("PK").eq(f"BATCH#{batch_id}") & Key("SK").begins_with("TOKEN#")
    )["Items"]


def test_a_paused_batch_waits_on_task_tokens_until_resumed(ctx, user_id, clips, local_cloud):
    paths = [clips[".mp4"], clips[".webm"]]
    settings = {"transcribe": False, "remove_silence": False, "detect_highlights": False}
    _, body = api(
        "POST",
        "/api/batch-jobs",
        {"name": "pause", "files": files_payload(paths), "settings": settings},
        user=user_id,
    )
    for target, path in zip(body["uploads"], paths, strict=True):
        upload(target, path)
    batch = ctx.batches.get(body["batch_job"]["id"])
    now = ctx.clock()
    batch = ctx.batches.transition(batch, BatchAction.START, now)
    ctx.batches.transition(batch, BatchAction.PAUSE, now)  # paused before any video starts
    execution = ctx.workflow.start(batch.id, {"batch_id": batch.id})

    deadline = time.monotonic() + 60
    while len(parked_tokens(ctx, batch.id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(parked_tokens(ctx, batch.id)) == 2
    time.sleep(0.5)  # waiting costs nothing: still parked, nothing started
    assert {v.status for v in ctx.batch_videos.of_batch(batch.id)} == {VideoStatus.PENDING}
    sfn = local_cloud.client("stepfunctions")
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"

    resumed = ctx.batches.transition(batch, BatchAction.RESUME, ctx.clock())
    assert resumed.status is BatchStatus.PROCESSING
    assert release_parked(ctx, batch.id) == 2
    assert ctx.task_tokens.parked(batch.id) == []  # each sent once, then deleted

    finished = wait_for_batch(batch.id, user_id)
    assert finished["status"] == "completed" and finished["completed_videos"] == 2
