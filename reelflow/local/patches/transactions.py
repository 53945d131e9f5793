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


def _transact_one(
    backend: DynamoDBBackend, entry: dict[str, Any], seen: set[tuple[str, str]], undo: Undo
) -> None:
    """Check one transaction item's condition, remember the item, apply the write."""
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
    if op_type == "ConditionCheck":
        return
    undo.remember(backend, table_name, key)
    expression = {
        "condition_expression": condition,
        "expression_attribute_names": names,
        "expression_attribute_values": values,
    }
    if op_type == "Put":
        backend.put_item(table_name, op["Item"], **expression)
    elif op_type == "Delete":
        backend.delete_item(table_name, key, **expression)
    else:
        backend.update_item(table_name, key, update_expression=op["UpdateExpression"], **expression)


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's TransactWriteItems deep-copies every table named by every item before it starts
    (a 50-video create copied the whole table ~100 times: memory grew by gigabytes). This keeps its
    semantics (checks in order, cancellation reasons per item, all-or-nothing) and copies only the
    items the transaction touches, restoring them if any item fails."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with write_lock:
        undo = Undo()
        seen: set[tuple[str, str]] = set()
        errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
        for entry in transact_items:
            try:
                _transact_one(self, entry, seen, undo)
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException, TransactWriteSingleOpException):
                undo.rollback()
                raise
            except _ConditionFailed as error:
                errors.append(("ConditionalCheckFailed", str(error.message), error.returned))
            except Exception as error:  # moto reports any other failure per item, as AWS does
                errors.append((type(error).__name__, str(error), None))
        if any(code is not None for code, _, _ in errors):
            undo.rollback()
            raise TransactionCanceledException(errors)


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
