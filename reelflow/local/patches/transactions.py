"""TransactWriteItems that copies only the items it touches (moto copied whole tables), with the
same semantics: checks in order, cancellation reasons per item, all or nothing. `write_lock` and
`Undo` are shared with the data folder's write-through (reelflow/local/persistence.py)."""

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

# ---- DynamoDB transactions ------------------------------------------------------------------------

# Held by every DynamoDB write that must not interleave with another (transactions, write-through).
write_lock = threading.RLock()


@dataclass
class _Touched:
    """One item a transaction is about to change: where it lives and a copy of what was there."""

    table: Table
    hash_key: DynamoType
    range_key: DynamoType | None
    before: Item | None


@dataclass
class Undo:
    """What a failed transaction must put back: the items it touched, the stream records it added."""

    touched: list[_Touched] = field(default_factory=list)
    stream_lengths: dict[str, int] = field(default_factory=dict)

    def remember(self, backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> None:
        table = backend.get_table(table_name)
        hash_key, range_key = backend.get_keys_value(table, key)
        current = table.get_item(hash_key, range_key)
        self.touched.append(_Touched(table, hash_key, range_key, copy.deepcopy(current)))
        if table.stream_shard is not None:
            self.stream_lengths.setdefault(table_name, len(table.stream_shard.items))

    def rollback(self) -> None:
        for entry in reversed(self.touched):
            items = entry.table.items
            if entry.range_key is None:
                if entry.before is None:
                    items.pop(entry.hash_key, None)
                else:
                    items[entry.hash_key] = entry.before  # type: ignore[assignment]  # moto's own typing
                continue
            if entry.before is None:
                items.get(entry.hash_key, {}).pop(entry.range_key, None)
                if not items.get(entry.hash_key):
                    items.pop(entry.hash_key, None)
            else:
                items[entry.hash_key][entry.range_key] = entry.before
        for entry in self.touched:
            shard = entry.table.stream_shard
            length = self.stream_lengths.get(entry.table.name)
            if shard is not None and length is not None:
                del shard.items[length:]


class _ConditionFailed(ConditionalCheckFailed):
    def __init__(self, returned: dict[str, Any] | None) -> None:
        super().__init__(item=returned)
        self.returned = returned


def transaction_item_key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


@dataclass(frozen=True)
class _Write:
    """One transaction item whose condition held: what to write and where."""

    index: int  # its place in the transaction
    op_type: str
    op: dict[str, Any]
    key: dict[str, Any]


def _checked(
    backend: DynamoDBBackend, index: int, entry: dict[str, Any], seen: set[tuple[str, str]]
) -> _Write | None:
    """Check one transaction item's shape and condition against the table as it is before any write."""
    if len(entry) > 1:
        raise TransactWriteSingleOpException
    op_type, op = next(iter(entry.items()))
    if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
        raise ValueError("Unsupported transaction operation")
    table_name = op["TableName"]
    key = transaction_item_key(backend, op_type, op)
    identity = (str(table_name), str(dict(sorted(key.items()))))
    if identity in seen:
        raise MultipleTransactionsException()
    seen.add(identity)
    condition = op.get("ConditionExpression")
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    current = backend.get_item(table_name, key)
    if condition is not None and not get_filter_expression(condition, names, values).expr(current):
        returned = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
            returned = current.to_json()["Attributes"]
        raise _ConditionFailed(returned)
    return None if op_type == "ConditionCheck" else _Write(index, op_type, op, key)


def _apply(backend: DynamoDBBackend, write: _Write, undo: Undo) -> None:
    table_name, op = write.op["TableName"], write.op
    undo.remember(backend, table_name, write.key)
    expression: dict[str, Any] = {
        "condition_expression": op.get("ConditionExpression"),
        "expression_attribute_names": op.get("ExpressionAttributeNames"),
        "expression_attribute_values": op.get("ExpressionAttributeValues"),
    }
    if write.op_type == "Put":
        backend.put_item(table_name, op["Item"], **expression)
    elif write.op_type == "Delete":
        backend.delete_item(table_name, write.key, **expression)
    else:
        backend.update_item(table_name, write.key, update_expression=op["UpdateExpression"], **expression)


Reason = tuple[str | None, str | None, dict[str, Any] | None]
_held = threading.local()  # the stream records of the transaction this thread is writing


def held_stream_record(shard: Any, old: Item | None, new: Item | None) -> bool:
    """Hold a stream record back while this thread writes a transaction (stream_records.py asks):
    it is published when the transaction commits, and never if it fails."""
    held: list[tuple[Any, Item | None, Item | None]] | None = getattr(_held, "records", None)
    if held is None:
        return False
    held.append((shard, old, new))
    return True


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's TransactWriteItems deep-copies every table named by every item before it starts
    (a 50-video create copied the whole table ~100 times: memory grew by gigabytes). This keeps its
    semantics (cancellation reasons per item, all or nothing) and copies only the items it writes.

    Every condition is checked before anything is written, as DynamoDB checks them against the table
    as it was: a transaction that fails writes nothing, so no read on another thread sees an item it
    was about to change (moto applied the items one by one and put them back on a failure). Its stream
    records are published when it commits, so a stream's reader never gets a record of a transaction
    that failed, nor a sequence number given again after one was taken back."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with write_lock:
        seen: set[tuple[str, str]] = set()
        reasons: list[Reason] = []
        writes: list[_Write] = []
        for index, entry in enumerate(transact_items):
            try:
                write = _checked(self, index, entry, seen)
            except (MultipleTransactionsException, MockValidationException, TransactWriteSingleOpException):
                raise
            except _ConditionFailed as error:
                reasons.append(("ConditionalCheckFailed", str(error.message), error.returned))
                continue
            except Exception as error:  # moto reports any other failure per item, as AWS does
                reasons.append((type(error).__name__, str(error), None))
                continue
            reasons.append((None, None, None))
            if write is not None:
                writes.append(write)
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)
        _write_all(self, writes, len(transact_items))


def _write_all(backend: DynamoDBBackend, writes: list[_Write], count: int) -> None:
    undo = Undo()
    _held.records = []
    try:
        for write in writes:
            try:
                _apply(backend, write, undo)
            except (MockValidationException, TransactWriteSingleOpException):
                undo.rollback()
                raise
            except Exception as error:  # e.g. an item grown past 400 KB: that item's reason
                undo.rollback()
                reasons: list[Reason] = [(None, None, None)] * count
                reasons[write.index] = (type(error).__name__, str(error), None)
                raise TransactionCanceledException(reasons) from error
        held = _held.records
    finally:
        _held.records = None
    for shard, old, new in held:
        shard.add(old, new)


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
