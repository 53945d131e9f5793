"""Fan-out through API Gateway's management API on moto, whose backend is patched to answer Gone (410)
for chosen connections and to fail others, as the deployed service does."""

import json
import threading
import time
from collections.abc import Iterator

import pytest
from moto import mock_aws
from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend
from moto.core.exceptions import JsonRESTError

from functions.adapters.connection_notifier import ConnectionNotifier, management_endpoint

pytestmark = pytest.mark.own_moto

ENDPOINT = management_endpoint("abc123", "us-east-1", "live")


class Gone(JsonRESTError):
    code = 410

    def __init__(self) -> None:
        super().__init__("GoneException", "")


class Forbidden(JsonRESTError):
    code = 403

    def __init__(self) -> None:
        super().__init__("ForbiddenException", "")


class Recorder:
    def __init__(
        self, gone: set[str], forbidden: frozenset[str] | set[str] = frozenset(), delay: float = 0.0
    ) -> None:
        self.gone, self.forbidden, self.delay = gone, forbidden, delay
        self.received: dict[str, bytes] = {}
        self.in_flight = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, data: bytes, connection_id: str) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(self.delay)
            if connection_id in self.gone:
                raise Gone()
            if connection_id in self.forbidden:
                raise Forbidden()
            with self.lock:
                self.received[connection_id] = data
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def patch_backend(monkeypatch: pytest.MonkeyPatch, recorder: Recorder) -> None:
    def post_to_connection(backend: ApiGatewayManagementApiBackend, data: bytes, connection_id: str) -> None:
        recorder(data, connection_id)

    monkeypatch.setattr(ApiGatewayManagementApiBackend, "post_to_connection", post_to_connection)


@pytest.mark.usefixtures("aws_env")
def test_gone_connections_are_reported_and_the_rest_receive_the_message(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(gone={"c2", "c4"}, forbidden={"c5"})
    patch_backend(monkeypatch, recorder)
    ids = ["c1", "c2", "c3", "c4", "c5", "c1"]
    delivery = ConnectionNotifier(ENDPOINT, max_workers=4).post(ids, b'{"type":"video_started"}')
    assert sorted(delivery.delivered) == ["c1", "c3"]
    assert sorted(delivery.gone) == ["c2", "c4"]
    assert delivery.failed == ["c5"]
    assert recorder.received == {"c1": b'{"type":"video_started"}', "c3": b'{"type":"video_started"}'}


@pytest.mark.usefixtures("aws_env")
def test_posts_run_in_parallel_but_bounded(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(gone=set(), delay=0.05)
    patch_backend(monkeypatch, recorder)
    delivery = ConnectionNotifier(ENDPOINT, max_workers=5).post([f"c{i}" for i in range(20)], b"x")
    assert len(delivery.delivered) == 20
    assert 1 < recorder.peak <= 5  # several posts were in flight at once, never more than the bound


@pytest.mark.usefixtures("aws_env")
def test_no_listeners_sends_nothing(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(gone=set())
    patch_backend(monkeypatch, recorder)
    assert ConnectionNotifier(ENDPOINT).post([], b"x").delivered == []
    assert recorder.received == {}


@pytest.mark.usefixtures("aws_env")
def test_an_unreachable_endpoint_fails_each_connection_without_raising():
    notifier = ConnectionNotifier("http://127.0.0.1:9")  # nothing listens on the discard port
    assert notifier.post(["c1", "c2"], b"x").failed == ["c1", "c2"]


@pytest.mark.usefixtures("aws_env")
def test_fifty_listeners_each_receive_every_message_once(monkeypatch: pytest.MonkeyPatch):
    received: dict[str, list[bytes]] = {}
    lock = threading.Lock()

    def post_to_connection(backend: ApiGatewayManagementApiBackend, data: bytes, connection_id: str) -> None:
        with lock:
            received.setdefault(connection_id, []).append(data)

    monkeypatch.setattr(ApiGatewayManagementApiBackend, "post_to_connection", post_to_connection)
    notifier = ConnectionNotifier(ENDPOINT)
    ids = [f"c{i}" for i in range(50)]
    for n in range(3):
        assert len(notifier.post(ids, f'{{"sequence":{n + 1}}}'.encode()).delivered) == 50
    assert {cid: [json.loads(m)["sequence"] for m in frames] for cid, frames in received.items()} == {
        cid: [1, 2, 3] for cid in ids
    }
