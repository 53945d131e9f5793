"""WebSocket connections: the token check, subscribe to a batch (or all), cleanup on disconnect."""

import asyncio
import contextlib
import time
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from functions.domain.enums import Tier
from reelflow.local.gateway import Gateway
from reelflow.local.tokens import issue_token
from tests.helpers import api


@pytest.fixture(scope="module")
def gateway(local_cloud):
    gw = Gateway().start()
    yield gw
    gw.stop()


async def session_flow(url: str, batch_id: str, foreign_batch: str) -> list[dict[str, Any]]:
    replies = []
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        for message in (
            {"action": "subscribe", "batch_id": batch_id},
            {"action": "subscribe", "batch_id": foreign_batch},
            {"action": "subscribe"},
            {"action": "dance"},
        ):
            await socket.send_json(message)
            reply = await socket.receive_json(timeout=10)
            while "type" in reply:  # a progress event (the snapshot of a batch subscription) comes first
                replies.append(reply)
                reply = await socket.receive_json(timeout=10)
            replies.append(reply)
    return replies


def test_subscribe_to_own_batches_only_and_clean_up_on_disconnect(gateway, ctx, user_id):
    _, mine = api("POST", "/api/batch-jobs", {"name": "ws", "video_count": 1}, user=user_id)
    _, theirs = api("POST", "/api/batch-jobs", {"name": "ws", "video_count": 1}, user="someone-else")
    batch_id = mine["batch_job"]["id"]
    url = f"{gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    replies = asyncio.run(session_flow(url, batch_id, theirs["batch_job"]["id"]))
    snapshot, *replies = replies
    assert snapshot["type"] == "batch_snapshot" and snapshot["batch_id"] == batch_id
    assert snapshot["sequence"] == 0 and snapshot["status"] == "pending"
    assert replies[0] == {"status": 200, "message": f"subscribed to batch {batch_id}"}
    assert replies[1]["status"] == 404
    assert replies[2] == {"status": 200, "message": "subscribed to all your batches"}
    assert replies[3]["error"] == "Unknown action"
    deadline = time.monotonic() + 5
    while ctx.connections.batch_listeners(batch_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ctx.connections.batch_listeners(batch_id) == []  # $disconnect removed the subscription
    assert ctx.connections.user_listeners(user_id) == []


def test_connecting_without_a_valid_token_is_refused(gateway):
    async def attempt(url: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(url):
                    return 101
            except aiohttp.WSServerHandshakeError as error:
                return error.status

    assert asyncio.run(attempt(gateway.ws_url)) == 401
    assert asyncio.run(attempt(f"{gateway.ws_url}?token=forged")) == 401


def test_subscriptions_are_found_by_key_while_connected(ctx, user_id):
    from datetime import timedelta

    from functions.domain.models import Connection

    now = ctx.clock()
    connection = Connection(
        connection_id="c-1-" + user_id, user_id=user_id, connected_at=now, expires_at=now + timedelta(hours=2)
    )
    ctx.connections.put(connection)
    ctx.connections.subscribe_to_batch(connection, "b-" + user_id)
    assert ctx.connections.batch_listeners("b-" + user_id) == [connection.connection_id]
    ctx.connections.delete(connection.connection_id)
    assert ctx.connections.batch_listeners("b-" + user_id) == []
    assert ctx.connections.get(connection.connection_id) is None


class FakeKeys:
    def __init__(self, key: Any) -> None:
        self.key = key

    def get_signing_key_from_jwt(self, token: str) -> Any:
        return type("SigningKey", (), {"key": self.key})()


def test_the_deployed_authorizer_checks_cognito_id_tokens(monkeypatch, ctx):
    from functions.adapters import identity
    from functions.handlers.websocket import authorizer
    from reelflow.local.invoker import LocalLambdaContext

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
    monkeypatch.setattr(ctx.config, "cognito_issuer", issuer)
    monkeypatch.setattr(ctx.config, "cognito_client_id", "client-1")
    monkeypatch.setattr(identity, "_keys", lambda _issuer: FakeKeys(private.public_key()))

    def token(**claims: Any) -> str:
        base = {
            "sub": "u-1",
            "custom:tier": "pro",
            "token_use": "id",
            "iss": issuer,
            "aud": "client-1",
            "exp": int(time.time()) + 60,
        }
        return jwt.encode({**base, **claims}, private, algorithm="RS256")

    def decide(value: str) -> dict[str, Any]:
        event = {
            "methodArn": "arn:aws:execute-api:us-east-1:1:api/live/$connect",
            "queryStringParameters": {"token": value},
        }
        return authorizer(event, LocalLambdaContext(function_name="ws-authorizer"))

    allowed = decide(token())
    assert allowed["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert allowed["context"] == {"user_id": "u-1", "tier": "pro"}
    for bad in (token(aud="other"), token(token_use="access"), token(exp=int(time.time()) - 10), "garbage"):
        assert decide(bad)["policyDocument"]["Statement"][0]["Effect"] == "Deny"


async def send_and_wait_for_close(url: str, message: str) -> int | None:
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.send_str(message)
        await socket.receive(timeout=10)
        return socket.close_code


def test_a_message_past_api_gateways_128_kb_closes_the_connection(gateway, user_id):
    """API Gateway's WebSocket API refuses a message over 128 KB and closes the connection (1009)."""
    url = f"{gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    message = '{"action": "subscribe", "padding": "' + "x" * (128 * 1024) + '"}'
    assert asyncio.run(send_and_wait_for_close(url, message)) == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


async def receive_posts(url: str, sizes: list[int], pause: float = 0.0) -> tuple[list[int], list[str]]:
    """Connects, then posts a message of each size to the connection through the management API (as the
    progress stream does), `pause` seconds apart: the lengths received and the errors the posts met."""
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

    from reelflow.local.cloud import ACCOUNT, REGION
    from reelflow.local.websocket_relay import relay

    backend = apigatewaymanagementapi_backends[ACCOUNT][REGION]
    before = set(relay.sockets)
    received, errors = [], []
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        for _ in range(100):
            if set(relay.sockets) - before:
                break
            await asyncio.sleep(0.05)
        (connection_id,) = set(relay.sockets) - before
        for size in sizes:
            data = b'"' + b"x" * (size - 2) + b'"'
            try:
                await asyncio.to_thread(backend.post_to_connection, data, connection_id)
                received.append(len(await socket.receive_str(timeout=10)))
            except Exception as error:  # what the management API answered
                errors.append(type(error).__name__)
            await asyncio.sleep(pause)
    return received, errors


def test_a_message_to_a_client_past_128_kb_is_refused(gateway, user_id):
    """The management API refuses to post more than API Gateway's 128 KB (PayloadTooLargeException)."""
    from reelflow.local.websocket_relay import MESSAGE_LIMIT_BYTES

    url = f"{gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    received, errors = asyncio.run(receive_posts(url, [MESSAGE_LIMIT_BYTES, MESSAGE_LIMIT_BYTES + 1]))
    assert received == [MESSAGE_LIMIT_BYTES] and errors == ["PayloadTooLarge"]


@pytest.fixture
def limited_gateway(local_cloud, request):
    """A gateway whose connection limits (idle, maximum) are the test's seconds, where API Gateway's
    are 10 minutes and 2 hours."""
    from reelflow.local.websocket_limits import ConnectionLimits

    idle, longest = request.param
    gw = Gateway(connection_limits=ConnectionLimits(idle_seconds=idle, max_seconds=longest)).start()
    yield gw
    gw.stop()


async def open_until_closed(url: str, send_every: float | None) -> tuple[float, int | None, int]:
    """Connects and, if asked, sends a message every `send_every` seconds; how long the connection
    lasted, its close code and how many replies arrived."""
    replies = 0
    started = time.monotonic()
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        while time.monotonic() - started < 30:
            if send_every is not None:
                with contextlib.suppress(ConnectionResetError):  # closed since the last reply
                    await socket.send_json({"action": "subscribe"})
            message = await socket.receive(timeout=30)
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                break
            replies += 1
            if send_every is not None:
                await asyncio.sleep(send_every)
        return time.monotonic() - started, socket.close_code, replies


@pytest.mark.parametrize("limited_gateway", [(0.6, 60.0)], indirect=True)
def test_an_idle_connection_is_closed_as_api_gateway_closes_it(limited_gateway, ctx, user_id):
    """No message either way for the idle timeout: closed with 1001 (Going away), and $disconnect runs."""
    url = f"{limited_gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    lasted, code, _ = asyncio.run(open_until_closed(url, send_every=None))
    assert code == aiohttp.WSCloseCode.GOING_AWAY
    assert lasted >= 0.6
    deadline = time.monotonic() + 5
    while ctx.connections.user_listeners(user_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ctx.connections.user_listeners(user_id) == []


@pytest.mark.parametrize("limited_gateway", [(2.0, 4.0)], indirect=True)
def test_messages_keep_a_connection_open_until_its_maximum_duration(limited_gateway, user_id):
    """A message every 0.2 s keeps it open past the 2 s idle timeout, but not past the connection's 4 s."""
    url = f"{limited_gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    lasted, code, replies = asyncio.run(open_until_closed(url, send_every=0.2))
    assert code == aiohttp.WSCloseCode.GOING_AWAY
    assert lasted >= 4.0 and replies >= 4  # closed at the maximum, not for idleness
    assert lasted < 30  # closed by the limit, not by the test's own bound


@pytest.mark.parametrize("limited_gateway", [(2.0, 60.0)], indirect=True)
def test_messages_posted_to_the_client_count_as_activity(limited_gateway, user_id):
    """Posts through the management API (the progress stream's) reset the idle timer too."""
    url = f"{limited_gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    received, errors = asyncio.run(receive_posts(url, [64] * 12, pause=0.4))
    assert received == [64] * 12 and errors == []  # 4.8 s of posts, past the 2 s idle timeout
