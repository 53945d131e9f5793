"""DynamoDB stream shards that only record, and keep the last records only (moto kept every record
for ever and invoked the mappings inside the write); reelflow/local/stream_mapping.py delivers them."""

from collections.abc import Callable

from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table

from reelflow.local.patches import transactions

# ---- DynamoDB stream records ----------------------------------------------------------------------

STREAM_RECORDS_KEPT = 1000
# Called with the table after each record is added (reelflow/local/stream_mapping.py wakes its pollers).
stream_listeners: list[Callable[[Table], None]] = []


def _stream_add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    """moto keeps every stream record for ever (AWS keeps 24 hours): with nothing reading the stream
    locally, each write's old and new images stayed in memory. Keep the last STREAM_RECORDS_KEPT,
    moving the shard's first sequence number so the ones kept keep their numbers. moto also invokes the
    table's stream mappings right here, inside the write (and under the write lock): records are only
    recorded here and stream_mapping's pollers deliver them, as Lambda polls a shard. A transaction's
    records wait for it to commit (transactions.held_stream_record)."""
    if transactions.held_stream_record(self, old, new):
        return
    view = (self.table.stream_specification or {})["StreamViewType"]
    event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    sequence = len(self.items) + self.starting_sequence_number
    self.items.append(StreamRecord(self.table, view, event_name, old, new, sequence))
    extra = len(self.items) - STREAM_RECORDS_KEPT
    if extra > 0:
        del self.items[:extra]
        self.starting_sequence_number += extra
    for listener in stream_listeners:
        listener(self.table)


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    StreamShard.add = _stream_add  # type: ignore[method-assign]
