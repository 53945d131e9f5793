"""`reelflow watch`'s client against a loopback WebSocket server speaking the progress protocol: it
subscribes, survives a dropped connection by resubscribing with `since`, asks again after a gap, and
stops at the batch's final event."""

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.progress_events import (
    BatchCompleted,
    BatchSnapshot,
    VideoCompleted,
    VideoStarted,
    VideoState,
    encode,
)
from reelflow.watch import BatchView, WatchOptions, WatchRefused, follow

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def started(seq: int) -> bytes:
    return encode(
        VideoStarted(batch_id="b", video_id="v1", position=1, progress=0, timestamp=T0, sequence=seq)
    )


def completed(seq: int) -> bytes:
    return encode(
        VideoCompleted(batch_id="b", video_id="v1", position=1, progress=100, timestamp=T0, sequence=seq)
    )


def snapshot(seq: int) -> bytes:
    state = VideoState(video_id="v1", position=1, status=VideoStatus.COMPLETED, progress=100)
    return encode(
        BatchSnapshot(
            batch_id="b",
            status=BatchStatus.PROCESSING,
            progress=100,
            total_videos=1,
            timestamp=T0,
            sequence=seq,
            videos=[state],
        )
    )


def finished(seq: int) -> bytes:
    return encode(
        BatchCompleted(
            batch_id="b",
            status=BatchStatus.COMPLETED,
            progress=100,
            total_videos=1,
            completed_videos=1,
            timestamp=T0,
            sequence=seq,
        )
    )


async def run_server(subscriptions: list[dict[str, Any]], tokens: list[str]) -> tuple[web.AppRunner, str]:
    async def handle(request: web.Request) -> web.StreamResponse:
        tokens.append(request.query["token"])
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        connection = len(tokens)
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            subscribe = json.loads(message.data)
            subscriptions.append(subscribe)
            await socket.send_json({"status": 200, "message": "subscribed to batch b"})
            if connection == 1:  # two events, then the connection drops
                await socket.send_str(started(1).decode())
                await socket.send_str(started(1).decode())  # a repeat
                await socket.close()
            elif len(subscriptions) == 2:  # reconnected: an event past a gap
                await socket.send_str("garbage")
                await socket.send_str(finished(5).decode())
            else:  # asked again with since: snapshot, then the end
                await socket.send_str(snapshot(4).decode())
                await socket.send_str(completed(3).decode())  # older than the snapshot
                await socket.send_str(finished(5).decode())
        return socket

    app = web.Application()
    app.router.add_get("/ws", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"ws://127.0.0.1:{port}/ws"


def test_follow_reconnects_with_since_and_recovers_from_a_gap():
    subscriptions: list[dict[str, Any]] = []
    tokens: list[str] = []
    changes: list[int] = []

    async def scenario() -> BatchView:
        runner, url = await run_server(subscriptions, tokens)
        try:
            options = WatchOptions(ws_url=url, token="t0k", batch_id="b", reconnect_seconds=0.01)
            return await asyncio.wait_for(
                follow(options, BatchView("b"), lambda view: changes.append(view.last_sequence)), 10
            )
        finally:
            await runner.cleanup()

    view = asyncio.run(scenario())
    assert subscriptions == [
        {"action": "subscribe", "batch_id": "b"},
        {"action": "subscribe", "batch_id": "b", "since": 1},
        {"action": "subscribe", "batch_id": "b", "since": 1},
    ]
    assert tokens == ["t0k", "t0k"]
    assert changes == [1, 4, 5]
    assert view.finished and view.status is BatchStatus.COMPLETED
    assert view.videos["v1"].status is VideoStatus.COMPLETED


def test_the_local_gateway_accepts_watchs_subscription_and_refuses_a_foreign_batch(local_cloud, user_id):
    """Against today's real local gateway: the subscription (with `since`) is accepted; no events flow
    until the stream is wired, so the watch times out; someone else's batch ends the watch."""
    import pytest

    from functions.domain.enums import Tier
    from reelflow.local.gateway import Gateway
    from reelflow.local.tokens import issue_token
    from tests.helpers import api

    _, mine = api("POST", "/api/batch-jobs", {"name": "watch", "video_count": 1}, user=user_id)
    _, theirs = api("POST", "/api/batch-jobs", {"name": "watch", "video_count": 1}, user="someone-else")
    gateway = Gateway().start()
    try:
        token = issue_token(user_id, Tier.CREATOR)

        async def watch(batch_id: str, since: int) -> BatchView:
            options = WatchOptions(ws_url=gateway.ws_url, token=token, batch_id=batch_id)
            return await asyncio.wait_for(follow(options, BatchView(batch_id, last_sequence=since), print), 2)

        with pytest.raises(TimeoutError):
            asyncio.run(watch(mine["batch_job"]["id"], since=3))
        with pytest.raises(WatchRefused, match="Subscription refused: Batch job not found"):
            asyncio.run(watch(theirs["batch_job"]["id"], since=0))
    finally:
        gateway.stop()
