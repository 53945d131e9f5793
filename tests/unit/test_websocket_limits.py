"""API Gateway's WebSocket connection limits, on a clock the test moves."""

from reelflow.local.websocket_limits import ConnectionClock, ConnectionLimits


class Clock:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


def test_an_idle_connection_is_due_at_the_idle_timeout_and_a_message_restarts_it() -> None:
    now = Clock()
    clock = ConnectionClock(ConnectionLimits(idle_seconds=600, max_seconds=7200), now=now)
    assert clock.seconds_left() == 600
    now.at += 599
    assert clock.seconds_left() == 1
    clock.touch()
    assert clock.seconds_left() == 600
    now.at += 600
    assert clock.seconds_left() == 0


def test_a_busy_connection_is_due_at_its_maximum_duration() -> None:
    now = Clock()
    clock = ConnectionClock(ConnectionLimits(idle_seconds=600, max_seconds=7200), now=now)
    for _ in range(24):  # a message every 5 minutes for 2 hours
        now.at += 300
        clock.touch()
        assert clock.seconds_left() == min(600, 7200 - (now.at - 1000))
    assert clock.seconds_left() == 0
    now.at += 1
    assert clock.seconds_left() < 0


def test_serve_takes_shorter_limits_from_its_environment(monkeypatch) -> None:
    monkeypatch.delenv("REELFLOW_WS_IDLE_SECONDS", raising=False)
    monkeypatch.delenv("REELFLOW_WS_MAX_SECONDS", raising=False)
    assert ConnectionLimits.from_env() == ConnectionLimits(600, 7200)
    monkeypatch.setenv("REELFLOW_WS_IDLE_SECONDS", "1.5")
    monkeypatch.setenv("REELFLOW_WS_MAX_SECONDS", "5")
    assert ConnectionLimits.from_env() == ConnectionLimits(1.5, 5)
