"""What every HTTP route module shares: the caller from the JWT claims, error responses, path params."""

from typing import Annotated, Any, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from botocore.exceptions import ClientError
from pydantic import BaseModel

from functions.domain.enums import Tier
from functions.domain.errors import DomainError
from functions.domain.schemas import ErrorResponse
from functions.observability import logger
from functions.services.batches import Caller

TIER_CLAIMS = ("custom:tier", "tier")
ERROR_STATUSES = {
    400: "Invalid request: a rule of the use case, or a body that is not JSON (malformed, not UTF-8, deep)",
    401: "Missing, invalid or expired bearer token",
    403: "Plan limit",
    404: "Batch job not found",
    409: "Conflict with the batch's state",
    413: "Body larger than 1 MB",
    415: "Body that is not application/json",
    422: "Malformed body or parameters",
    429: "Too many requests",
}
BODY_ERRORS = (400, 413, 415)  # what request_guard answers for any request that carries a body
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def error_doc(status: int) -> OpenAPIResponse:
    return {"description": ERROR_STATUSES[status], "content": {"application/json": {"model": ErrorResponse}}}


def responses_for(
    model: type[BaseModel] | None,
    *errors: int,
    status: int = 200,
    description: str = "Success",
    body: bool = False,
) -> dict[int, OpenAPIResponse]:
    """The `responses=` of a route that needs a token: its success body, 401 and 422 (every such route can
    answer them), the body errors when it takes a body (`body=True`, any POST/PUT/PATCH), and `errors`.

        @router.post("/api/x", security=BEARER, responses=responses_for(Thing, 404, 409, body=True))
    """
    success: OpenAPIResponse = {"description": description}
    if model is not None:
        success["content"] = {"application/json": {"model": model}}
    codes = sorted({401, 422, *errors, *(BODY_ERRORS if body else ())})
    return {status: success, **{code: error_doc(code) for code in codes}}


BatchId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")]
VideoId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")]


class Unauthorized(DomainError):
    title = "Unauthorized"
    http_status = 401


def unavailable_detail(error: BaseException) -> str | None:
    """Why an AWS service answered 503 (ServiceUnavailable, SlowDown) after the SDK's retries, else
    None: the request answers 503 with that reason, not a 500, and the client may retry it."""
    if not isinstance(error, ClientError):
        return None
    answer = error.response
    if answer.get("ResponseMetadata", {}).get("HTTPStatusCode") != 503:
        return None
    reason = answer.get("Error", {})
    return f"{reason.get('Code', 'ServiceUnavailable')}: {reason.get('Message', 'try again later')}"


def error_response(status: int, error: str, detail: Any) -> Response[ErrorResponse]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=ErrorResponse(error=error, detail=detail),
    )


def caller_of(event: BaseProxyEvent) -> Caller:
    """User from the JWT authorizer's claims (HTTP API, payload v2): `sub` is the user, a tier claim the
    plan."""
    claims = cast(APIGatewayProxyEventV2, event).request_context.authorizer.jwt_claim or {}
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
