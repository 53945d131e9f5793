"""Control routes (seed 3.5): pause, resume, cancel, retry failed videos, delete a finished batch."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.domain.control_schemas import CancelResponse, RetryFailedRequest, RetryFailedResponse
from functions.domain.schemas import BatchJobResponse
from functions.handlers.http import BEARER, BatchId, caller_of, responses_for
from functions.observability import metrics
from functions.services import batch_controls
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]


@router.post(
    "/api/batch-jobs/<batch_id>/pause",
    summary="Pause: no new video starts, running ones finish",
    description="Only a processing or queued batch; else 400 `Batch is not running`.",
    security=BEARER,
    responses=responses_for(BatchJobResponse, 400, 404, description="Batch paused"),
)
def pause_batch(batch_id: BatchId) -> BatchJobResponse:
    paused = batch_controls.pause_batch(services(), caller_of(router.current_event), batch_id)
    metrics.add_metric(name="BatchesPaused", unit="Count", value=1)
    return paused


@router.post(
    "/api/batch-jobs/<batch_id>/resume",
    summary="Resume a paused batch where it stopped",
    description="Only a paused batch; else 400 `Batch is not paused`.",
    security=BEARER,
    responses=responses_for(BatchJobResponse, 400, 404, description="Batch resumed"),
)
def resume_batch(batch_id: BatchId) -> BatchJobResponse:
    return batch_controls.resume_batch(services(), caller_of(router.current_event), batch_id)


@router.post(
    "/api/batch-jobs/<batch_id>/cancel",
    summary="Cancel at once: stop the execution, cancel unfinished videos, remove work files",
    description="From pending, queued, processing or paused; else 400 `Batch already finished`. "
    "Outputs of completed videos stay.",
    security=BEARER,
    responses=responses_for(CancelResponse, 400, 404, description="Batch cancelled"),
)
def cancel_batch(batch_id: BatchId) -> CancelResponse:
    cancelled = batch_controls.cancel_batch(services(), caller_of(router.current_event), batch_id)
    metrics.add_metric(name="BatchesCancelled", unit="Count", value=1)
    return cancelled


@router.post(
    "/api/batch-jobs/<batch_id>/retry-failed",
    summary="Run failed videos again as a new execution `{batch_id}-run{N}`",
    description="A finished batch's failed videos with retries left, or exactly `video_ids`; "
    "400 `Nothing to retry` says why when none can be.",
    security=BEARER,
    responses=responses_for(RetryFailedResponse, 400, 404, description="Retry started", body=True),
)
def retry_failed(batch_id: BatchId, request: RetryFailedRequest | None = None) -> RetryFailedResponse:
    video_ids = request.video_ids if request is not None else None
    return batch_controls.retry_failed(services(), caller_of(router.current_event), batch_id, video_ids)


@router.delete(
    "/api/batch-jobs/<batch_id>",
    summary="Delete a finished batch, its records and every file it owns",
    description="Only a completed, failed or cancelled batch; else 409 `Batch is still active`.",
    security=BEARER,
    responses=responses_for(None, 404, 409, status=204, description="Batch deleted"),
)
def delete_batch(batch_id: BatchId) -> Response[None]:
    batch_controls.delete_batch(services(), caller_of(router.current_event), batch_id)
    metrics.add_metric(name="BatchesDeleted", unit="Count", value=1)
    return Response(status_code=204, body=None)
