"""The local stand-in for a schedule: `tick` every `interval_seconds` on a daemon thread of its own.

A tick that raises is logged and the next tick tries again, as the next scheduled event would; one cut
short because local mode is stopping is not reported. An interval of 0 or less never starts the thread.
"""

import threading
from abc import ABC, abstractmethod
from typing import Self

from functions.observability import logger


class Ticker(ABC):
    thread_name: str  # what the thread is called (and listed as by the tests' thread guard)
    failure: str  # what a failed tick logs

    def __init__(self, interval_seconds: float) -> None:
        self.interval_seconds = interval_seconds
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def tick(self) -> object: ...

    def start(self) -> Self:
        if self.interval_seconds > 0:
            self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stops ticking and waits for a tick in flight (unless called from that tick)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            try:
                self.tick()
            except Exception:
                if not self._stop.is_set():  # one cut short by stopping is no failure: nothing to retry
                    logger.exception(self.failure)
            finally:
                self.runs += 1  # every tick that ran, however it ended
