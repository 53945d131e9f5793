"""Opaque next_token cursors: the store's resume point, base64url-encoded JSON, bound to one listing.

Tokens are not signed: `decode` only accepts the shape `encode` makes, and the store checks that the key
belongs to the partition the request may read, so a crafted token can only reach the caller's own items.
"""

import base64
import binascii
import json
from typing import Any

from functions.domain.batch_listing import BatchPage, InvalidPageToken
from functions.domain.models import BatchJob

MAX_TOKEN_LENGTH = 2048


def encode(fingerprint: str, segment: int, key: dict[str, str]) -> str:
    raw = json.dumps({"q": fingerprint, "i": segment, "k": key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str, fingerprint: str, key_names: set[str] | None = None) -> tuple[int, dict[str, str]]:
    """(segment, key); InvalidPageToken unless it is a token `encode` made for this fingerprint."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidPageToken()
    try:
        data: Any = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidPageToken() from None
    if not isinstance(data, dict) or data.get("q") != fingerprint:
        raise InvalidPageToken()
    segment, key = data.get("i"), data.get("k")
    if type(segment) is not int or segment < 0 or not isinstance(key, dict):
        raise InvalidPageToken()
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in key.items()):
        raise InvalidPageToken()
    if key_names is not None and set(key) != key_names:
        raise InvalidPageToken()
    return segment, key


def page_of(
    ordered: list[BatchJob], fingerprint: str, limit: int, after: str | None, skip: int = 0
) -> BatchPage:
    """A page of a list already in order; the token names the page's last batch, and the next page
    starts right after it (InvalidPageToken if that batch is no longer listed: start again)."""
    start = 0
    if after is not None:
        _, key = decode(after, fingerprint, {"id"})
        ids = [b.id for b in ordered]
        if key["id"] not in ids:
            raise InvalidPageToken()
        start = ids.index(key["id"]) + 1
    shown = ordered[start + skip : start + skip + limit]
    more = len(ordered) > start + skip + limit and bool(shown)
    return BatchPage(shown, encode(fingerprint, 0, {"id": shown[-1].id}) if more else None)
