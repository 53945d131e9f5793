"""S3 lifecycle expiration in local mode (reelflow/local/s3_lifecycle.py): the deployment's rules are on
the local buckets, and objects and incomplete uploads go when they say, as S3 reckons it. Each pass is
held to the test's own bucket: the session's embedded AWS is shared."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.s3.models import s3_backends

from functions.deployment import ABORT_UPLOADS, MEDIA_EXPIRIES
from reelflow.local.cloud import ACCOUNT
from reelflow.local.provisioning import lifecycle_rules
from reelflow.local.s3_lifecycle import expire, next_midnight


@pytest.fixture
def s3(local_cloud: Any) -> Any:
    """The embedded AWS's S3 backend (made when local mode starts)."""
    return s3_backends[ACCOUNT]["global"]


@pytest.fixture
def bucket(local_cloud: Any, s3: Any) -> Iterator[str]:
    name = f"lifecycle-{uuid.uuid4().hex[:8]}"
    client = local_cloud.client("s3")
    client.create_bucket(Bucket=name)
    client.put_bucket_lifecycle_configuration(
        Bucket=name, LifecycleConfiguration=lifecycle_rules(MEDIA_EXPIRIES)
    )
    yield name
    for key in list(s3.get_bucket(name).keys):
        s3.delete_object(name, key)
    for upload_id in list(s3.get_bucket(name).multiparts):
        s3.abort_multipart_upload(name, upload_id)
    client.delete_bucket(Bucket=name)


def test_midnight_rounding() -> None:
    assert next_midnight(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) == datetime(2026, 3, 1, tzinfo=UTC)
    assert next_midnight(datetime(2026, 3, 1, 0, 0, 1, tzinfo=UTC)) == datetime(2026, 3, 2, tzinfo=UTC)


def test_objects_go_at_the_midnight_after_their_days(local_cloud: Any, s3: Any, bucket: str) -> None:
    client = local_cloud.client("s3")
    for key in ("exports/a.zip", "work/b/part0001.mp4", "transcripts/c.json", "outputs/d.mp4"):
        client.put_object(Bucket=bucket, Key=key, Body=b"x")
    written = datetime(2026, 3, 1, 12, 0)  # one creation time for all (a test run may straddle midnight)
    for key in s3.get_bucket(bucket).keys.values():
        key.last_modified = written  # moto's times are naive UTC
    first_midnight = datetime(2026, 3, 2, tzinfo=UTC)

    def left() -> set[str]:
        return {o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}

    assert expire(s3, first_midnight - timedelta(seconds=1), [bucket]) == 0
    assert (
        expire(s3, first_midnight + timedelta(days=1) - timedelta(seconds=1), [bucket]) == 0
    )  # a day, not yet midnight
    assert expire(s3, first_midnight + timedelta(days=1), [bucket]) == 1
    assert left() == {"work/b/part0001.mp4", "transcripts/c.json", "outputs/d.mp4"}
    assert expire(s3, first_midnight + timedelta(days=2), [bucket]) == 1
    assert expire(s3, first_midnight + timedelta(days=7), [bucket]) == 1
    assert left() == {"outputs/d.mp4"}  # no rule: kept
    assert expire(s3, first_midnight + timedelta(days=400), [bucket]) == 0


def test_an_upload_left_incomplete_is_aborted_after_a_day(local_cloud: Any, s3: Any, bucket: str) -> None:
    client = local_cloud.client("s3")
    upload = client.create_multipart_upload(Bucket=bucket, Key="uploads/big.mp4")["UploadId"]
    client.upload_part(Bucket=bucket, Key="uploads/big.mp4", UploadId=upload, PartNumber=1, Body=b"x" * 10)
    now = datetime.now(UTC)
    assert expire(s3, now + timedelta(hours=23), [bucket]) == 0
    assert expire(s3, now + timedelta(days=ABORT_UPLOADS.days, minutes=1), [bucket]) == 1
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_local_buckets_carry_the_deployments_rules(local_cloud: Any) -> None:
    client = local_cloud.client("s3")
    media = client.get_bucket_lifecycle_configuration(Bucket=local_cloud.media_bucket)["Rules"]
    ingest = client.get_bucket_lifecycle_configuration(Bucket=local_cloud.ingest_bucket)["Rules"]
    assert {r["ID"] for r in media} == {ABORT_UPLOADS.id, *(e.id for e in MEDIA_EXPIRIES)}
    assert {r["ID"] for r in ingest} == {ABORT_UPLOADS.id}
