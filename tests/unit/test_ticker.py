"""The local schedules' timer (reelflow/local/ticker.py): ticks until stopped, counts them, and an
interval of 0 never starts a thread."""

import threading

from reelflow.local.ticker import Ticker


class Counting(Ticker):
    thread_name = "test-ticker"
    failure = "test tick failed"

    def __init__(self, interval_seconds: float) -> None:
        super().__init__(interval_seconds)
        self.ticked = threading.Event()

    def tick(self) -> None:
        self.ticked.set()


def test_it_ticks_until_stopped_and_not_after() -> None:
    ticker = Counting(0.01).start()
    try:
        assert ticker.ticked.wait(30)
    finally:
        ticker.stop()
    runs = ticker.runs
    assert runs >= 1
    assert "test-ticker" not in {thread.name for thread in threading.enumerate()}
    assert ticker.runs == runs


def test_an_interval_of_zero_never_starts_a_thread() -> None:
    ticker = Counting(0).start()
    assert "test-ticker" not in {thread.name for thread in threading.enumerate()}
    ticker.stop()
    assert ticker.runs == 0 and not ticker.ticked.is_set()


class StoppedMidTick(Ticker):
    thread_name = "test-ticker-stopped"
    failure = "test tick failed"

    def tick(self) -> None:
        self.stop()  # local mode stops while this tick is in flight, and the tick fails for it
        raise ConnectionError("the embedded AWS is gone")


def test_a_tick_cut_short_by_stopping_counts_as_run_and_ends_the_loop() -> None:
    ticker = StoppedMidTick(0.01)
    ticker.start()
    thread = next(t for t in threading.enumerate() if t.name == "test-ticker-stopped")
    thread.join(30)
    assert not thread.is_alive() and ticker.runs == 1
