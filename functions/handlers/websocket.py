"""WebSocket API: the $connect authorizer, $connect, $disconnect and `subscribe`.

Clients connect with `?token=<Cognito ID token>`, then send `{"action": "subscribe", "batch_id": "…"}`
(or no batch_id for all their batches). Progress events are pushed to subscribed connections.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayWebSocketEvent, event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponseWebSocket,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from functions.adapters.identity import TokenRejected, verify_id_token
from functions.domain.errors import NotFound
from functions.observability import logger, tracer
from functions.services import subscriptions
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
    request = event.request_context
    user_id = (request.get("authorizer") or {}).get("user_id")
    if not user_id:
        return _reply(401, "Unauthorized")
    subscriptions.open_connection(services(), request.connection_id, str(user_id))
    return _reply(200)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def disconnect(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    subscriptions.close_connection(services(), event.request_context.connection_id)
    return _reply(200)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=APIGatewayWebSocketEvent)
def subscribe(event: APIGatewayWebSocketEvent, context: LambdaContext) -> dict[str, Any]:
    try:
        request = Subscribe.model_validate_json(event.body or "{}")
    except ValidationError as error:
        return _reply(400, f"Invalid subscribe message: {error.errors()[0]['msg']}")
    try:
        message = subscriptions.subscribe(services(), event.request_context.connection_id, request.batch_id)
    except NotFound as missing:
        return _reply(missing.http_status, missing.title)
    return _reply(200, message)
