"""The data folder local mode writes through to: every committed write is on disk, a cancelled
transaction leaves nothing, and a new process gets the same items and objects back."""

import errno
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.s3.models import s3_backends

from reelflow.local import local_store, persistence
from tests.helpers import api

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
    store = local_store.LocalStore(tmp_path / "data")
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
        for table, item in local_store.LocalStore(tmp_path / "data").items()
        if table == TABLE
    }
    assert set(kept) == {"a", "t0", "t1", "t2"} and kept["a"]["n"] == {"N": "2"}
    kept_files = {
        row[2].name for row in local_store.LocalStore(tmp_path / "data").objects() if row[0] == BUCKET
    }
    assert len(kept_files) == 1  # the deleted object's row went

    _drop(dynamodb, s3)  # an empty table and bucket: what a restarted process has
    _create(dynamodb, s3)
    restored_items, restored_objects = persistence.attach(
        local_store.LocalStore(tmp_path / "data"), ACCOUNT, REGION
    )
    assert restored_items >= 4 and restored_objects >= 1  # other tests' stray writes may be there too
    assert dynamodb.get_item(TableName=TABLE, Key=_key("a"))["Item"]["n"] == {"N": "2"}
    assert s3.get_object(Bucket=BUCKET, Key="kept.bin")["Body"].read() == b"\x00kept"


def test_a_detached_store_takes_no_writes(aws: tuple[Any, Any], tmp_path: Path) -> None:
    dynamodb, _ = aws
    persistence.attach(local_store.LocalStore(tmp_path / "data"), ACCOUNT, REGION)
    persistence.detach()
    dynamodb.put_item(TableName=TABLE, Item=_key("late"))
    assert [i for t, i in local_store.LocalStore(tmp_path / "data").items() if t == TABLE] == []


PART = 5 * 1024 * 1024  # S3's smallest part but the last


def _restart(dynamodb: Any, s3: Any, folder: Path) -> None:
    """What a new process on the same folder sees: empty AWS, then the store put back."""
    persistence.detach()
    for upload in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []):
        s3_backends[ACCOUNT]["global"].get_bucket(BUCKET).multiparts.pop(upload["UploadId"])
    _drop(dynamodb, s3)
    _create(dynamodb, s3)
    persistence.attach(local_store.LocalStore(folder), ACCOUNT, REGION)


def test_a_multipart_upload_in_progress_survives_a_restart_and_completes_with_the_missing_parts(
    aws: tuple[Any, Any], tmp_path: Path
) -> None:
    dynamodb, s3 = aws
    folder = tmp_path / "data"
    persistence.attach(local_store.LocalStore(folder), ACCOUNT, REGION)
    body = bytes(range(256)) * (PART // 256) + b"tail"
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="big.bin", ContentType="video/mp4")["UploadId"]
    first = s3.upload_part(Bucket=BUCKET, Key="big.bin", UploadId=upload, PartNumber=1, Body=body[:PART])
    began = s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"][0]["Initiated"]
    assert abs((datetime.now(UTC) - began).total_seconds()) < 600  # its own time (moto said 2010)

    _restart(dynamodb, s3, folder)
    assert s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"][0]["Initiated"] == began  # not the restart's
    listed = s3.list_parts(Bucket=BUCKET, Key="big.bin", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [(1, first["ETag"], PART)]
    second = s3.upload_part(Bucket=BUCKET, Key="big.bin", UploadId=upload, PartNumber=2, Body=body[PART:])
    s3.complete_multipart_upload(
        Bucket=BUCKET,
        Key="big.bin",
        UploadId=upload,
        MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["ETag"]}]
        },
    )
    stored = s3.get_object(Bucket=BUCKET, Key="big.bin")
    assert stored["Body"].read() == body and stored["ContentType"] == "video/mp4"
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    # once completed, the parts' files are gone: the folder holds the object once, nothing else
    store = local_store.LocalStore(folder)
    assert list(store.uploads()) == []
    kept = [path for bucket, _, path in store.objects() if bucket == BUCKET]
    assert len(kept) == 1 and kept[0].read_bytes() == body
    assert sorted(p.name for p in store.objects_dir.iterdir()) == [kept[0].name]


def test_an_aborted_upload_leaves_nothing_to_restore(aws: tuple[Any, Any], tmp_path: Path) -> None:
    _, s3 = aws
    store = local_store.LocalStore(tmp_path / "data")
    persistence.attach(store, ACCOUNT, REGION)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="dropped.bin")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="dropped.bin", UploadId=upload, PartNumber=1, Body=b"x" * 10)
    assert [u[1] for u in store.uploads()] == [upload]
    s3.abort_multipart_upload(Bucket=BUCKET, Key="dropped.bin", UploadId=upload)
    assert list(store.uploads()) == [] and list(store.objects_dir.iterdir()) == []


def test_an_object_body_is_held_once_by_the_stored_file(aws: tuple[Any, Any], tmp_path: Path) -> None:
    _, s3 = aws
    persistence.attach(local_store.LocalStore(tmp_path / "data"), ACCOUNT, REGION)
    body = b"\x01" * (PART + 1)  # over moto's spooling threshold
    s3.put_object(Bucket=BUCKET, Key="once.bin", Body=body)
    key = s3_backends[ACCOUNT]["global"].get_bucket(BUCKET).keys["once.bin"]
    held = key._value_buffer
    assert isinstance(held, local_store.StoredBody) and held.path.read_bytes() == body
    assert s3.get_object(Bucket=BUCKET, Key="once.bin")["Body"].read() == body
    s3.put_object(Bucket=BUCKET, Key="once.bin", Body=b"replaced")  # the replaced body's file goes
    assert not held.path.exists()
    assert [p.read_bytes() for p in (tmp_path / "data" / "objects").iterdir()] == [b"replaced"]


class _FullDisk:
    """SQLite on a full disk: every write fails as SQLite reports it, reads still work."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.split(maxsplit=1)[0] in {"INSERT", "DELETE", "UPDATE"}:
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)


def _no_space(*_: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _one_try(client: Any) -> Any:
    return boto3.client(
        client.meta.service_model.service_name,
        endpoint_url=client.meta.endpoint_url,
        region_name=REGION,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def test_a_full_disk_refuses_writes_with_a_storage_error_and_memory_keeps_what_the_disk_holds(
    aws: tuple[Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dynamodb, s3 = (_one_try(client) for client in aws)
    store = local_store.LocalStore(tmp_path / "data")
    persistence.attach(store, ACCOUNT, REGION)
    dynamodb.put_item(TableName=TABLE, Item={**_key("kept"), "n": {"N": "1"}})
    s3.put_object(Bucket=BUCKET, Key="kept.bin", Body=b"before")
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="parts.bin")["UploadId"]

    with monkeypatch.context() as full:
        full.setattr(local_store.os, "fsync", _no_space)  # every body write fails: no space left
        full.setattr(store, "_db", _FullDisk(store._db))
        for refused in (
            lambda: s3.put_object(Bucket=BUCKET, Key="new.bin", Body=b"new"),
            lambda: s3.put_object(Bucket=BUCKET, Key="kept.bin", Body=b"after"),
            lambda: s3.delete_object(Bucket=BUCKET, Key="kept.bin"),
            lambda: s3.upload_part(Bucket=BUCKET, Key="parts.bin", UploadId=upload, PartNumber=1, Body=b"p"),
            lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="other.bin"),
            lambda: dynamodb.put_item(TableName=TABLE, Item=_key("new")),
            lambda: dynamodb.update_item(
                TableName=TABLE,
                Key=_key("kept"),
                UpdateExpression="SET n = :two",
                ExpressionAttributeValues={":two": {"N": "2"}},
            ),
            lambda: dynamodb.delete_item(TableName=TABLE, Key=_key("kept")),
            lambda: dynamodb.transact_write_items(
                TransactItems=[{"Put": {"TableName": TABLE, "Item": _key(f"t{n}")}} for n in range(2)]
            ),
        ):
            with pytest.raises(ClientError) as error:
                refused()
            answer = error.value.response
            assert answer["ResponseMetadata"]["HTTPStatusCode"] == 503
            assert answer["Error"]["Code"] == "ServiceUnavailable", answer
            assert "cannot write" in answer["Error"]["Message"]

    # memory holds what the disk holds, and the disk holds what it held before
    assert dynamodb.get_item(TableName=TABLE, Key=_key("kept"))["Item"]["n"] == {"N": "1"}
    for missing in ("new", "t0", "t1"):
        assert "Item" not in dynamodb.get_item(TableName=TABLE, Key=_key(missing))
    assert s3.get_object(Bucket=BUCKET, Key="kept.bin")["Body"].read() == b"before"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key="new.bin")
    assert s3.list_parts(Bucket=BUCKET, Key="parts.bin", UploadId=upload).get("Parts", []) == []
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"]] == ["parts.bin"]
    assert {i["pk"]["S"]: i["n"] for t, i in store.items() if t == TABLE} == {"kept": {"N": "1"}}
    assert {(k, p.read_bytes()) for b, k, p in store.objects() if b == BUCKET} == {("kept.bin", b"before")}
    assert len(list(store.objects_dir.iterdir())) == 1  # no file of a refused write is left
    s3.abort_multipart_upload(Bucket=BUCKET, Key="parts.bin", UploadId=upload)


def test_on_a_full_disk_the_api_answers_503_and_the_batch_stays_as_stored(
    aws: tuple[Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_id: str
) -> None:
    store = local_store.LocalStore(tmp_path / "data")
    persistence.attach(store, ACCOUNT, "us-east-1")
    status, created = api(
        "POST", "/api/batch-jobs", {"name": "kept", "files": [{"name": "a.mp4", "size": 1000}]}, user=user_id
    )
    assert status == 201, created
    batch_id = created["batch_job"]["id"]
    with monkeypatch.context() as full:
        full.setattr(store, "_db", _FullDisk(store._db))
        status, answer = api("POST", f"/api/batch-jobs/{batch_id}/cancel", user=user_id)
        assert status == 503, answer
        assert answer["error"] == "Service unavailable" and "cannot write" in answer["detail"]
    status, listed = api("GET", "/api/batch-jobs", user=user_id)
    assert status == 200 and batch_id in str(listed)
    status, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)
    stored = [
        i for _, i in store.items() if i["PK"] == {"S": f"BATCH#{batch_id}"} and i["SK"] == {"S": "BATCH"}
    ]
    assert (
        [i["status"]["S"] for i in stored] == [batch["status"]] == ["pending"]
    )  # the disk and the API agree
