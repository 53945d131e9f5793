"""The local API Gateway: HTTP requests become API Gateway HTTP API (v2) events for the same handler.

Like API Gateway's JWT authorizer, it checks the bearer token and puts its claims at
`requestContext.authorizer.jwt.claims`; health and the API docs need no token, as in the CDK app.
"""

import asyncio
import base64
import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from reelflow.local.invoker import LocalLambdaContext, RequestTooLarge, invoke_handler
from reelflow.local.tokens import InvalidToken, bearer_claims, verify_token
from reelflow.local.webapp import register_webapp
from reelflow.local.websocket_limits import GOING_AWAY, ConnectionClock, ConnectionLimits, next_message
from reelflow.local.websocket_relay import MESSAGE_LIMIT_BYTES, OpenSocket, relay

API_HANDLER = "functions.handlers.api.handler"
PUBLIC_PATHS = ("/api/health", "/api/docs")
MAX_BODY_BYTES = 10 * 1024**2  # API Gateway's (HTTP API) cap on a request body
INTEGRATION_TIMEOUT_SECONDS = 30.0  # HTTP API's integration timeout
TEXT_TYPES = ("application/json", "text/", "application/xml", "application/x-www-form-urlencoded")


def _is_text(content_type: str) -> bool:
    return any(content_type.startswith(prefix) for prefix in TEXT_TYPES)


def build_event(
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    claims: dict[str, Any] | None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2 event, as the `$default` route delivers it."""
    lowered = {k.lower(): v for k, v in headers.items()}
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    text = _is_text(lowered.get("content-type", "application/json"))
    try:
        decoded = body.decode() if text else None
    except UnicodeDecodeError:  # not UTF-8 whatever it claims: passed on base64-encoded, as binary
        text, decoded = False, None
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": bool(body) and not text,
    }
    if params:
        event["queryStringParameters"] = params
    if body:
        event["body"] = decoded if decoded is not None else base64.b64encode(body).decode()
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def to_response(result: dict[str, Any]) -> web.Response:
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = web.Response(status=int(result.get("statusCode", 200)), body=raw)
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, str(value))
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", cookie)
    return response


def unauthorized(detail: str) -> web.Response:
    return web.json_response({"error": "Unauthorized", "detail": detail}, status=401)


async def _answered_in_time(
    invocation: "asyncio.Future[tuple[str, bool]]", context: LocalLambdaContext
) -> tuple[str, bool]:
    """The invocation's answer, or TimeoutError once its handler has run for the integration timeout
    (counted from the handler's start: locally the API's invocations queue for one environment, where
    AWS would give each its own)."""
    while True:
        done, _ = await asyncio.wait({invocation}, timeout=0.05)
        if done:
            return invocation.result()
        if context.running_for() > INTEGRATION_TIMEOUT_SECONDS:
            invocation.add_done_callback(lambda late: late.cancelled() or late.exception())  # unread
            raise TimeoutError


def too_large(detail: str) -> web.Response:
    return web.json_response({"error": "Payload too large", "detail": detail}, status=413)


async def handle_api(request: web.Request) -> web.StreamResponse:
    claims = None
    if not request.path.startswith(PUBLIC_PATHS):
        try:
            claims = bearer_claims(request.headers.get("Authorization"))
        except InvalidToken as error:
            return unauthorized(str(error))
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:  # past the gateway's own cap, as API Gateway's 10 MB one
        refused = too_large(f"the body is larger than {MAX_BODY_BYTES} bytes")
        refused.force_close()  # the rest of the body is never read: the connection cannot be reused
        return refused
    event = build_event(
        request.method,
        request.path,
        request.query_string,
        dict(request.headers),
        body,
        claims,
        request.remote or "127.0.0.1",
    )
    context = LocalLambdaContext(function_name="reelflow-api", timeout_seconds=29)
    invocation = asyncio.get_running_loop().run_in_executor(None, invoke_handler, API_HANDLER, event, context)
    try:
        raw, errored = await _answered_in_time(invocation, context)
    except RequestTooLarge as refused:  # the event (the body base64-encoded, if binary) passes 6 MB
        return too_large(refused.message)
    except TimeoutError:  # the handler runs on, as a Lambda does past its caller's timeout
        return web.json_response(
            {
                "error": "Service Unavailable",
                "detail": f"the API did not answer within {INTEGRATION_TIMEOUT_SECONDS:g} s",
            },
            status=503,
        )
    if errored:
        # What API Gateway answers when the integration fails: no stack trace leaks.
        return web.json_response(
            {"error": "Internal Server Error", "detail": "The request failed"}, status=500
        )
    return to_response(json.loads(raw))


WEBSOCKET_HANDLERS = "functions.handlers.websocket"
SOCKETS = web.AppKey("sockets", dict[str, web.WebSocketResponse])
LIMITS = web.AppKey("limits", ConnectionLimits)
DISCONNECT_REASONS = {1000: "Connection Closed Normally", 1001: GOING_AWAY}


async def _invoke(handler: str, event: dict[str, Any]) -> dict[str, Any]:
    context = LocalLambdaContext(function_name="reelflow-websocket", timeout_seconds=30)
    raw, errored = await asyncio.get_running_loop().run_in_executor(
        None, invoke_handler, handler, event, context
    )
    result: dict[str, Any] = json.loads(raw)
    return {"statusCode": 500, "body": result.get("errorMessage", "")} if errored else result


def websocket_event(
    route: str,
    connection_id: str,
    claims: dict[str, Any],
    body: str | None = None,
    close_code: int | None = None,
) -> dict[str, Any]:
    """What API Gateway's WebSocket API hands the route's Lambda (authorizer context included; on
    `$disconnect`, the close code and its reason)."""
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE"),
            "connectionId": connection_id,
            "apiId": "local",
            "stage": "live",
            "authorizer": {"user_id": str(claims["sub"]), "tier": str(claims.get("custom:tier", "free"))},
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    if close_code is not None:
        event["requestContext"]["disconnectStatusCode"] = close_code
        event["requestContext"]["disconnectReason"] = DISCONNECT_REASONS.get(close_code, "")
    return event


async def handle_websocket(request: web.Request) -> web.StreamResponse:
    """$connect (token checked like the deployed authorizer), `subscribe` messages, $disconnect."""
    try:
        claims = verify_token(request.query.get("token", ""))
    except InvalidToken as error:
        return unauthorized(str(error))
    connection_id = uuid.uuid4().hex
    connected = await _invoke(
        f"{WEBSOCKET_HANDLERS}.connect", websocket_event("$connect", connection_id, claims)
    )
    if connected.get("statusCode") != 200:
        return web.json_response({"error": "Connection refused", "detail": connected.get("body")}, status=403)
    socket = web.WebSocketResponse(max_msg_size=MESSAGE_LIMIT_BYTES)
    await socket.prepare(request)
    clock = ConnectionClock(request.app[LIMITS])
    request.app[SOCKETS][connection_id] = socket
    relay.register(connection_id, OpenSocket(asyncio.get_running_loop(), socket, clock.touch))
    try:
        while (message := await next_message(socket, clock)) is not None:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                action = json.loads(message.data).get("action")
            except (ValueError, AttributeError):
                action = None
            if action != "subscribe":
                await socket.send_json({"error": "Unknown action", "detail": 'send {"action": "subscribe"}'})
                continue
            reply = await _invoke(
                f"{WEBSOCKET_HANDLERS}.subscribe",
                websocket_event("subscribe", connection_id, claims, message.data),
            )
            await socket.send_json({"status": reply.get("statusCode"), "message": reply.get("body")})
            clock.touch()
    finally:
        relay.unregister(connection_id)
        request.app[SOCKETS].pop(connection_id, None)
        await _invoke(
            f"{WEBSOCKET_HANDLERS}.disconnect",
            websocket_event("$disconnect", connection_id, claims, close_code=socket.close_code),
        )
    return socket


def build_app(limits: ConnectionLimits) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SOCKETS] = {}
    app[LIMITS] = limits
    app.router.add_route("GET", "/ws", handle_websocket)
    app.router.add_route("*", "/api/{tail:.*}", handle_api)
    app.router.add_route("*", "/api", handle_api)
    register_webapp(app)
    return app


class Gateway:
    """Serves the app on its own event loop thread, so synchronous code can start and stop it."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, connection_limits: ConnectionLimits | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.connection_limits = connection_limits or ConnectionLimits()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="reelflow-gateway")

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    def start(self) -> "Gateway":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(build_app(self.connection_limits), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
