"""WebSocket API: the $connect authorizer, $connect, $disconnect and `subscribe`.

Clients connect with `?token=<Cognito ID token>`, then send `{"action": "subscribe", "batch_id": "…"}`
(or no batch_id for all their batches). Progress events are pushed to subscribed connections.
"""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayWebSocketEvent, event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponseWebSocket,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from functions.adapters.identity import TokenRejected, verify_id_token
from functions.domain.errors import NotFound
from functions.domain.models import Connection
from functions.observability import logger, tracer
from functions.services.access import require_batch
from functions.services.context import services


class Subscribe(BaseModel):
    action: str = "subscribe"
    batch_id: str | None = None


@logger.inject_lambda_context
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


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def connect(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    ctx = services()
    request = event.request_context
    user_id = (request.get("authorizer") or {}).get("user_id")
    if not user_id:
        return _reply(401, "Unauthorized")
    now = ctx.clock()
    ctx.connections.put(
        Connection(
            connection_id=request.connection_id,
            user_id=str(user_id),
            connected_at=now,
            expires_at=now + timedelta(seconds=ctx.config.connection_ttl_seconds),
        )
    )
    return _reply(200)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def disconnect(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    services().connections.delete(event.request_context.connection_id)
    return _reply(200)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def subscribe(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    ctx = services()
    connection = ctx.connections.get(event.request_context.connection_id)
    if connection is None:
        return _reply(410, "Connection not found")
    try:
        request = Subscribe.model_validate_json(event.body or "{}")
    except ValidationError as error:
        return _reply(400, f"Invalid subscribe message: {error.errors()[0]['msg']}")
    if request.batch_id is None:
        ctx.connections.subscribe_to_user(connection)
        return _reply(200, "subscribed to all your batches")
    try:
        require_batch(ctx, request.batch_id, connection.user_id)
    except NotFound as missing:
        return _reply(404, missing.title)
    ctx.connections.subscribe_to_batch(connection, request.batch_id)
    return _reply(200, f"subscribed to batch {request.batch_id}")
