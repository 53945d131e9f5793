"""The local stand-in for the drop folder's schedule: ticks invoke the sweep; a failed tick is logged and
retried by the next; a tick cut short by local mode stopping is not an error."""

import logging
import threading
from typing import Any

import pytest

from reelflow.local.drop_sweeper import DropSweeper


class FailingLambda:
    def __init__(self) -> None:
        self.calls = 0
        self.called = threading.Event()
        self.sweeper: DropSweeper | None = None
        self.stop_during_call = False

    def invoke(self, **_: Any) -> None:
        self.calls += 1
        if self.stop_during_call and self.sweeper is not None:
            self.sweeper.stop()  # local mode stops while this sweep is in flight
        self.called.set()
        raise ConnectionError("the embedded AWS is gone")


def test_a_failed_sweep_is_logged_and_the_next_tick_tries_again(caplog: pytest.LogCaptureFixture) -> None:
    client = FailingLambda()
    sweeper = DropSweeper(client, "arn:sweep", interval=0.01).start()
    try:
        assert client.called.wait(30)
        for _ in range(3000):
            if client.calls >= 2:
                break
            threading.Event().wait(0.01)
    finally:
        sweeper.stop()
    assert client.calls >= 2
    assert "drop folder sweep failed" in caplog.text


def test_a_sweep_cut_short_by_stopping_is_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    client = FailingLambda()
    client.stop_during_call = True
    sweeper = DropSweeper(client, "arn:sweep", interval=0.01)
    client.sweeper = sweeper
    with caplog.at_level(logging.ERROR):
        sweeper.start()
        assert client.called.wait(30)
        sweeper.stop()
    assert client.calls == 1
    assert "drop folder sweep failed" not in caplog.text
