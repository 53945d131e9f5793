"""The S3 adapter's links: the expiry it states is the signature's own, and it knows when credentials
that carry an expiry (assumed roles, containers) end, so no link is signed to outlive them."""

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.credentials import RefreshableCredentials

from functions.adapters.object_store import S3ObjectStore
from functions.domain.links import presigned_expiry


def store_with(client: Any) -> S3ObjectStore:
    store = S3ObjectStore.__new__(S3ObjectStore)
    store.client = client
    return store


@pytest.mark.parametrize("version", ["s3v4", "s3"])
def test_a_link_states_the_expiry_its_signature_carries(version):
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=Config(signature_version=version),
    )
    store = store_with(client)
    link = store.signed_link("media", "outputs/b/001 clip.mp4", 900, download_name="001 clip.mp4")
    assert link.expires_at == presigned_expiry(link.url)
    assert timedelta(seconds=899) <= link.expires_at - datetime.now(UTC) <= timedelta(seconds=901)
    assert store.signing_credentials_expire() is None  # static keys: nothing to cut to


def test_temporary_credentials_say_when_they_end():
    ends = datetime.now(UTC) + timedelta(minutes=20)
    credentials = RefreshableCredentials.create_from_metadata(
        metadata={"access_key": "k", "secret_key": "s", "token": "t", "expiry_time": ends.isoformat()},
        refresh_using=lambda: {},
        method="assume-role",
    )
    session = botocore.session.get_session()
    session._credentials = credentials
    client = boto3.Session(botocore_session=session).client("s3", region_name="us-east-1")
    assert store_with(client).signing_credentials_expire() == ends.replace(microsecond=ends.microsecond)
