"""HTTP API (API Gateway HTTP API, payload v2): the resolver, its error handlers and the Lambda handler.
Routes live in functions/handlers/routes/, one Router per feature: a new feature adds a module and one
`include_router` line here."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.adapters.idempotency import register_lambda_context
from functions.domain.errors import DomainError
from functions.domain.progress_events import openapi_components
from functions.domain.schemas import ErrorResponse
from functions.handlers.http import error_response, unavailable_detail
from functions.handlers.request_guard import refusal
from functions.handlers.resolver import DocumentedResolver
from functions.handlers.routes import batches, control, exports, health, notifications, progress, uploads
from functions.handlers.routes import drop_folder as drop_folder_routes
from functions.handlers.routes import usage as usage_routes
from functions.observability import lambda_logging, logger, metrics, tracer

app = DocumentedResolver(enable_validation=True, extra_schemas=openapi_components)
OPENAPI: dict[str, Any] = {
    "title": "reelflow API",
    "version": "1.0.0",
    "description": "Batch video processing: create a batch, upload, start, watch, export.",
    "security_schemes": {
        "bearerAuth": HTTPBearer(
            bearerFormat="JWT",
            description="A Cognito ID token (locally: `reelflow token`); it must carry exp and sub.",
        )
    },
}
app.configure_openapi(**OPENAPI)
app.enable_swagger(path="/api/docs", **OPENAPI)
app.include_router(health.router)
app.include_router(batches.router)
app.include_router(control.router)
app.include_router(exports.router)
app.include_router(progress.router)
app.include_router(notifications.router)
app.include_router(usage_routes.router)
app.include_router(uploads.router)
app.include_router(drop_folder_routes.router)


@app.exception_handler(DomainError)  # type: ignore[untyped-decorator]
def domain_error(error: DomainError) -> Response[ErrorResponse]:
    return error_response(error.http_status, error.title, error.detail)


@app.exception_handler(IdempotencyAlreadyInProgressError)  # type: ignore[untyped-decorator]
def already_in_progress(_: IdempotencyAlreadyInProgressError) -> Response[ErrorResponse]:
    return error_response(409, "Request in progress", "A request with this Idempotency-Key is still running")


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def validation_error(error: RequestValidationError) -> Response[ErrorResponse]:
    messages = []
    for item in error.errors():
        location = ".".join(
            str(part) for part in item.get("loc", ()) if part != "body" or len(item["loc"]) == 1
        )
        messages.append(f"{location}: {item.get('msg', 'invalid')}" if location else str(item.get("msg")))
    return error_response(422, "Validation failed", "; ".join(messages))


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def unexpected(error: Exception) -> Response[ErrorResponse]:
    """Every 500 is logged with its cause (the traceback) and the route it came from."""
    if isinstance(error, ServiceError):
        return error_response(error.status_code, type(error).__name__, error.msg)
    event = app.current_event
    unavailable = unavailable_detail(error)
    if unavailable is not None:
        logger.warning("Storage unavailable", extra={"method": event.http_method, "path": event.path})
        return error_response(503, "Service unavailable", f"{unavailable}; try again")
    logger.exception("Unexpected error", extra={"method": event.http_method, "path": event.path})
    return error_response(500, "Internal error", "Something went wrong on our side; it has been logged")


@app.not_found
def not_found(_: Exception) -> Response[ErrorResponse]:
    event = app.current_event
    return error_response(404, "Not found", f"No route for {event.http_method} {event.path}")


@lambda_logging(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_lambda_context(context)
    return refusal(event) or app.resolve(event, context)
