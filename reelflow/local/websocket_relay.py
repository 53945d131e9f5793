"""The management API of the local WebSocket API: `post_to_connection` reaches the gateway's open sockets.

moto accepts every `post_to_connection` and keeps the bytes; API Gateway sends them to the connection, or
answers 410 Gone when it is closed. With this installed, moto's backend sends the frame to the socket the
local gateway (reelflow/local/gateway.py) registered under the connection id, and answers Gone when there
is none or it closed, so the progress handler's own ConnectionNotifier removes it, as on AWS. A message
over API Gateway's 128 KB is refused (`PayloadTooLargeException`, 413), in both directions (the gateway
closes a connection that sends one, 1009).
"""

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend
from moto.core.exceptions import JsonRESTError

SEND_TIMEOUT_SECONDS = 10.0
MESSAGE_LIMIT_BYTES = 128 * 1024  # API Gateway's WebSocket API, each way


class PayloadTooLarge(JsonRESTError):
    """What the management API answers for a message over the limit."""

    code = 413

    def __init__(self, size: int) -> None:
        super().__init__(
            "PayloadTooLargeException",
            f"The data ({size} bytes) has exceeded the maximum size allowed ({MESSAGE_LIMIT_BYTES} bytes)",
        )


class GoneException(JsonRESTError):
    """What API Gateway answers for a connection that no longer exists."""

    code = 410

    def __init__(self, connection_id: str) -> None:
        super().__init__("GoneException", f"Connection {connection_id} is gone")


@dataclass(frozen=True)
class OpenSocket:
    loop: asyncio.AbstractEventLoop  # the event loop that owns the socket
    socket: web.WebSocketResponse
    on_sent: Callable[[], None]  # a message went out (API Gateway's idle timer counts both ways)


@dataclass
class Relay:
    """Open sockets by connection id."""

    sockets: dict[str, OpenSocket] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, connection_id: str, socket: OpenSocket) -> None:
        with self.lock:
            self.sockets[connection_id] = socket

    def unregister(self, connection_id: str) -> None:
        with self.lock:
            self.sockets.pop(connection_id, None)

    def send(self, connection_id: str, data: bytes) -> bool:
        """False when the connection is unknown or closed (Gone)."""
        with self.lock:
            found = self.sockets.get(connection_id)
        if found is None or found.socket.closed or found.loop.is_closed():
            return False
        text = data.decode("utf-8", errors="replace")
        try:
            sending = asyncio.run_coroutine_threadsafe(found.socket.send_str(text), found.loop)
            sending.result(SEND_TIMEOUT_SECONDS)
        except (ConnectionError, RuntimeError):  # closed while sending (aiohttp raises either)
            return False
        found.on_sent()
        return True


relay = Relay()


def _post_to_connection(self: ApiGatewayManagementApiBackend, data: bytes, connection_id: str) -> None:
    if len(data) > MESSAGE_LIMIT_BYTES:
        raise PayloadTooLarge(len(data))
    if not relay.send(connection_id, data):
        raise GoneException(connection_id)


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    ApiGatewayManagementApiBackend.post_to_connection = _post_to_connection  # type: ignore[method-assign]
