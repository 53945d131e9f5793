"""Small corrections to moto where it differs from AWS in ways reelflow depends on."""

import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    ItemSizeTooLarge,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models import table as moto_table_module
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.dynamodb.models.utilities import bytesize
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
    StateTaskServiceEcs,
)
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
from moto.stepfunctions.responses import StepFunctionResponse


def _send_task_failure(self: StepFunctionResponse) -> EmptyResult:
    # moto 5.2.5 drops `cause`; AWS passes it to the Catch (where error messages come from).
    task_token = self._get_param("taskToken")
    backend: Any = self.stepfunction_backend  # the interpreter's backend accepts `cause`
    backend.send_task_failure(task_token, error=self._get_param("error"), cause=self._get_param("cause"))
    return EmptyResult()


def _camel(value: Any) -> Any:
    """ASL passes ECS parameters in PascalCase (LaunchType); the ECS API's members are camelCase."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value


def _pascal(value: Any) -> Any:
    """The ECS API answers in camelCase (taskArn); Step Functions records an optimized integration's
    answer in PascalCase (TaskArn), and production code reads it that way only."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def _ecs_eval_service_task(self: StateTaskServiceEcs, **kwargs: Any) -> None:
    # moto 5.2.5 hands the PascalCase keys to botocore unchanged (which rejects them), then reads the
    # answer with keys it never normalised. Call RunTask with the ECS API's names and keep its answer.
    runtime = kwargs["resource_runtime_part"]
    client: Any = boto_client_for(
        region=runtime.region, service="ecs", state_credentials=kwargs["state_credentials"]
    )
    response = client.run_task(**_camel(kwargs["normalised_parameters"]))
    response.pop("ResponseMetadata", None)
    kwargs["env"].stack.append(_pascal(response))


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


# ---- DynamoDB stream records ----------------------------------------------------------------------

STREAM_RECORDS_KEPT = 1000
# Called with the table after each record is added (reelflow/local/stream_mapping.py wakes its pollers).
stream_listeners: list[Callable[[Table], None]] = []


def _stream_add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    """moto keeps every stream record for ever (AWS keeps 24 hours): with nothing reading the stream
    locally, each write's old and new images stayed in memory. Keep the last STREAM_RECORDS_KEPT,
    moving the shard's first sequence number so the ones kept keep their numbers. moto also invokes the
    table's stream mappings right here, inside the write (and under the write lock): records are only
    recorded here and stream_mapping's pollers deliver them, as Lambda polls a shard."""
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


# ---- DynamoDB queries ------------------------------------------------------------------------------

_query_scope = threading.local()  # what the Query running on this thread needs from all_items()
_original_all_items = Table.all_items
_original_query = Table.query


def _all_items(self: Table) -> list[Item]:
    scope = getattr(_query_scope, "value", None)
    if scope is None or scope[0] is not self:
        return _original_all_items(self)
    _, hash_key, index_key = scope
    if hash_key is None:  # a global-index query: moto filters and sorts the result itself
        items = (item for partition in self.items.values() for item in partition.values())
        if index_key is None:
            return list(items)
        name, wanted = index_key  # the same test moto makes next, on plain values instead of DynamoType
        return [
            item
            for item in items
            if (value := item.attrs.get(name)) is not None
            and value.type == wanted.type
            and value.value == wanted.value
        ]
    partition = self.items.get(hash_key) or {}
    return sorted(partition.values(), key=lambda item: item.range_key)


class _CopyOutsideQueries:
    """`copy` as moto's table module sees it. Table.query deep-copies every result before the response
    serialises it and drops it (a third of a 50-item Query's time); within a Query the items are read,
    never changed, so they are handed on as they are. Everywhere else (scans, backups) copies stay."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_query_scope, "value", None) is not None:
            return value
        return copy.deepcopy(value, memo)


_original_item_size = Item.size


def _item_size(self: Item) -> int:
    """moto sizes every candidate twice per Query (the 1 MB page limit), recursively each time; within one
    Query an item's size is measured once."""
    sizes: dict[int, int] | None = getattr(_query_scope, "sizes", None)
    if sizes is None:
        return int(_original_item_size(self))
    if id(self) not in sizes:
        sizes[id(self)] = int(_original_item_size(self))
    return sizes[id(self)]


def _query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """moto 5.2.5 answers every Query by sorting the whole table, then filtering it: a batch's GET
    cost grew with every other batch stored. A table or local-index query now reads its one partition; a
    global-index query still reads the table (moto keeps no index) but picks its partition with a plain
    comparison per item, and no longer sorts the table first."""
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    if self.range_key_attr is None or (hash_key is None and not index_name):
        return _original_query(self, hash_key, *args, **kwargs)
    partition, index_key = hash_key, None
    if index_name:  # a local index lives in the table's partition: read that one; a global one: all
        local = any(index.name == index_name for index in self.indexes)
        partition = hash_key if local and hash_key is not None else None
        conditions = kwargs.get("hash_key_conditions") or []
        if not local and len(conditions) == 1:
            index_key = conditions[0]
    _query_scope.value, _query_scope.sizes = (self, partition, index_key), {}
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _query_scope.value, _query_scope.sizes = None, None


# ---- DynamoDB items ----------------------------------------------------------------------------------

ITEM_SIZE_LIMIT = 405000  # moto's own figure: AWS's 400 KB as measured


def _item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
    """moto 5.2.5 builds an item one attribute at a time and re-measures every attribute already in it at
    each step (the 400 KB check): quadratic in attributes, the largest cost of a 50-video create. The
    same check, once, on the whole item (sizes only add up, so it refuses exactly what moto refuses)."""
    self.hash_key, self.range_key = hash_key, range_key
    converted = {key: DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in converted.items()) > ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = LimitedSizeDict()
    dict.update(self.attrs, converted)


# ---- DynamoDB read responses -------------------------------------------------------------------------

FAST_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem"})
_original_execute_result = ActionResult.execute_result


def _plain(value: Any) -> Any:
    """The result without None members (the generic serializer skips them); TypeError on anything JSON
    cannot carry as it is (bytes, datetimes), which sends the result to the generic serializer."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise TypeError(type(value).__name__)


def _execute_result(self: ActionResult, context: Any) -> Any:
    """moto 5.2.5 serialises every response by walking it against the service's shapes, attribute by
    attribute: nine tenths of a 50-item Query's CPU. A DynamoDB read's result is already DynamoDB JSON,
    so it is dumped as it is, with the headers and status the serializer would have given it."""
    if (
        context.service_model.service_name == "dynamodb"
        and context.operation_model.name in FAST_READS
        and isinstance(self.result, dict)
    ):
        try:
            body = json.dumps(_plain(self.result), separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            return _original_execute_result(self, context)
        serializer = context.serializer_class(operation_model=context.operation_model)
        response = serializer._create_default_response()
        content_type = serializer._get_protocol_specific_content_type()
        return response["status_code"], {"Content-Type": content_type}, body
    return _original_execute_result(self, context)


_installed: list[bool] = []


def install() -> None:
    """Once per process (reelflow/local/persistence.py wraps some of these afterwards)."""
    if _installed:
        return
    _installed.append(True)
    StepFunctionResponse.send_task_failure = _send_task_failure  # type: ignore[method-assign]
    StateTaskServiceEcs._eval_service_task = _ecs_eval_service_task  # type: ignore[method-assign,assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    StreamShard.add = _stream_add  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    Table.query = _query  # type: ignore[method-assign]
    Item.size = _item_size  # type: ignore[method-assign]
    ActionResult.execute_result = _execute_result  # type: ignore[method-assign]
    Item.__init__ = _item_init  # type: ignore[method-assign]
    moto_table_module.copy = _CopyOutsideQueries()  # type: ignore[assignment,attr-defined]
