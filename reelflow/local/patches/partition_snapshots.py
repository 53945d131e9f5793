"""A read iterates a snapshot of a table's partitions, so a write on another thread cannot break it.

moto 5.2.5 keeps a table's items in a dict of partitions (a dict per hash key) and iterates them with
Python loops for every scan, global-index query and count, while other request threads add partitions
(a new item, or even a GetItem of a missing key: the dict is a defaultdict) and items to them. A loop
that lost the GIL at the wrong moment failed with `RuntimeError: dictionary changed size during
iteration`, a 500 that DynamoDB never answers (66 of a global-index Query loop's reads in 8 s, while
another thread created items). Here `values()` of the partitions and of each partition is a list,
copied in one step under the GIL: the loop sees the table as it was when it started, as a read does.
"""

from collections import defaultdict
from typing import Any

from moto.dynamodb.models.table import Table


class Partition(dict[Any, Any]):
    """One hash key's items, by range key."""

    def values(self) -> list[Any]:  # type: ignore[override]
        return list(super().values())


class Partitions(defaultdict[Any, Any]):
    """A table's partitions, by hash key (an item itself, in a table without a range key)."""

    def values(self) -> list[Any]:  # type: ignore[override]
        return list(super().values())


_init = Table.__init__


def _table_init(self: Table, *args: Any, **kwargs: Any) -> None:
    _init(self, *args, **kwargs)
    self.items = Partitions(Partition, self.items)


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    Table.__init__ = _table_init  # type: ignore[method-assign]
