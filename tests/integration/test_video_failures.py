"""One video's failure stays that video's, whatever state it happens in (moto runs the real ASL)."""

from typing import Any

import pytest

from tests.helpers import batch_tasks, start_batch, wait_for_batch, wait_for_execution

pytestmark = pytest.mark.usefixtures("local_cloud")

EXPORT_ONLY = {"transcribe": False, "remove_silence": False, "detect_highlights": False}
# What Lambda reports for a function that ran past its timeout.
SandboxTimedout = type("Sandbox.Timedout", (Exception,), {})


class BrokenFor:
    """A task that fails for one video (every time) and runs normally for the others."""

    def __init__(self, task: Any, position: int, error: type[Exception] = RuntimeError) -> None:
        self.task, self.position, self.error, self.calls = task, position, error, 0

    def __call__(self, ctx: Any, event: dict[str, Any]) -> Any:
        if event.get("position") == self.position:
            self.calls += 1
            raise self.error(f"Rate exceeded (call {self.calls})")
        return self.task(ctx, event)


def run(user_id: str, clips: dict[str, Any], local_cloud: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    batch_id, execution_arn, _ = start_batch(user_id, [clips[".mp4"], clips[".mov"]], EXPORT_ONLY)
    execution = wait_for_execution(local_cloud.client("stepfunctions"), execution_arn)
    batch = wait_for_batch(batch_id, user_id)
    return execution, batch


@pytest.mark.parametrize("task", ["check_gate", "finish_video"])
def test_a_bookkeeping_error_fails_that_video_and_the_batch_goes_on(
    task, ctx, user_id, clips, local_cloud, monkeypatch
):
    from functions.handlers import pipeline

    broken = BrokenFor(pipeline.CONTROL_TASKS[task], position=1)
    monkeypatch.setitem(pipeline.CONTROL_TASKS, task, broken)
    execution, batch = run(user_id, clips, local_cloud)
    assert execution["status"] == "SUCCEEDED"
    videos = {v["position"]: v for v in batch["videos"]}
    assert videos[2]["status"] == "completed"
    assert videos[1]["status"] == "failed" and "Rate exceeded" in videos[1]["error_message"]
    assert batch["status"] == "completed" and (batch["completed_videos"], batch["failed_videos"]) == (1, 1)


def test_when_even_recording_the_failure_fails_the_video_fails_alone(
    ctx, user_id, clips, local_cloud, monkeypatch
):
    from functions.handlers import pipeline

    monkeypatch.setitem(
        pipeline.MEDIA_TASKS, "exporting", BrokenFor(pipeline.MEDIA_TASKS["exporting"], position=1)
    )
    monkeypatch.setitem(
        pipeline.CONTROL_TASKS,
        "handle_failure",
        BrokenFor(pipeline.CONTROL_TASKS["handle_failure"], position=1),
    )
    execution, batch = run(user_id, clips, local_cloud)
    assert execution["status"] == "SUCCEEDED"
    videos = {v["position"]: v for v in batch["videos"]}
    assert videos[2]["status"] == "completed"
    assert videos[1]["status"] == "failed" and "could not be recorded" in videos[1]["error_message"]
    assert batch["status"] == "completed" and batch["failed_videos"] == 1


def test_a_video_that_times_out_on_lambda_is_retried_on_fargate(
    ctx, user_id, clips, local_cloud, monkeypatch
):
    from functions.handlers import pipeline

    timing_out = BrokenFor(pipeline.MEDIA_TASKS["exporting"], position=1, error=SandboxTimedout)
    monkeypatch.setitem(pipeline.MEDIA_TASKS, "exporting", timing_out)
    _, batch = run(user_id, clips, local_cloud)
    videos = {v["position"]: v for v in batch["videos"]}
    assert [videos[p]["status"] for p in (1, 2)] == ["completed", "completed"], videos[1]["error_message"]
    assert timing_out.calls == 1  # never tried on Lambda again
    assert videos[1]["retry_count"] == 0
    assert len(batch_tasks(local_cloud, batch["id"])) == 1  # "Process on Fargate" ran once
