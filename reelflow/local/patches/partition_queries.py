"""A DynamoDB Query reads its partition only, hands items on without deep copies and sizes each item
once (moto 5.2.5 sorted and copied the whole table for every Query)."""

import copy
import threading
from typing import Any

from moto.dynamodb.models import table as moto_table_module
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

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


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    Table.all_items = _all_items  # type: ignore[method-assign]
    Table.query = _query  # type: ignore[method-assign]
    Item.size = _item_size  # type: ignore[method-assign]
    moto_table_module.copy = _CopyOutsideQueries()  # type: ignore[assignment,attr-defined]
