"""The data folder local mode writes through to: every committed write is on disk, a cancelled
transaction leaves nothing, and a new process gets the same items and objects back."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reelflow.local import persistence

ACCOUNT, REGION, TABLE, BUCKET = "123456789012", "us-east-1", "local-persistence", "local-persistence-objects"


def _create(dynamodb: Any, s3: Any) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    s3.create_bucket(Bucket=BUCKET)


@pytest.fixture
def aws(local_cloud: Any) -> Iterator[tuple[Any, Any]]:
    """A table and a bucket of their own on the session's embedded AWS (its backends are never reset
    under the other tests)."""
    dynamodb, s3 = local_cloud.client("dynamodb"), local_cloud.client("s3")
    _create(dynamodb, s3)
    yield dynamodb, s3
    persistence.detach()
    _drop(dynamodb, s3)


def _drop(dynamodb: Any, s3: Any) -> None:
    dynamodb.delete_table(TableName=TABLE)
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "x"}}


def test_writes_transactions_and_objects_come_back_in_a_new_process(
    aws: tuple[Any, Any], tmp_path: Path
) -> None:
    dynamodb, s3 = aws
    store = persistence.LocalStore(tmp_path / "data")
    assert persistence.attach(store, ACCOUNT, REGION) == (0, 0)
    dynamodb.put_item(TableName=TABLE, Item={**_key("a"), "n": {"N": "1"}})
    dynamodb.update_item(
        TableName=TABLE,
        Key=_key("a"),
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    dynamodb.put_item(TableName=TABLE, Item=_key("deleted"))
    dynamodb.delete_item(TableName=TABLE, Key=_key("deleted"))
    dynamodb.transact_write_items(
        TransactItems=[{"Put": {"TableName": TABLE, "Item": _key(f"t{n}")}} for n in range(3)]
    )
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": _key("never")}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": _key("missing"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    s3.put_object(Bucket=BUCKET, Key="kept.bin", Body=b"\x00kept")
    s3.put_object(Bucket=BUCKET, Key="gone.bin", Body=b"gone")
    s3.delete_object(Bucket=BUCKET, Key="gone.bin")
    persistence.detach()

    kept = {
        item["pk"]["S"]: item
        for table, item in persistence.LocalStore(tmp_path / "data").items()
        if table == TABLE
    }
    assert set(kept) == {"a", "t0", "t1", "t2"} and kept["a"]["n"] == {"N": "2"}
    kept_files = {
        row[2].name for row in persistence.LocalStore(tmp_path / "data").objects() if row[0] == BUCKET
    }
    assert len(kept_files) == 1  # the deleted object's row went

    _drop(dynamodb, s3)  # an empty table and bucket: what a restarted process has
    _create(dynamodb, s3)
    restored_items, restored_objects = persistence.attach(
        persistence.LocalStore(tmp_path / "data"), ACCOUNT, REGION
    )
    assert restored_items >= 4 and restored_objects >= 1  # other tests' stray writes may be there too
    assert dynamodb.get_item(TableName=TABLE, Key=_key("a"))["Item"]["n"] == {"N": "2"}
    assert s3.get_object(Bucket=BUCKET, Key="kept.bin")["Body"].read() == b"\x00kept"


def test_a_detached_store_takes_no_writes(aws: tuple[Any, Any], tmp_path: Path) -> None:
    dynamodb, _ = aws
    persistence.attach(persistence.LocalStore(tmp_path / "data"), ACCOUNT, REGION)
    persistence.detach()
    dynamodb.put_item(TableName=TABLE, Item=_key("late"))
    assert [i for t, i in persistence.LocalStore(tmp_path / "data").items() if t == TABLE] == []
