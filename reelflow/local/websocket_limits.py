"""API Gateway's WebSocket connection limits, applied by the local gateway.

API Gateway closes a connection that has carried no message either way for 10 minutes, and every
connection at 2 hours, whatever it carries; clients reconnect (the web app and `reelflow watch` do, and
resubscribe from their last sequence). Without these, a local connection lived until its client left, so
a client that never reconnected looked fine locally. Pings are not counted as messages here (API Gateway
documents only messages; a client keeping a connection alive with data frames keeps it here too).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSCloseCode, WSMessage, WSMsgType, web

from reelflow.local.env_seconds import seconds_from_env

GOING_AWAY = "Going away"
IDLE_ENV = "REELFLOW_WS_IDLE_SECONDS"
MAX_ENV = "REELFLOW_WS_MAX_SECONDS"


@dataclass(frozen=True)
class ConnectionLimits:
    idle_seconds: float = 600.0  # "Idle connection timeout": no message either way
    max_seconds: float = 7200.0  # "Connection duration for WebSocket API"

    @classmethod
    def from_env(cls) -> "ConnectionLimits":
        """API Gateway's, or shorter ones to try a client against them sooner (`serve`'s environment)."""
        return cls(
            seconds_from_env(IDLE_ENV, cls.idle_seconds),
            seconds_from_env(MAX_ENV, cls.max_seconds),
        )


@dataclass
class ConnectionClock:
    """When a connection opened and when it last carried a message; `touch` from any thread."""

    limits: ConnectionLimits
    now: Callable[[], float] = time.monotonic
    opened: float = field(init=False)
    last_message: float = field(init=False)

    def __post_init__(self) -> None:
        self.opened = self.last_message = self.now()

    def touch(self) -> None:
        self.last_message = self.now()  # a float store: atomic, so any thread may call it

    def seconds_left(self) -> float:
        """Until API Gateway would close the connection (≤ 0: now)."""
        at = min(self.last_message + self.limits.idle_seconds, self.opened + self.limits.max_seconds)
        return at - self.now()


ENDED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


async def next_message(socket: web.WebSocketResponse, clock: ConnectionClock) -> WSMessage | None:
    """The client's next message, or None once the connection has ended: closed by the client, or
    here with 1001 when API Gateway's limits would close it. Read in the connection's one task, so
    the close never races a read (it comes between two messages)."""
    while True:
        left = clock.seconds_left()
        if left <= 0:
            await socket.close(code=WSCloseCode.GOING_AWAY, message=GOING_AWAY.encode())
            return None
        try:
            message = await socket.receive(timeout=left)
        except TimeoutError:  # look again: a post to the client may have counted since
            continue
        if message.type in ENDED:
            return None
        clock.touch()
        return message
