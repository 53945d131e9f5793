"""The 400 KB item limit checked once per item, as AWS counts it (moto re-measured at every attribute)."""

from typing import Any

from moto.dynamodb.exceptions import (
    ItemSizeTooLarge,
)
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize

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


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    Item.__init__ = _item_init  # type: ignore[method-assign]
