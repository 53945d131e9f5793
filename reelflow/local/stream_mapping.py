"""The table's stream delivered to its event source mappings the way Lambda polls a stream.

moto 5.2.5 calls a mapping's function synchronously inside the write that made the record, with every
record the shard still holds: the writer waits for the whole fan-out, a handler that writes to the table
re-enters itself, and a write holding the local write lock (transactions, persistence) deadlocks as soon
as the handler writes back through the server. Lambda instead polls each shard on its own, in order,
applies the mapping's filter criteria and, with ReportBatchItemFailures, resends from the first failed
record. This does the same: the shard only records (reelflow/local/patches/stream_records.py), and
one thread per mapping delivers through moto's own `send_dynamodb_items`, so the function runs through
the in-process invoker exactly as every other trigger does. Mappings start at LATEST when polling starts
(after the persisted items were restored: those are no news). A batch holds at most the mapping's batch
size and what fits Lambda's 6 MB request limit, as Lambda's poller reads (one record past it alone still
goes, and fails, as on AWS).
"""

import json
import logging
import threading
import time
from dataclasses import dataclass, field

from moto.awslambda.models import EventSourceMapping
from moto.awslambda.utils import get_backend
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamRecord, Table
from moto.events.models import EventPattern

from reelflow.local.invoker import REQUEST_LIMIT_BYTES
from reelflow.local.patches import stream_records

logger = logging.getLogger("reelflow.local.stream")
RETRY_SECONDS = 0.2  # between attempts of a failed batch (Lambda backs off too)
DEFAULT_RETRY_ATTEMPTS = 3


RECORD_ENVELOPE_BYTES = 256  # what send_dynamodb_items adds to a record (region, source ARN, separators)


def within_request_limit(records: list[StreamRecord], limit: int = REQUEST_LIMIT_BYTES) -> list[StreamRecord]:
    """The longest head of `records` whose event fits `limit` (never fewer than one record)."""
    size = len('{"Records": []}')
    for count, record in enumerate(records):
        size += len(json.dumps(record.to_json(), default=str)) + RECORD_ENVELOPE_BYTES
        if size > limit and count > 0:
            return records[:count]
    return records


def _sequence(record: StreamRecord) -> int:
    return int(record.record["dynamodb"]["SequenceNumber"])


@dataclass
class Poller:
    """Delivers one table's stream to one mapping, in order, on its own thread."""

    table: Table
    mapping: EventSourceMapping
    account_id: str
    region: str
    position: int  # the first sequence number not yet delivered
    wake: threading.Condition = field(default_factory=threading.Condition)
    stopped: bool = False
    busy: bool = False
    patterns: list[EventPattern] = field(default_factory=list)

    def __post_init__(self) -> None:
        filters = (self.mapping.filter_criteria or {}).get("Filters") or []
        self.patterns = [EventPattern.load(f["Pattern"]) for f in filters if f.get("Pattern")]
        self.thread = threading.Thread(target=self._run, daemon=True, name="reelflow-stream-poller")

    @property
    def batch_size(self) -> int:
        return int(self.mapping.batch_size or 100)

    @property
    def retry_attempts(self) -> int:
        value = self.mapping.max_retry_attempts
        return DEFAULT_RETRY_ATTEMPTS if value is None or int(value) < 0 else int(value)

    def pending(self) -> list[StreamRecord]:
        shard = self.table.stream_shard
        if shard is None:
            return []
        return [r for r in list(shard.items) if _sequence(r) >= self.position]

    def idle(self) -> bool:
        with self.wake:
            return not self.busy and not self.pending()

    def notify(self) -> None:
        with self.wake:
            self.wake.notify_all()

    def stop(self) -> None:
        with self.wake:
            self.stopped = True
            self.wake.notify_all()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=10)

    def _matches(self, record: StreamRecord) -> bool:
        if not self.patterns:
            return True
        as_json = json.loads(json.dumps(record.to_json(), default=str))
        return any(pattern.matches_event(as_json) for pattern in self.patterns)

    def _run(self) -> None:
        attempts = 0
        while True:
            with self.wake:
                while not self.stopped and not self.pending():
                    self.wake.wait(timeout=1.0)
                if self.stopped:
                    return
                records = within_request_limit(self.pending()[: self.batch_size])
                self.busy = True
            try:
                failed_at = self._deliver(records)
            except Exception:  # the poller must survive anything a delivery does
                logger.exception("stream delivery failed")
                failed_at = _sequence(records[0])
            with self.wake:
                self.busy = False
                if failed_at is None:
                    self.position, attempts = _sequence(records[-1]) + 1, 0
                    continue
                attempts += 1
                if attempts > self.retry_attempts:
                    # Lambda sends the batch's description to the on-failure destination and moves on.
                    logger.warning("stream records dropped after %d attempts", attempts)
                    self.position, attempts = _sequence(records[-1]) + 1, 0
                    continue
                self.position = failed_at
            time.sleep(RETRY_SECONDS)

    def _deliver(self, records: list[StreamRecord]) -> int | None:
        """Invokes the function with the records that pass the filter; the sequence number to resume
        from when it failed (all of them, or from its first reported item failure), else None."""
        matching = [r for r in records if self._matches(r)]
        if not matching:
            return None
        backend = get_backend(self.account_id, self.region)
        raw = backend.send_dynamodb_items(self.mapping.function_arn, matching, self.mapping.event_source_arn)
        answer = json.loads(raw) if raw else None
        if isinstance(answer, dict) and "errorType" in answer:
            return _sequence(matching[0])
        reports = self.mapping.function_response_types or []
        failures = (answer or {}).get("batchItemFailures") if isinstance(answer, dict) else None
        if "ReportBatchItemFailures" in reports and failures:
            return min(int(f["itemIdentifier"]) for f in failures)
        return None


@dataclass
class _Registry:
    pollers: list[Poller] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_registry = _Registry()


def _wake(table: Table) -> None:
    for poller in list(_registry.pollers):
        if poller.table is table:
            poller.notify()


def start(account_id: str, region: str) -> list[Poller]:
    """A poller for every stream mapping of every table, from the current end of each stream."""
    stream_records.stream_listeners[:] = [_wake]
    started = []
    with _registry.lock:
        for table in dynamodb_backends[account_id][region].tables.values():
            shard = table.stream_shard
            if shard is None:
                continue
            for mapping in table.lambda_event_source_mappings.values():
                poller = Poller(
                    table=table,
                    mapping=mapping,
                    account_id=account_id,
                    region=region,
                    position=shard.starting_sequence_number + len(shard.items),
                )
                poller.thread.start()
                _registry.pollers.append(poller)
                started.append(poller)
    return started


def stop() -> None:
    with _registry.lock:
        pollers, _registry.pollers = _registry.pollers, []
    for poller in pollers:
        poller.stop()


def wait_idle(timeout: float = 30.0) -> bool:
    """True once every poller has delivered every record (tests: "the stream has been read")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(poller.idle() for poller in list(_registry.pollers)):
            return True
        time.sleep(0.02)
    return False


def pollers() -> list[Poller]:
    return list(_registry.pollers)
