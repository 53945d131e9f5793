"""What expires in local mode is deleted as AWS deletes it: DynamoDB items past their Time to Live
(ttl_reaper.py) and S3 objects and multipart uploads past their bucket's lifecycle rules
(s3_lifecycle.py), one pass of each every `interval_seconds` on a thread of its own. Started with the
embedded AWS under `serve`, `run` and `demo` (reelflow/local/stack.py)."""

from collections.abc import Callable, Collection
from datetime import UTC, datetime

from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import s3_backends

from reelflow.local import s3_lifecycle, ttl_reaper
from reelflow.local.env_seconds import seconds_from_env
from reelflow.local.ticker import Ticker

INTERVAL_ENV = "REELFLOW_EXPIRY_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 60.0


def interval_from_env() -> float:
    return seconds_from_env(INTERVAL_ENV, DEFAULT_INTERVAL_SECONDS)


def _now() -> datetime:
    return datetime.now(UTC)


class Reaper(Ticker):
    """Deletes what expired, every `interval_seconds`, until stopped: in every table and bucket, or in
    those named (`tables`, `buckets`)."""

    thread_name = "reelflow-expiry"
    failure = "expiry pass failed"

    def __init__(
        self,
        account: str,
        region: str,
        interval_seconds: float,
        clock: Callable[[], datetime] = _now,
        tables: Collection[str] | None = None,
        buckets: Collection[str] | None = None,
    ) -> None:
        super().__init__(interval_seconds)
        self.dynamodb = dynamodb_backends[account][region]
        self.s3 = s3_backends[account]["global"]
        self.clock = clock
        self.tables, self.buckets = tables, buckets

    def tick(self) -> int:
        now = self.clock()
        return ttl_reaper.reap(self.dynamodb, now.timestamp(), self.tables) + s3_lifecycle.expire(
            self.s3, now, self.buckets
        )
