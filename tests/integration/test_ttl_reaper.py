"""DynamoDB's Time to Live in local mode (reelflow/local/ttl_reaper.py): expired items are deleted as AWS
deletes them, with their REMOVE stream records; the rest are kept. Each pass is held to the test's own
table: the session's embedded AWS is shared, and other tests' items carry times of fixed clocks."""

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto.dynamodb.models import dynamodb_backends

from reelflow.local.cloud import ACCOUNT, REGION
from reelflow.local.expiry import Reaper
from reelflow.local.ttl_reaper import OLDEST_EXPIRY_SECONDS, reap
from tests.helpers import create_stream_table

NOW = 1_790_000_000  # 2026-09-21
TABLE_SPEC = Path(__file__).resolve().parents[2] / "functions" / "adapters" / "table.json"


@pytest.fixture
def table(local_cloud: Any) -> Iterator[str]:
    name = f"ttl-{uuid.uuid4().hex[:8]}"
    client = local_cloud.client("dynamodb")
    create_stream_table(client, name)
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at_epoch"}
    )
    yield name
    client.delete_table(TableName=name)


def _put(client: Any, table: str, sk: str, expiry: dict[str, str] | None) -> None:
    item = {"PK": {"S": "p"}, "SK": {"S": sk}} | ({"expires_at_epoch": expiry} if expiry else {})
    client.put_item(TableName=table, Item=item)


def _left(client: Any, table: str) -> set[str]:
    return {i["SK"]["S"] for i in client.scan(TableName=table)["Items"]}


def test_only_items_expired_within_five_years_are_deleted(local_cloud: Any, table: str) -> None:
    client = local_cloud.client("dynamodb")
    _put(client, table, "expired", {"N": str(NOW - 10)})
    _put(client, table, "expires-now", {"N": str(NOW)})  # not before now: kept
    _put(client, table, "later", {"N": str(NOW + 3600)})
    _put(client, table, "six-years-ago", {"N": str(NOW - OLDEST_EXPIRY_SECONDS - 86400)})
    _put(client, table, "a-string", {"S": str(NOW - 10)})  # not a Number: TTL ignores it
    _put(client, table, "no-ttl", None)
    backend = dynamodb_backends[ACCOUNT][REGION]

    assert reap(backend, NOW, [table]) == 1
    assert _left(client, table) == {"expires-now", "later", "six-years-ago", "a-string", "no-ttl"}
    last = backend.get_table(table).stream_shard.items[-1].record
    assert last["eventName"] == "REMOVE" and last["dynamodb"]["Keys"]["SK"] == {"S": "expired"}
    assert reap(backend, NOW, [table]) == 0  # the same event twice changes nothing


def test_a_table_without_ttl_keeps_everything(local_cloud: Any, table: str) -> None:
    client = local_cloud.client("dynamodb")
    client.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires_at_epoch"}
    )
    _put(client, table, "expired", {"N": str(NOW - 10)})
    assert reap(dynamodb_backends[ACCOUNT][REGION], NOW, [table]) == 0
    assert _left(client, table) == {"expired"}


def test_the_reaper_deletes_on_its_own_until_stopped(local_cloud: Any, table: str) -> None:
    client = local_cloud.client("dynamodb")
    clock = {"now": float(NOW)}
    moment = lambda: datetime.fromtimestamp(clock["now"], UTC)  # noqa: E731
    reaper = Reaper(ACCOUNT, REGION, interval_seconds=0.05, clock=moment, tables=[table], buckets=[]).start()
    try:
        _put(client, table, "soon", {"N": str(NOW + 60)})
        time.sleep(0.2)
        assert _left(client, table) == {"soon"}
        clock["now"] = NOW + 61.0
        deadline = time.monotonic() + 30
        while _left(client, table) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _left(client, table) == set()
    finally:
        reaper.stop()
    _put(client, table, "after-stop", {"N": str(NOW)})
    time.sleep(0.2)
    assert _left(client, table) == {"after-stop"}


def test_local_mode_turns_the_tables_ttl_on_as_the_cdk_app_does(local_cloud: Any) -> None:
    attribute = json.loads(TABLE_SPEC.read_text())["ttl_attribute"]
    described = local_cloud.client("dynamodb").describe_time_to_live(TableName=local_cloud.table_name)
    assert described["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}
