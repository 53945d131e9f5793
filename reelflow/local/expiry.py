"""What expires in local mode is deleted as AWS deletes it: DynamoDB items past their Time to Live
(ttl_reaper.py) and S3 objects and multipart uploads past their bucket's lifecycle rules
(s3_lifecycle.py), one pass of each every `interval_seconds` on a thread of its own. Started with the
embedded AWS under `serve`, `run` and `demo` (reelflow/local/stack.py)."""

import os
import threading
from collections.abc import Callable, Collection
from datetime import UTC, datetime

from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import s3_backends

from functions.observability import logger
from reelflow.local import s3_lifecycle, ttl_reaper

INTERVAL_ENV = "REELFLOW_EXPIRY_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 60.0


def interval_from_env() -> float:
    return float(os.environ.get(INTERVAL_ENV) or DEFAULT_INTERVAL_SECONDS)


def _now() -> datetime:
    return datetime.now(UTC)


class Reaper:
    """Deletes what expired, every `interval_seconds`, until stopped: in every table and bucket, or in
    those named (`tables`, `buckets`)."""

    def __init__(
        self,
        account: str,
        region: str,
        interval_seconds: float,
        clock: Callable[[], datetime] = _now,
        tables: Collection[str] | None = None,
        buckets: Collection[str] | None = None,
    ) -> None:
        self.dynamodb = dynamodb_backends[account][region]
        self.s3 = s3_backends[account]["global"]
        self.interval_seconds = interval_seconds
        self.clock = clock
        self.tables, self.buckets = tables, buckets
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        now = self.clock()
        return ttl_reaper.reap(self.dynamodb, now.timestamp(), self.tables) + s3_lifecycle.expire(
            self.s3, now, self.buckets
        )

    def start(self) -> "Reaper":
        def loop() -> None:
            while not self._stop.wait(self.interval_seconds):
                try:
                    self.run_once()
                except Exception:  # the reaper must outlive anything a pass meets
                    logger.exception("expiry pass failed")

        self._thread = threading.Thread(target=loop, name="reelflow-expiry", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
