"""Export routes: request an export of a finished batch, follow it, list the batch's exports."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.domain.export_views import ExportAccepted, ExportDetail, ExportHistory
from functions.domain.exports import ExportRequest
from functions.handlers.http import BEARER, BatchId, caller_of, responses_for
from functions.observability import metrics
from functions.services import exports
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]
ExportId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/api/batch-jobs/<batch_id>/export",
    summary="Export a finished batch: one ZIP, one merged video or a playlist",
    description="An identical request (same format and options) within the export's lifetime (24 h) "
    "returns the existing export. Only completed batches, or with include_failed any finished batch.",
    security=BEARER,
    responses=responses_for(
        ExportAccepted, 400, 404, 409, status=202, description="Export accepted", body=True
    ),
)
def request_export(batch_id: BatchId, request: ExportRequest) -> Response[ExportAccepted]:
    accepted = exports.request_export(services(), caller_of(router.current_event), batch_id, request)
    if not accepted.reused:
        metrics.add_metric(name="ExportsRequested", unit="Count", value=1)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


@router.get(
    "/api/batch-jobs/<batch_id>/export/<export_id>",
    summary="An export's status and progress, and a fresh download URL once it is ready",
    security=BEARER,
    responses=responses_for(ExportDetail, 404),
)
def get_export(batch_id: BatchId, export_id: ExportId) -> ExportDetail:
    return exports.get_export(services(), caller_of(router.current_event), batch_id, export_id)


@router.get(
    "/api/batch-jobs/<batch_id>/exports",
    summary="The batch's exports, newest first",
    security=BEARER,
    responses=responses_for(ExportHistory, 404),
)
def list_exports(batch_id: BatchId) -> ExportHistory:
    return exports.list_exports(services(), caller_of(router.current_event), batch_id)
