"""Live progress end to end on the embedded AWS: a real batch through the real ASL, its writes on the
table's stream, the stream mapping's poller, the progress handler, moto's management API forwarding
to the local gateway's sockets, and WebSocket clients reading them."""

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from moto.dynamodb.models import DynamoDBBackend

from functions.domain.enums import Tier
from functions.domain.models import Connection
from functions.domain.progress_events import (
    BatchCompleted,
    BatchProgress,
    BatchSnapshot,
    ProgressEvent,
    VideoCompleted,
    VideoFailed,
    VideoProgress,
    parse_event,
)
from reelflow.local import stream_mapping
from reelflow.local.gateway import Gateway
from reelflow.local.notification_feed import Notification, NotificationFeed
from reelflow.local.tokens import issue_token
from tests.helpers import api, files_payload, upload, wait_for_batch

EXPORT_ONLY = {"transcribe": False, "remove_silence": False, "detect_highlights": False}
TERMINAL = (VideoCompleted, VideoFailed)


@pytest.fixture(scope="module")
def gateway(local_cloud: object) -> Iterator[Gateway]:
    gw = Gateway().start()
    yield gw
    gw.stop()


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Scan of the table raises (and is recorded): listeners must be found by key."""
    seen: list[str] = []

    def no_scan(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> None:
        seen.append(table_name)
        raise AssertionError("Scan issued: listeners must be found by key")

    monkeypatch.setattr(DynamoDBBackend, "scan", no_scan)
    return seen


def create_batch(user: str, paths: list[Path]) -> tuple[str, dict[str, Any]]:
    status, body = api(
        "POST",
        "/api/batch-jobs",
        {"name": "live", "files": files_payload(paths), "settings": EXPORT_ONLY},
        user=user,
    )
    assert status == 201, body
    return body["batch_job"]["id"], body


def upload_and_start(user: str, created: dict[str, Any], paths: list[Path]) -> None:
    for target, path in zip(created["uploads"], paths, strict=True):
        upload(target, path)
    status, started = api("POST", f"/api/batch-jobs/{created['batch_job']['id']}/start", user=user)
    assert status == 200, started


class Client:
    """One WebSocket client on its own thread and event loop: connects, subscribes, records events."""

    def __init__(
        self, url: str, batch_id: str, since: int | None = None, stop_after: int | None = None
    ) -> None:
        self.url, self.batch_id, self.since, self.stop_after = url, batch_id, since, stop_after
        self.events: list[ProgressEvent] = []
        self.replies: list[dict[str, Any]] = []
        self.subscribed = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Client":
        self.thread.start()
        assert self.subscribed.wait(30), self.error
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._follow())
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.subscribed.set()
            self.done.set()

    async def _follow(self) -> None:
        message: dict[str, Any] = {"action": "subscribe", "batch_id": self.batch_id}
        if self.since is not None:
            message["since"] = self.since
        async with aiohttp.ClientSession() as session, session.ws_connect(self.url) as socket:
            await socket.send_json(message)
            async for frame in socket:
                data = frame.json()
                if "type" not in data:
                    self.replies.append(data)
                    self.subscribed.set()
                    continue
                event = parse_event(frame.data.encode())
                self.events.append(event)
                if isinstance(event, BatchCompleted):
                    return
                if self.stop_after is not None and isinstance(event, TERMINAL):
                    self.stop_after -= 1
                    if self.stop_after == 0:
                        return  # closes the socket mid-batch

    def wait(self, timeout: float = 120) -> "Client":
        assert self.done.wait(timeout), f"client still waiting; got {[e.type for e in self.events]}"
        assert self.error is None, self.error
        return self

    @property
    def live(self) -> list[ProgressEvent]:
        return [e for e in self.events if not isinstance(e, BatchSnapshot)]

    @property
    def snapshot(self) -> BatchSnapshot:
        found = [e for e in self.events if isinstance(e, BatchSnapshot)]
        assert len(found) == 1
        return found[0]


def after_snapshot(client: Client) -> list[ProgressEvent]:
    """The live events the client applies: those numbered past its snapshot, in sequence order."""
    floor = client.snapshot.sequence
    return sorted((e for e in client.live if e.sequence > floor), key=lambda e: e.sequence)


def test_a_three_video_batch_with_a_corrupt_one_streams_every_event_in_order(
    gateway, ctx, user_id, clips, scans, local_cloud, tmp_path
):
    paths = [clips[".mp4"], clips["corrupt"], clips[".mov"]]
    batch_id, created = create_batch(user_id, paths)
    url = f"{gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    watcher = Client(url, batch_id).start()
    leaver = Client(url, batch_id, stop_after=1).start()
    # A connection whose socket closed without $disconnect reaching the table: the next post is Gone.
    stale = Connection(
        connection_id="closed-" + batch_id[:8],
        user_id=user_id,
        connected_at=ctx.clock(),
        expires_at=ctx.clock(),
    )
    ctx.connections.put(stale)
    ctx.connections.subscribe_to_batch(stale, batch_id)
    assert watcher.replies == [{"status": 200, "message": f"subscribed to batch {batch_id}"}]

    upload_and_start(user_id, created, paths)
    leaver.wait()
    rejoined = Client(url, batch_id, since=leaver.events[-1].sequence).start()
    watcher.wait()
    rejoined.wait()
    wait_for_batch(batch_id, user_id)

    assert watcher.snapshot.sequence == 0 and watcher.snapshot.status.value == "pending"
    events = after_snapshot(watcher)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))  # in order, no gap
    assert [e.sequence for e in watcher.live] == [e.sequence for e in events]  # and arrived in order
    kinds = Counter(e.type for e in events)
    assert kinds["video_started"] == 3, kinds
    assert kinds["video_completed"] == 2 and kinds["video_failed"] == 1, kinds
    assert isinstance(events[-1], BatchCompleted)
    completed = {e.video_id for e in events if isinstance(e, VideoCompleted)}
    progressed = {e.video_id for e in events if isinstance(e, VideoProgress)}
    assert completed <= progressed  # at least one video_progress per completed video
    finished = 0
    for index, event in enumerate(events):
        if isinstance(event, TERMINAL):
            finished += 1
            following = next(e for e in events[index + 1 :] if e.video_id is None)
            assert isinstance(following, BatchProgress), following
            assert following.completed_videos + following.failed_videos == finished

    # The client that left and came back with `since`: a snapshot, then every later event once.
    assert rejoined.snapshot.sequence >= leaver.events[-1].sequence
    later = after_snapshot(rejoined)
    assert [e.sequence for e in later] == list(range(rejoined.snapshot.sequence + 1, len(events) + 1))
    seen = {e.sequence for e in leaver.live} | {e.sequence for e in later}
    # What it missed while away is in the snapshot: its counters match the watcher's state at that number.
    at_snapshot = [
        e for e in events if isinstance(e, BatchProgress) and e.sequence <= rejoined.snapshot.sequence
    ]
    if at_snapshot:
        assert rejoined.snapshot.completed_videos == at_snapshot[-1].completed_videos
    assert seen | set(range(1, rejoined.snapshot.sequence + 1)) == set(range(1, len(events) + 1))

    # Gone: the stale connection (and the one that left) are no longer listeners, and nothing scanned.
    assert ctx.connections.get(stale.connection_id) is None
    assert stale.connection_id not in ctx.connections.batch_listeners(batch_id)
    assert scans == []

    # The finished batch is announced on the default bus; the local rule's queue carries it.
    feed = NotificationFeed(
        local_cloud.client("sqs"), local_cloud.notifications_queue_url, tmp_path / "n.jsonl", wait_seconds=0
    )
    deadline = time.monotonic() + 15
    mine: list[Notification] = []
    while not mine and time.monotonic() < deadline:
        mine = [n for n in feed.poll_once() if n.detail.get("batch_id") == batch_id]
        time.sleep(0 if mine else 0.1)
    [notification] = mine
    assert notification.detail_type == "Batch Completed"
    assert notification.detail["user_id"] == user_id and notification.detail["failed_videos"] == 1
    assert notification.detail["sequence"] == len(events)


def test_fifty_clients_on_one_batch_each_receive_every_event(gateway, user_id, clips):
    paths = [clips[".mp4"]]
    batch_id, created = create_batch(user_id, paths)
    url = f"{gateway.ws_url}?token={issue_token(user_id, Tier.CREATOR)}"
    clients = [Client(url, batch_id) for _ in range(50)]
    for client in clients:
        client.thread.start()
    for client in clients:
        assert client.subscribed.wait(60)
    upload_and_start(user_id, created, paths)
    for client in clients:
        client.wait()
    reference = [(e.sequence, e.type) for e in after_snapshot(clients[0])]
    assert reference and reference[-1][1] == "batch_completed"
    assert [s for s, _ in reference] == list(range(1, len(reference) + 1))
    for client in clients:
        assert [(e.sequence, e.type) for e in after_snapshot(client)] == reference
    assert stream_mapping.wait_idle(30)


def test_a_user_opts_in_to_emails_filtered_to_their_own_batches(local_cloud, user_id):
    status, body = api("PUT", "/api/me/notifications", {"email": "dave@example.com"}, user=user_id)
    assert status == 200, body
    assert body["email"] == "dave@example.com"
    sns = local_cloud.client("sns")
    attributes = sns.get_subscription_attributes(SubscriptionArn=body["subscription"])["Attributes"]
    assert attributes["TopicArn"] == local_cloud.notification_topic_arn
    assert attributes["Endpoint"] == "dave@example.com" and attributes["Protocol"] == "email"
    assert json.loads(attributes["FilterPolicy"]) == {"user_id": [user_id]}

    status, body = api("PUT", "/api/me/notifications", {"email": "not an address"}, user=user_id)
    assert status in (400, 422) and set(body) == {"error", "detail"}


def test_local_mode_maps_the_stream_as_declared_and_polls_it(local_cloud):
    from functions import deployment

    lambda_client = local_cloud.client("lambda")
    function = deployment.PROGRESS_STREAM.name(local_cloud.prefix)
    listed = lambda_client.list_event_source_mappings()["EventSourceMappings"]
    [mapping] = [m for m in listed if m["FunctionArn"].endswith(f":{function}")]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is False
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert patterns == deployment.PROGRESS_MAPPING.filter_patterns()
    [poller] = stream_mapping.pollers()
    assert poller.mapping.function_arn.endswith(function)
    assert stream_mapping.wait_idle(30)


def test_watch_follows_a_batch_across_the_gateways_connection_limits(
    local_cloud, user_id, clips, monkeypatch
):
    """API Gateway closes idle connections (10 min) and every connection at 2 h; `reelflow watch`
    reconnects, resubscribes from its last sequence and still sees the batch to its end. Here the
    limits are fractions of a second, and the batch starts only after a connection was closed."""
    from reelflow.local.websocket_limits import ConnectionLimits
    from reelflow.local.websocket_relay import OpenSocket, relay
    from reelflow.watch import BatchView, WatchOptions, follow

    opened: list[str] = []
    register = relay.register

    def counted(connection_id: str, socket: OpenSocket) -> None:
        opened.append(connection_id)
        register(connection_id, socket)

    monkeypatch.setattr(relay, "register", counted)
    gateway = Gateway(connection_limits=ConnectionLimits(idle_seconds=0.3, max_seconds=0.8)).start()
    try:
        paths = [clips[".mp4"]]
        batch_id, created = create_batch(user_id, paths)
        options = WatchOptions(
            ws_url=gateway.ws_url,
            token=issue_token(user_id, Tier.CREATOR),
            batch_id=batch_id,
            reconnect_seconds=0.05,
            max_reconnect_seconds=0.2,
        )
        views: list[BatchView] = []
        watcher = threading.Thread(
            target=lambda: views.append(
                asyncio.run(asyncio.wait_for(follow(options, BatchView(batch_id), lambda _: None), 120))
            ),
            daemon=True,
        )
        watcher.start()
        deadline = time.monotonic() + 30
        while len(opened) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(opened) >= 2  # closed by the idle limit, and connected again
        upload_and_start(user_id, created, paths)
        watcher.join(150)
        assert views, "the watch did not end"
        (view,) = views
        assert view.finished and view.status is not None and view.status.value == "completed"
        assert view.videos and all(v.status.value == "completed" for v in view.videos.values())
    finally:
        gateway.stop()
