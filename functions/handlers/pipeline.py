"""Tasks of the batch state machine. `task` (control) or `stage` (media) in the payload names the step;
each payload is parsed into its model of `functions/domain/pipeline_contract.py` with Powertools' parser,
and each reply is that contract's output model. See statemachines/batch.asl.json.

Three functions share this module: `control_handler` (bookkeeping, small and quick), `media_handler`
(probe and the media stages, with ffmpeg and a large /tmp) and `transcriber_handler` (the Transcribe
state with faster-whisper, from a container image).
"""

import time
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from functions.domain import pipeline_contract as contract
from functions.domain.enums import Stage, VideoStatus
from functions.observability import lambda_logging, metrics, request_keys, tracer
from functions.services import batch_lifecycle
from functions.services.context import Services, services
from functions.services.stages import STAGE_RUNNERS, StageRunner
from functions.services.stages.split_export import plan_export, render_part, stitch_parts
from functions.services.stages.split_transcription import join_transcript, transcribe_group
from functions.services.transcription import start_transcription
from functions.services.workspace import invocation_scratch

# A task takes the raw payload (parsed inside, so tests may wrap a task) and returns the JSON reply.
Task = Callable[[Services, dict[str, Any]], dict[str, Any]]
In = TypeVar("In", bound=BaseModel)


def _task(model: type[In], run: Callable[[Services, In], BaseModel | None]) -> Task:
    def task(ctx: Services, event: dict[str, Any]) -> dict[str, Any]:
        return contract.dump(run(ctx, parse(event=event, model=model)))

    return task


CONTROL_TASKS: dict[str, Task] = {
    "prepare_batch": _task(
        contract.PrepareBatchInput, lambda ctx, e: batch_lifecycle.prepare_batch(ctx, e.batch_id)
    ),
    "check_gate": _task(contract.CheckGateInput, batch_lifecycle.check_gate),
    "park_until_resumed": _task(
        contract.ParkInput, lambda ctx, e: batch_lifecycle.park_until_resumed(ctx, e, e.task_token)
    ),
    "begin_video": _task(contract.BeginVideoInput, batch_lifecycle.begin_video),
    "finish_video": _task(contract.FinishVideoInput, batch_lifecycle.finish_video),
    "handle_failure": _task(
        contract.HandleFailureInput,
        lambda ctx, e: batch_lifecycle.handle_failure(ctx, e, e.error, e.retry_delays_seconds),
    ),
    "complete_batch": _task(
        contract.CompleteBatchInput, lambda ctx, e: batch_lifecycle.complete_batch(ctx, e.batch_id)
    ),
    "fail_batch": _task(
        contract.FailBatchInput, lambda ctx, e: batch_lifecycle.fail_batch(ctx, e.batch_id, e.error)
    ),
}


def _dispatch(tasks: dict[str, Task], name: Any, event: dict[str, Any]) -> dict[str, Any]:
    if name not in tasks:
        raise ValueError(f"Unknown task {name!r}; expected one of {sorted(tasks)}")
    request_keys(task=name, batch_id=event.get("batch_id"), video_id=event.get("video_id"))
    return tasks[name](services(), event)


@lambda_logging
@tracer.capture_lambda_handler
@metrics.log_metrics
def control_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    name = event.get("task")
    result = _dispatch(CONTROL_TASKS, name, event)
    if name == "finish_video" and result.get("status") == VideoStatus.COMPLETED.value:
        metrics.add_metric(name="VideosCompleted", unit=MetricUnit.Count, value=1)
    if name == "handle_failure" and not result.get("retry"):
        metrics.add_metric(name="VideosFailed", unit=MetricUnit.Count, value=1)
    return result


def _stage_task(stage: StageRunner) -> Task:
    return _task(contract.StageInput, lambda ctx, e: stage(ctx, e.video()))


MEDIA_TASKS: dict[str, Task] = {name: _stage_task(stage) for name, stage in STAGE_RUNNERS.items()}
# The Transcribe state waits for a task token: answered now (local engine) or by the job's event; a long
# video's speech is heard by the Transcribe parts Map, in groups, then joined.
TRANSCRIPTION_TASKS: dict[str, Task] = {
    Stage.TRANSCRIBING.value: _task(
        contract.TranscribeInput,
        lambda ctx, e: start_transcription(ctx, e.video(), e.task_token),
    ),
    contract.TRANSCRIBE_GROUP: _task(contract.TranscribeGroupInput, transcribe_group),
    contract.JOIN_TRANSCRIPT: _task(contract.JoinTranscriptInput, join_transcript),
}
MEDIA_TASKS.update(TRANSCRIPTION_TASKS)
# On Lambda the export renders a short video at once and answers a long one's parts for the Map.
MEDIA_TASKS[Stage.EXPORTING.value] = _task(contract.StageInput, lambda ctx, e: plan_export(ctx, e.video()))
MEDIA_TASKS[contract.RENDER_PART] = _task(contract.RenderPartInput, render_part)
MEDIA_TASKS[contract.STITCH] = _task(contract.StitchInput, stitch_parts)


# The Transcriber (a container image with faster-whisper and its models) runs the transcription only.
TRANSCRIBER_TASKS: dict[str, Task] = dict(TRANSCRIPTION_TASKS)


@lambda_logging
@tracer.capture_lambda_handler
@metrics.log_metrics
def media_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _run_stage(MEDIA_TASKS, event)


@lambda_logging
@tracer.capture_lambda_handler
@metrics.log_metrics
def transcriber_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _run_stage(TRANSCRIBER_TASKS, event)


def _run_stage(tasks: dict[str, Task], event: dict[str, Any]) -> dict[str, Any]:
    name = event.get("stage")
    started = time.monotonic()
    with invocation_scratch():  # a warm sandbox keeps /tmp: leave nothing in it
        result = _dispatch(tasks, name, event)
    if is_metrics_disabled():  # single_metric does not check this itself
        return result
    # A metric of its own, so its stage dimension never leaks into the handler's other metrics.
    with single_metric(
        name="StageSeconds", unit=MetricUnit.Seconds, value=time.monotonic() - started, namespace="reelflow"
    ) as metric:
        metric.add_dimension(name="service", value="reelflow-pipeline")
        metric.add_dimension(name="stage", value=str(name))
    return result
