"""HTTP API (API Gateway HTTP API, payload v2). Thin: parse, call a use case, shape the reply."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain.enums import BatchStatus, Tier
from functions.domain.errors import DomainError
from functions.domain.schemas import (
    AddVideosRequest,
    BatchJobCreate,
    BatchJobCreated,
    BatchJobDetail,
    BatchJobList,
    ErrorResponse,
    StartResponse,
)
from functions.observability import logger, metrics, tracer
from functions.services import batches
from functions.services.batches import Caller, SortField
from functions.services.context import services

app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(
    path="/api/docs",
    title="reelflow API",
    version="1.0.0",
    description="Batch video processing: create a batch, upload, start, watch, export.",
)

TIER_CLAIMS = ("custom:tier", "tier")
ERROR_STATUSES = {
    400: "Invalid request",
    403: "Plan limit",
    404: "Batch job not found",
    409: "Conflict with the batch's state",
    422: "Malformed body or parameters",
    429: "Too many requests",
}
ERRORS: dict[int, OpenAPIResponse] = {
    code: {"description": text, "content": {"application/json": {"model": ErrorResponse}}}
    for code, text in ERROR_STATUSES.items()
}
BatchId = Annotated[str, Path(min_length=1, max_length=80)]


class Unauthorized(DomainError):
    title = "Unauthorized"
    http_status = 401


def _error(status: int, error: str, detail: Any) -> Response[ErrorResponse]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=ErrorResponse(error=error, detail=detail),
    )


@app.exception_handler(DomainError)  # type: ignore[untyped-decorator]
def domain_error(error: DomainError) -> Response[ErrorResponse]:
    return _error(error.http_status, error.title, error.detail)


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def validation_error(error: RequestValidationError) -> Response[ErrorResponse]:
    messages = []
    for item in error.errors():
        location = ".".join(
            str(part) for part in item.get("loc", ()) if part != "body" or len(item["loc"]) == 1
        )
        messages.append(f"{location}: {item.get('msg', 'invalid')}" if location else str(item.get("msg")))
    return _error(422, "Validation failed", "; ".join(messages))


@app.not_found
def not_found(_: Exception) -> Response[ErrorResponse]:
    return _error(404, "Not found", f"No route for {app.current_event.http_method} {app.current_event.path}")


def caller() -> Caller:
    """User from the JWT authorizer's claims: `sub` is the user, a tier claim the plan."""
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    user_id = claims.get("sub")
    if not user_id:
        raise Unauthorized("A bearer token with a 'sub' claim is required")
    raw_tier = next((claims[name] for name in TIER_CLAIMS if claims.get(name)), Tier.FREE.value)
    try:
        tier = Tier(str(raw_tier).lower())
    except ValueError:
        logger.warning("Unknown tier claim; treating as free", extra={"tier": raw_tier})
        tier = Tier.FREE
    return Caller(user_id=str(user_id), tier=tier)


@app.get("/api/health", summary="Liveness check (no token needed)")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post(
    "/api/batch-jobs",
    summary="Create a batch and get one upload URL per video",
    responses={
        201: {"description": "Batch created", "content": {"application/json": {"model": BatchJobCreated}}},
        **ERRORS,
    },
)
def create_batch(request: BatchJobCreate) -> Response[BatchJobCreated]:
    created = batches.create_batch(services(), caller(), request)
    metrics.add_metric(name="BatchesCreated", unit="Count", value=1)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)


@app.get("/api/batch-jobs", summary="List your batches, newest first", responses=ERRORS)
def list_batches(
    status: Annotated[BatchStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: Annotated[SortField, Query()] = "created_at",
) -> BatchJobList:
    return batches.list_batches(services(), caller(), status, limit, offset, sort)


@app.get("/api/batch-jobs/<batch_id>", summary="A batch with its videos and progress", responses=ERRORS)
def get_batch(batch_id: BatchId) -> BatchJobDetail:
    return batches.get_batch_detail(services(), caller(), batch_id)


@app.post(
    "/api/batch-jobs/<batch_id>/videos",
    summary="Add uploaded videos to a batch that has not started",
    responses=ERRORS,
)
def add_videos(batch_id: BatchId, request: AddVideosRequest) -> BatchJobDetail:
    return batches.add_videos(services(), caller(), batch_id, request.video_ids)


@app.post(
    "/api/batch-jobs/<batch_id>/start",
    summary="Start processing (every video must be uploaded)",
    responses=ERRORS,
)
def start_batch(batch_id: BatchId) -> StartResponse:
    started = batches.start_batch(services(), caller(), batch_id)
    metrics.add_metric(name="BatchesStarted", unit="Count", value=1)
    return started


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
