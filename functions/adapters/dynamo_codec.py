"""Conversions between Python values / pydantic models and DynamoDB items.

Going in: floats become Decimal, datetimes ISO-8601 strings, enums their values, models their JSON
fields, and None values are dropped from maps. Coming out: Decimal becomes int or float, sets lists.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from functions.observability import logger

M = TypeVar("M", bound=BaseModel)
ESSENTIAL = frozenset({"status"})  # a record shown in a state it is not in would mislead: it is skipped
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


def readable(item: dict[str, Any], model_type: type[M]) -> M | None:
    """A stored item as a model, for reads that serve many records: one bad record must not break them.

    An item that fails validation is served degraded (the failing fields take their defaults) when its
    model can do without them and its status reads, else skipped; either way it is logged with its key,
    as a warning."""
    data = from_dynamo(item)
    key = {"PK": item.get("PK"), "SK": item.get("SK")}
    try:
        return model_type.model_validate(data)
    except ValidationError as error:
        failing = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
        reasons = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
    fields = model_type.model_fields
    if failing and all(
        name in fields and not fields[name].is_required() and name not in ESSENTIAL for name in failing
    ):
        try:
            degraded = model_type.model_validate({k: v for k, v in data.items() if k not in failing})
        except ValidationError:
            pass
        else:
            logger.warning(
                "Unreadable fields served with their defaults",
                extra={
                    "key": key,
                    "model": model_type.__name__,
                    "fields": sorted(failing),
                    "errors": reasons,
                },
            )
            return degraded
    logger.warning(
        "Unreadable record skipped",
        extra={"key": key, "model": model_type.__name__, "errors": reasons},
    )
    return None


def readable_all(items: Iterable[dict[str, Any]], model_type: type[M]) -> list[M]:
    """Every item that reads (see `readable`), in order."""
    return [model for item in items if (model := readable(item, model_type)) is not None]
