"""The data folder local mode writes through to: every committed write is on disk, a cancelled
transaction leaves nothing, and a new process gets the same items and objects back."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.base_backend import BackendDict

from reelflow.local import persistence

ACCOUNT, REGION, TABLE, BUCKET = "123456789012", "us-east-1", "kept", "kept-objects"


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
def aws() -> Iterator[tuple[Any, Any]]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        _create(dynamodb, s3)
        yield dynamodb, s3
    persistence.detach()


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

    kept = {item["pk"]["S"]: item for _, item in persistence.LocalStore(tmp_path / "data").items()}
    assert set(kept) == {"a", "t0", "t1", "t2"} and kept["a"]["n"] == {"N": "2"}
    assert len(list((tmp_path / "data" / "objects").iterdir())) == 1  # the deleted object's file went too

    BackendDict.reset()  # a new, empty embedded AWS: what a restarted process has
    _create(dynamodb, s3)
    assert persistence.attach(persistence.LocalStore(tmp_path / "data"), ACCOUNT, REGION) == (4, 1)
    assert dynamodb.get_item(TableName=TABLE, Key=_key("a"))["Item"]["n"] == {"N": "2"}
    assert s3.get_object(Bucket=BUCKET, Key="kept.bin")["Body"].read() == b"\x00kept"


def test_a_detached_store_takes_no_writes(aws: tuple[Any, Any], tmp_path: Path) -> None:
    dynamodb, _ = aws
    persistence.attach(persistence.LocalStore(tmp_path / "data"), ACCOUNT, REGION)
    persistence.detach()
    dynamodb.put_item(TableName=TABLE, Item=_key("late"))
    assert list(persistence.LocalStore(tmp_path / "data").items()) == []
