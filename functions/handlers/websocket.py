"""WebSocket API: the $connect authorizer, $connect, $disconnect and `subscribe`.

Clients connect with `?token=<Cognito ID token>`, then send `{"action": "subscribe", "batch_id": "…"}`
(or no batch_id for all their batches). Progress events are pushed to subscribed connections.
"""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from functions.adapters.identity import TokenRejected, verify_id_token
from functions.domain.errors import NotFound
from functions.domain.models import Connection
from functions.services.context import services

logger = Logger(service="reelflow-websocket")
tracer = Tracer(service="reelflow-websocket")


class Subscribe(BaseModel):
    action: str = "subscribe"
    batch_id: str | None = None


def _policy(principal: str, effect: str, resource: str, context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context,
    }


@logger.inject_lambda_context
def authorizer(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = services().config
    token = (event.get("queryStringParameters") or {}).get("token", "")
    try:
        claims = verify_id_token(token, config.cognito_issuer, config.cognito_client_id)
    except TokenRejected as rejected:
        logger.info("WebSocket token rejected", extra={"reason": str(rejected)})
        return _policy("anonymous", "Deny", event["methodArn"], {})
    tier = str(claims.get("custom:tier") or "free")
    return _policy(
        str(claims["sub"]), "Allow", event["methodArn"], {"user_id": str(claims["sub"]), "tier": tier}
    )


def _reply(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "body": body}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def connect(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ctx = services()
    request = event["requestContext"]
    user_id = (request.get("authorizer") or {}).get("user_id")
    if not user_id:
        return _reply(401, "Unauthorized")
    now = ctx.clock()
    ctx.repo.put_connection(
        Connection(
            connection_id=request["connectionId"],
            user_id=str(user_id),
            connected_at=now,
            expires_at=now + timedelta(seconds=ctx.config.connection_ttl_seconds),
        )
    )
    return _reply(200)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def disconnect(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    services().repo.delete_connection(event["requestContext"]["connectionId"])
    return _reply(200)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def subscribe(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ctx = services()
    connection = ctx.repo.get_connection(event["requestContext"]["connectionId"])
    if connection is None:
        return _reply(410, "Connection not found")
    try:
        request = Subscribe.model_validate_json(event.get("body") or "{}")
    except ValidationError as error:
        return _reply(400, f"Invalid subscribe message: {error.errors()[0]['msg']}")
    if request.batch_id is None:
        ctx.repo.subscribe(connection, f"USER#{connection.user_id}")
        return _reply(200, "subscribed to all your batches")
    try:
        ctx.repo.require_batch(request.batch_id, connection.user_id)
    except NotFound as missing:
        return _reply(404, missing.title)
    ctx.repo.subscribe(connection, f"BATCH#{request.batch_id}")
    return _reply(200, f"subscribed to batch {request.batch_id}")
