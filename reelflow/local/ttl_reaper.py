"""DynamoDB's Time to Live in local mode: expired items are deleted, as DynamoDB deletes them.

moto records a table's TTL setting and never acts on it, so a long-running `reelflow serve` kept every
expired item (a claim per progress event, every WebSocket connection, rate counters, idempotency records)
in memory and in its data folder, and the `REMOVE` stream records TTL deletions produce on AWS never
reached the stream's consumers. This deletes them the way the service does:
- an item expires when its TTL attribute is a Number of epoch seconds in the past; an attribute of
  another type, or a time more than five years in the past, never expires (AWS skips both);
- each deletion is conditional on the item being expired still (a write that extended it in the
  meantime keeps it), and it goes through the table as any delete does: the data folder, the stream;
- a pass runs every minute (reelflow/local/expiry.py; AWS deletes within days, typically minutes), so
  reads must still filter what they find by its expiry, as on AWS.
"""

from collections.abc import Collection
from typing import Any

from moto.dynamodb.exceptions import ConditionalCheckFailed
from moto.dynamodb.models import DynamoDBBackend

OLDEST_EXPIRY_SECONDS = 5 * 365 * 24 * 3600  # AWS leaves items expired longer ago than five years


def ttl_attribute(table: Any) -> str | None:
    ttl = table.ttl or {}
    return str(ttl["AttributeName"]) if ttl.get("TimeToLiveStatus") == "ENABLED" else None


def expired(item: Any, attribute: str, now: float) -> bool:
    value = item.attrs.get(attribute)
    if value is None or value.type != "N":
        return False
    expiry = float(value.value)
    return now - OLDEST_EXPIRY_SECONDS <= expiry < now


def reap(backend: DynamoDBBackend, now: float, tables: Collection[str] | None = None) -> int:
    """One pass over every table with TTL enabled (those named in `tables`, if given): deletes its
    expired items; how many it deleted."""
    deleted = 0
    for table in [t for t in list(backend.tables.values()) if tables is None or t.name in tables]:
        attribute = ttl_attribute(table)
        if attribute is None:
            continue
        names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
        keys = [
            {name: item.attrs[name].to_json() for name in names}
            for item in table.all_items()
            if expired(item, attribute, now)
        ]
        for key in keys:
            try:
                backend.delete_item(
                    table.name,
                    key,
                    expression_attribute_names={"#ttl": attribute},
                    expression_attribute_values={":now": {"N": str(int(now))}},
                    condition_expression="#ttl < :now",
                )
                deleted += 1
            except ConditionalCheckFailed:  # extended (or deleted) since the pass read it: kept
                continue
    return deleted
