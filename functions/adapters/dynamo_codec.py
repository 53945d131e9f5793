"""Conversions between Python values / pydantic models and DynamoDB items.

Going in: floats become Decimal, datetimes ISO-8601 strings, enums their values, models their JSON
fields, and None values are dropped from maps. Coming out: Decimal becomes int or float, sets lists.
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

M = TypeVar("M", bound=BaseModel)
_DATETIME = TypeAdapter(datetime)


def to_dynamo(value: Any) -> Any:
    """Python value → DynamoDB resource value."""
    if isinstance(value, bool | int | str | Decimal) and not isinstance(value, Enum):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, datetime):
        return _DATETIME.dump_python(value, mode="json")  # as the models serialise it: ...Z
    if isinstance(value, BaseModel):
        return to_dynamo(value.model_dump(mode="json", exclude_none=True))
    if isinstance(value, Mapping):
        return {str(k): to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_dynamo(v) for v in value]
    if value is None:
        return None
    raise TypeError(f"Cannot store a {type(value).__name__} in DynamoDB")


def model_to_attributes(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    data = to_dynamo(model.model_dump(mode="json", exclude_none=True, exclude=exclude))
    assert isinstance(data, dict)
    return data


def from_dynamo(value: Any) -> Any:
    """DynamoDB resource value → plain Python: Decimal becomes int or float, sets become lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [from_dynamo(v) for v in value]
    return value


def item_to_model(item: dict[str, Any], model_type: type[M]) -> M:
    return model_type.model_validate(from_dynamo(item))
