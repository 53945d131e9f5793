"""Bodies the API refuses before routing: too large, not JSON, not UTF-8, not parseable.

Powertools' validation parses the body itself and turns some failures into 500s (a non-UTF-8 body,
multipart without a boundary, an integer longer than Python converts, JSON nested past the recursion
limit) or into a 422 that does not say what is wrong. The handler asks `refusal` first, so each of them is
a 4xx in the `{error, detail}` shape; a body that passes is handed on decoded, as plain JSON text.
"""

import base64
import binascii
import json
from typing import Any

MAX_BODY_BYTES = 1024 * 1024  # the largest real request (50 files, settings) is a few kilobytes
MAX_INTEGER_DIGITS = 30
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Refused(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail

    def response(self) -> dict[str, Any]:
        return {
            "statusCode": self.status,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"error": self.error, "detail": self.detail}),
            "isBase64Encoded": False,
        }


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise Refused(400, "Malformed JSON", f"an integer of {digits} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def parse_json(text: str) -> Any:
    """json.loads with the reasons a client can act on: where the syntax breaks, too deep, too long."""
    try:
        return json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as error:
        raise Refused(
            400, "Malformed JSON", f"{error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise Refused(400, "Malformed JSON", "the body is nested too deeply") from None


def _header(event: dict[str, Any], name: str) -> str:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return ""


def _raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise Refused(400, "Malformed body", "the body is not valid base64") from None
    return body.encode("utf-8", "surrogatepass")


def refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """The error response for a body the API cannot take (None: go on). On success the event's body is
    replaced by its decoded text, so every later reader sees the same, checked JSON."""
    method = str((event.get("requestContext") or {}).get("http", {}).get("method", "")).upper()
    if method not in BODY_METHODS or not event.get("body"):
        return None
    try:
        raw = _raw_body(event)
        if len(raw) > MAX_BODY_BYTES:
            raise Refused(
                413,
                "Payload too large",
                f"the body is {len(raw)} bytes; at most {MAX_BODY_BYTES} are accepted",
            )
        media_type = _header(event, "content-type").split(";", 1)[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise Refused(
                415,
                "Unsupported media type",
                f"send JSON with 'Content-Type: application/json' (got '{media_type}')",
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Refused(400, "Malformed body", f"the body is not UTF-8 (byte {error.start})") from None
        parse_json(text)
    except Refused as refused:
        return refused.response()
    event["body"], event["isBase64Encoded"] = text, False
    return None
