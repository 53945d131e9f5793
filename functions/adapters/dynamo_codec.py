"""Conversions between pydantic models and DynamoDB items (Decimal in, plain numbers out)."""

import json
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def to_dynamo(value: Any) -> Any:
    """Python value → DynamoDB resource value: floats become Decimal, None values are dropped."""
    return json.loads(json.dumps(value, default=str), parse_float=Decimal)


def model_to_attributes(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    data = json.loads(model.model_dump_json(exclude_none=True, exclude=exclude), parse_float=Decimal)
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
