"""Local mode's stand-in for the drop folder's EventBridge schedule: a timer thread that invokes the sweep
function (through moto's Lambda, as the schedule would) every `interval` seconds."""

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)


class DropSweeper:
    def __init__(self, lambda_client: Any, function_arn: str, interval: float) -> None:
        self.client = lambda_client
        self.function_arn = function_arn
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drop-folder-sweep", daemon=True)

    def start(self) -> "DropSweeper":
        if self.interval > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.client.invoke(FunctionName=self.function_arn, Payload=b"{}")
            except Exception:  # a sweep that fails is retried by the next tick, as a schedule would
                if self._stop.is_set():
                    return  # local mode stopped under a sweep still in flight: nothing to retry
                log.exception("drop folder sweep failed")
