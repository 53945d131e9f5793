"""WebSocket API: the $connect authorizer, $connect, $disconnect and `subscribe`.

Clients connect with `?token=<Cognito ID token>`, then send `{"action": "subscribe", "batch_id": "…"}`
(or no batch_id for all their batches), optionally with `"since": <last sequence seen>`. A batch
subscription is answered first with a `batch_snapshot` posted to the connection, then live events
(docs/progress.md).
"""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayWebSocketEvent, event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponseWebSocket,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field, ValidationError

from functions.adapters.connection_notifier import ConnectionNotifier
from functions.adapters.event_sequence import EventSequence
from functions.adapters.identity import TokenRejected, verify_id_token
from functions.config import RuntimeConfig
from functions.domain.errors import NotFound
from functions.observability import lambda_logging, logger, tracer
from functions.services import subscriptions
from functions.services.context import services


class Subscribe(BaseModel):
    action: str = "subscribe"
    batch_id: str | None = None
    since: int | None = Field(default=None, ge=0, description="The last sequence number the client saw.")


@cache
def _notifier() -> ConnectionNotifier:
    config = RuntimeConfig()
    return ConnectionNotifier(config.websocket_endpoint, max_workers=1)


@lambda_logging
def authorizer(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = services().config
    token = (event.get("queryStringParameters") or {}).get("token", "")
    try:
        claims = verify_id_token(token, config.cognito_issuer, config.cognito_client_id)
    except TokenRejected as rejected:
        logger.info("WebSocket token rejected", extra={"reason": str(rejected)})
        denied = APIGatewayAuthorizerResponseWebSocket.from_route_arn(event["methodArn"], "anonymous")
        denied.deny_all_routes()
        return denied.asdict()
    user_id = str(claims["sub"])
    tier = str(claims.get("custom:tier") or "free")
    allowed = APIGatewayAuthorizerResponseWebSocket.from_route_arn(
        event["methodArn"], user_id, context={"user_id": user_id, "tier": tier}
    )
    allowed.allow_all_routes()
    return allowed.asdict()


def _reply(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "body": body}


@lambda_logging
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def connect(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    request = event.request_context
    user_id = (request.get("authorizer") or {}).get("user_id")
    if not user_id:
        return _reply(401, "Unauthorized")
    subscriptions.open_connection(services(), request.connection_id, str(user_id))
    return _reply(200)


@lambda_logging
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def disconnect(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    subscriptions.close_connection(services(), event.request_context.connection_id)
    return _reply(200)


@lambda_logging
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def subscribe(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    try:
        request = Subscribe.model_validate_json(event.body or "{}")
    except ValidationError as error:
        return _reply(400, f"Invalid subscribe message: {error.errors()[0]['msg']}")
    ctx, connection_id = services(), event.request_context.connection_id
    try:
        message = subscriptions.subscribe(ctx, connection_id, request.batch_id)
        if request.batch_id is not None:
            # The snapshot (whatever `since` says: it is the state up to its own sequence), then live.
            subscriptions.catch_up_connection(
                ctx, EventSequence(ctx.config.table_name), _notifier(), connection_id, request.batch_id
            )
    except NotFound as missing:
        return _reply(missing.http_status, missing.title)
    return _reply(200, message)
