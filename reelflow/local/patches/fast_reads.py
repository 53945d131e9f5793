"""DynamoDB read responses dumped as the JSON they already are (moto walked them against the service's
shapes, attribute by attribute)."""

import json
from typing import Any

from moto.core.responses import ActionResult

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
    if _installed:
        return
    _installed.append(True)
    ActionResult.execute_result = _execute_result  # type: ignore[method-assign]
