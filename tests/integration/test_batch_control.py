"""Pause, resume, cancel, retry-failed and delete through the API, on batches run by the real ASL in
moto's interpreter with real ffmpeg."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from functions.domain.enums import Tier
from functions.domain.errors import InvalidMediaError
from tests.helpers import api, start_batch, wait_for_batch, wait_for_execution

pytestmark = pytest.mark.usefixtures("local_cloud")

EXPORT_ONLY = {"transcribe": False, "remove_silence": False, "detect_highlights": False}
FREE = Tier.FREE  # one video in flight: video 2 waits for video 1


def wait_until(check: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Gate:
    """Wraps a media task: each call blocks until the test opens the gate (a video 'still running').
    The local cloud is shared by the tests of a worker, and an execution an earlier test left running may
    reach the task too: a test reads the calls of its own videos (`of`)."""

    def __init__(self, task: Callable[[Any, Any], Any]) -> None:
        self.task, self.open = task, threading.Event()
        self.calls: list[str] = []

    def of(self, video_ids: list[str]) -> list[str]:
        return [video for video in self.calls if video in video_ids]

    def __call__(self, ctx: Any, event: Any) -> Any:  # a task's event, or the worker's VideoRef
        self.calls.append(event["video_id"] if isinstance(event, dict) else event.video_id)
        if not self.open.wait(120):
            raise TimeoutError("the test never opened the gate")
        return self.task(ctx, event)


@pytest.fixture
def export_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    from functions.handlers import pipeline

    gate = Gate(pipeline.MEDIA_TASKS["exporting"])
    monkeypatch.setitem(pipeline.MEDIA_TASKS, "exporting", gate)
    yield gate
    gate.open.set()  # never leave an interpreter thread blocked


def batch_of(batch_id: str, user: str, tier: Tier = FREE) -> dict[str, Any]:
    status, body = api("GET", f"/api/batch-jobs/{batch_id}", user=user, tier=tier)
    assert status == 200, body
    return body


def statuses(batch: dict[str, Any]) -> list[str]:
    return [v["status"] for v in sorted(batch["videos"], key=lambda v: v["position"])]


def media_keys(local_cloud: Any, prefix: str) -> list[str]:
    listed = local_cloud.client("s3").list_objects_v2(Bucket=local_cloud.media_bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def test_pause_while_video_one_runs_then_resume_completes(user_id, clips, export_gate, local_cloud):
    paths = [clips[".mp4"], clips[".mov"], clips[".webm"]]
    batch_id, _, video_ids = start_batch(user_id, paths, EXPORT_ONLY, tier=FREE)
    wait_until(lambda: len(export_gate.of(video_ids)) == 1, what="video 1 exporting")

    status, paused = api("POST", f"/api/batch-jobs/{batch_id}/pause", user=user_id, tier=FREE)
    assert status == 200 and paused["status"] == "paused"
    export_gate.open.set()  # video 1 finishes while paused
    wait_until(lambda: statuses(batch_of(batch_id, user_id))[0] == "completed", what="video 1 done")
    from functions.services.context import services

    ctx = services()
    # Video 2 reaches the gate and parks its task token; nothing polls, nothing starts.
    wait_until(lambda: _parked(ctx, batch_id) == 1, what="video 2 parked")
    time.sleep(0.5)
    held = batch_of(batch_id, user_id)
    assert held["status"] == "paused" and statuses(held) == ["completed", "pending", "pending"]
    assert export_gate.of(video_ids) == [video_ids[0]]

    status, resumed = api("POST", f"/api/batch-jobs/{batch_id}/resume", user=user_id, tier=FREE)
    assert status == 200 and resumed["status"] == "processing"
    done = wait_for_batch(batch_id, user_id, tier=FREE)
    assert done["status"] == "completed" and statuses(done) == ["completed"] * 3
    assert (done["completed_videos"], done["failed_videos"], done["cancelled_videos"]) == (3, 0, 0)
    assert export_gate.of(video_ids) == video_ids  # in order, each once


def _tokens_of(batch_id: str) -> Any:
    from boto3.dynamodb.conditions import Key

    from functions.adapters.keys import TOKEN_PREFIX, batch_pk

    return Key("PK").eq(batch_pk(batch_id)) & Key("SK").begins_with(TOKEN_PREFIX)


def _parked(ctx: Any, batch_id: str) -> int:
    return len(ctx.task_tokens.table.query(KeyConditionExpression=_tokens_of(batch_id))["Items"])


def test_cancel_mid_batch_stops_the_execution_and_removes_work_files(
    user_id, clips, export_gate, local_cloud
):
    paths = [clips[".mp4"], clips[".mov"], clips[".webm"]]
    batch_id, execution_arn, video_ids = start_batch(user_id, paths, EXPORT_ONLY, tier=FREE)
    wait_until(lambda: len(export_gate.of(video_ids)) == 1, what="video 1 exporting")
    s3 = local_cloud.client("s3")
    scratch = f"work/{batch_id}/{video_ids[0]}/audio.flac"  # what a transcribing video leaves
    s3.put_object(Bucket=local_cloud.media_bucket, Key=scratch, Body=b"scratch")

    status, cancelled = api("POST", f"/api/batch-jobs/{batch_id}/cancel", user=user_id, tier=FREE)

    assert status == 200, cancelled
    assert cancelled["execution_stopped"] is True and cancelled["removed_objects"] >= 1
    batch = cancelled["batch_job"]
    assert batch["status"] == "cancelled"
    assert (batch["completed_videos"], batch["failed_videos"], batch["cancelled_videos"]) == (0, 0, 3)
    assert media_keys(local_cloud, f"work/{batch_id}/") == []
    # moto's interpreter stops between states (AWS at once): let the running stage return.
    export_gate.open.set()
    sfn = local_cloud.client("stepfunctions")
    # AWS: ABORTED. moto 5.2.5 aborts a running Map iteration with an AttributeError, so FAILED there.
    assert wait_for_execution(sfn, execution_arn, timeout=60)["status"] in {"ABORTED", "FAILED"}
    assert export_gate.of(video_ids) == video_ids[:1]  # no other video started
    after = batch_of(batch_id, user_id)
    assert after["status"] == "cancelled" and statuses(after) == ["cancelled"] * 3
    assert (after["completed_videos"], after["cancelled_videos"], after["progress_percentage"]) == (0, 3, 100)
    status, again = api("POST", f"/api/batch-jobs/{batch_id}/cancel", user=user_id, tier=FREE)
    assert (status, again["error"]) == (400, "Batch already finished")


class FailsOnce:
    """The first attempt fails with an error the pipeline does not retry by itself."""

    def __init__(self, task: Callable[[Any, dict[str, Any]], Any]) -> None:
        self.task, self.calls = task, 0

    def __call__(self, ctx: Any, event: dict[str, Any]) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise InvalidMediaError("the upload was still being replaced; try again")
        return self.task(ctx, event)


def test_retry_failed_reruns_the_failed_video_as_run_two(user_id, clips, monkeypatch, local_cloud):
    from functions.handlers import pipeline

    flaky = FailsOnce(pipeline.MEDIA_TASKS["exporting"])
    monkeypatch.setitem(pipeline.MEDIA_TASKS, "exporting", flaky)
    batch_id, _, video_ids = start_batch(user_id, [clips[".mp4"]], EXPORT_ONLY)
    failed = wait_for_batch(batch_id, user_id)
    assert failed["status"] == "failed"  # its only video failed
    assert failed["error_message"] == "Every video failed (1 of 1)"
    assert failed["summary"]["failures"][0]["error"].startswith("the upload was still")

    status, retried = api("POST", f"/api/batch-jobs/{batch_id}/retry-failed", user=user_id)
    assert status == 200, retried
    assert retried["execution_name"] == f"{batch_id}-run2" and retried["retried_video_ids"] == video_ids
    sfn = local_cloud.client("stepfunctions")
    assert wait_for_execution(sfn, retried["job_id"])["status"] == "SUCCEEDED"
    done = wait_for_batch(batch_id, user_id)
    video = done["videos"][0]
    assert done["status"] == "completed" and (done["completed_videos"], done["failed_videos"]) == (1, 0)
    assert (video["status"], video["retry_count"], video["error_message"]) == ("completed", 1, None)
    assert done["error_message"] is None and done["summary"]["failures"] == []
    status, refused = api("POST", f"/api/batch-jobs/{batch_id}/retry-failed", user=user_id)
    assert (status, refused["error"]) == (400, "Nothing to retry")


def test_mixed_results_complete_and_list_the_failures(user_id, clips):
    batch_id, _, _ = start_batch(user_id, [clips[".mp4"], clips["corrupt"]], EXPORT_ONLY)
    done = wait_for_batch(batch_id, user_id)
    assert done["status"] == "completed" and done["error_message"] is None
    assert done["summary"]["outcome"] == "completed"
    assert [f["position"] for f in done["summary"]["failures"]] == [2]


def test_delete_removes_records_and_every_object(ctx, user_id, clips, local_cloud):
    batch_id, _, video_ids = start_batch(user_id, [clips[".mp4"], clips[".mov"]], EXPORT_ONLY)
    done = wait_for_batch(batch_id, user_id)
    assert done["completed_videos"] == 2
    assert media_keys(local_cloud, f"outputs/{batch_id}/") and media_keys(local_cloud, f"reports/{batch_id}/")
    uploads = [ctx.videos.get(v).s3_key for v in video_ids]

    assert api("DELETE", f"/api/batch-jobs/{batch_id}", user="someone-else")[0] == 404
    assert api("DELETE", f"/api/batch-jobs/{batch_id}", user=user_id) == (204, None)

    assert api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)[0] == 404
    from boto3.dynamodb.conditions import Key

    from functions.adapters.keys import batch_pk

    left = ctx.batches.table.query(KeyConditionExpression=Key("PK").eq(batch_pk(batch_id)))["Items"]
    assert left == []
    assert all(ctx.videos.get(v) is None for v in video_ids)
    for prefix in ("work", "results", "transcripts", "outputs", "reports", "exports"):
        assert media_keys(local_cloud, f"{prefix}/{batch_id}/") == [], prefix
    s3 = local_cloud.client("s3")
    for key in uploads:
        assert s3.list_objects_v2(Bucket=local_cloud.ingest_bucket, Prefix=key).get("KeyCount", 0) == 0
    assert api("DELETE", f"/api/batch-jobs/{batch_id}", user=user_id)[0] == 404


def test_cancel_stops_the_fargate_task_of_a_long_video(ctx, user_id, clips, local_cloud, monkeypatch):
    from functions.services import stages

    gate = Gate(stages.STAGE_RUNNERS["exporting"])
    monkeypatch.setitem(stages.STAGE_RUNNERS, "exporting", gate)
    monkeypatch.setattr(ctx.config, "lambda_max_media_seconds", 0.0)  # every video goes to Fargate
    try:
        batch_id, _, video_ids = start_batch(user_id, [clips[".mp4"]], EXPORT_ONLY)
        wait_until(lambda: len(gate.of(video_ids)) == 1, what="the worker exporting")
        ecs = local_cloud.client("ecs")
        tasks = ecs.list_tasks(cluster=local_cloud.cluster_arn)["taskArns"]
        described = ecs.describe_tasks(cluster=local_cloud.cluster_arn, tasks=tasks)["tasks"]
        ours = [t for t in described if batch_id in json.dumps(t.get("overrides") or {})]  # not other tests'
        running = [t["taskArn"] for t in ours if t.get("lastStatus") != "STOPPED"]
        assert running

        status, cancelled = api("POST", f"/api/batch-jobs/{batch_id}/cancel", user=user_id)

        assert status == 200 and cancelled["execution_stopped"] is True
        described = ecs.describe_tasks(cluster=local_cloud.cluster_arn, tasks=running)["tasks"]
        assert {t["lastStatus"] for t in described} == {"STOPPED"}
        assert cancelled["batch_job"]["cancelled_videos"] == 1
    finally:
        gate.open.set()
