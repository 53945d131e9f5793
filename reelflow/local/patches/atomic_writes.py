"""Each PutItem, UpdateItem and DeleteItem is atomic, as DynamoDB makes every single-item write.

moto 5.2.5 serves requests on many threads and takes no lock for a single-item write: its condition is
checked, then the write applied, so two conditional writes to one item could both pass (two admissions
taking the last running slot). Each such write now holds the lock transactions hold
(`transactions.write_lock`; the data folder's write-through holds it too).

moto also applies an update expression to the stored item in place, one action after another, so a read
on another thread (the API's Query while a Lambda completes the batch) could see the item half-updated:
`status` already `completed`, its `summary` not yet there. The actions now run on a copy, which then
replaces the stored item's attributes in one assignment: a read holds the old attributes or the new
ones. An update that fails partway (the item grown past 400 KB) leaves the item as it was, as on AWS.
"""

import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.parsing.ast_nodes import Node  # type: ignore[attr-defined]
from moto.dynamodb.parsing.executors import UpdateExpressionExecutor

from reelflow.local.patches import transactions

T = TypeVar("T")
_execute = UpdateExpressionExecutor.execute


def execute(self: UpdateExpressionExecutor, node: Node | None = None) -> None:
    if node is not None:  # the executor's recursion into the expression's actions
        _execute(self, node)
        return
    stored: Item = self.item
    working = copy.deepcopy(stored)  # moto's Item.__deepcopy__: no size check per attribute, it fits
    self.item = working
    try:
        _execute(self)
    finally:
        self.item = stored
    stored.attrs = working.attrs


def _locked(write: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(write)
    def locked(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> T:
        with transactions.write_lock:
            return write(self, *args, **kwargs)

    return locked


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    UpdateExpressionExecutor.execute = execute  # type: ignore[method-assign]
    DynamoDBBackend.put_item = _locked(DynamoDBBackend.put_item)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _locked(DynamoDBBackend.update_item)  # type: ignore[method-assign]
    DynamoDBBackend.delete_item = _locked(DynamoDBBackend.delete_item)  # type: ignore[method-assign]
