"""Tasks of the batch state machine. `task` in the payload names the step; see statemachines/batch.asl.json.

Two functions share this module: `control_handler` (bookkeeping, small and quick) and `media_handler`
(probe and the media stages, with ffmpeg and a large /tmp).
"""

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain.enums import Stage
from functions.observability import lambda_logging, metrics, request_keys, tracer
from functions.services import batch_lifecycle
from functions.services.batch_lifecycle import VideoRef
from functions.services.context import Services, services
from functions.services.stages import STAGE_RUNNERS, StageRunner
from functions.services.transcription import start_transcription

Task = Callable[[Services, dict[str, Any]], Any]

CONTROL_TASKS: dict[str, Task] = {
    "prepare_batch": lambda ctx, e: batch_lifecycle.prepare_batch(ctx, e["batch_id"]),
    "check_gate": lambda ctx, e: batch_lifecycle.check_gate(ctx, VideoRef.model_validate(e)),
    "park_until_resumed": lambda ctx, e: batch_lifecycle.park_until_resumed(
        ctx, VideoRef.model_validate(e), e["task_token"]
    ),
    "begin_video": lambda ctx, e: batch_lifecycle.begin_video(ctx, VideoRef.model_validate(e)),
    "finish_video": lambda ctx, e: batch_lifecycle.finish_video(ctx, VideoRef.model_validate(e)),
    "handle_failure": lambda ctx, e: batch_lifecycle.handle_failure(
        ctx, VideoRef.model_validate(e), e.get("error") or {}, str(e.get("retry_delays_seconds", "0"))
    ),
    "complete_batch": lambda ctx, e: batch_lifecycle.complete_batch(ctx, e["batch_id"]),
    "fail_batch": lambda ctx, e: batch_lifecycle.fail_batch(ctx, e["batch_id"], e.get("error") or {}),
}


def _dispatch(tasks: dict[str, Task], event: dict[str, Any]) -> Any:
    name = event.get("task")
    if name not in tasks:
        raise ValueError(f"Unknown task {name!r}; expected one of {sorted(tasks)}")
    request_keys(task=name, batch_id=event.get("batch_id"), video_id=event.get("video_id"))
    return tasks[name](services(), event)


@lambda_logging
@tracer.capture_lambda_handler
@metrics.log_metrics
def control_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    result = _dispatch(CONTROL_TASKS, event)
    if event["task"] == "finish_video" and result.get("status") == "completed":
        metrics.add_metric(name="VideosCompleted", unit=MetricUnit.Count, value=1)
    if event["task"] == "handle_failure" and not result.get("retry"):
        metrics.add_metric(name="VideosFailed", unit=MetricUnit.Count, value=1)
    return result


def _stage_task(stage: StageRunner) -> Task:
    return lambda ctx, event: stage(ctx, VideoRef.model_validate(event)).as_output()


MEDIA_TASKS: dict[str, Task] = {name: _stage_task(stage) for name, stage in STAGE_RUNNERS.items()}
# The Transcribe state waits for a task token: answered now (local engine) or by the job's event.
MEDIA_TASKS[Stage.TRANSCRIBING.value] = lambda ctx, e: start_transcription(
    ctx, VideoRef.model_validate(e), e["task_token"]
)


@lambda_logging
@tracer.capture_lambda_handler
@metrics.log_metrics
def media_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    event = {**event, "task": event.get("stage", event.get("task"))}
    started = time.monotonic()
    result = _dispatch(MEDIA_TASKS, event)
    if is_metrics_disabled():  # single_metric does not check this itself
        return result
    # A metric of its own, so its stage dimension never leaks into the handler's other metrics.
    with single_metric(
        name="StageSeconds", unit=MetricUnit.Seconds, value=time.monotonic() - started, namespace="reelflow"
    ) as metric:
        metric.add_dimension(name="service", value="reelflow-pipeline")
        metric.add_dimension(name="stage", value=str(event["task"]))
    return result
