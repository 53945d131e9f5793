"""Local mode's identity pool: a creator signs in (USER_PASSWORD_AUTH), gets credentials from the identity
pool, and those credentials write under the creator's own drop folder and nowhere else, as the creator
role's policy says on AWS: single and multipart uploads, listings, reads, other services."""

import argparse
import json
from typing import Any

import boto3
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from reelflow.drop import creator_session, sign_in
from reelflow.local import identity_pool
from reelflow.local.access_control import role_name
from tests.helpers import api

pytestmark = pytest.mark.usefixtures("local_cloud")
PASSWORD = "Correct-Horse-9-battery"
PART = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def creators(local_cloud: Any) -> dict[str, Any]:
    config = local_cloud.drop_identity
    ids = {name: identity_pool.add_creator(config, name, PASSWORD) for name in ("ana", "ben")}
    return {"config": config, "ids": ids}


def session_of(creators: dict[str, Any], name: str) -> Any:
    """The boto3 session `reelflow drop --aws` gets for `name`: the identity pool's credentials."""
    config = creators["config"]
    return creator_session(
        config.region,
        config.user_pool_id,
        config.client_id,
        config.identity_pool_id,
        sign_in(config.region, config.client_id, name, PASSWORD, config.endpoint),
        config.endpoint,
    )


def s3_as(creators: dict[str, Any], name: str) -> Any:
    session = session_of(creators, name)
    return session.credentials, session.client("s3", endpoint_url=creators["config"].endpoint)


def denied(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["Error"]["Code"] == "AccessDenied", raised.value.response
    return str(raised.value.response["Error"]["Message"])


def test_a_creator_writes_under_their_own_prefix_and_is_refused_under_another(creators, local_cloud):
    bucket = creators["config"].bucket
    ana, ben = creators["ids"]["ana"], creators["ids"]["ben"]
    credentials, s3 = s3_as(creators, "ana")
    assert credentials.user_id == ana
    s3.put_object(Bucket=bucket, Key=f"dropbox/{ana}/trip/notes.txt", Body=b"mine")
    root = local_cloud.client("s3")
    assert root.get_object(Bucket=bucket, Key=f"dropbox/{ana}/trip/notes.txt")["Body"].read() == b"mine"
    message = denied(lambda: s3.put_object(Bucket=bucket, Key=f"dropbox/{ben}/trip/notes.txt", Body=b"x"))
    assert "s3:PutObject" in message
    denied(lambda: s3.put_object(Bucket=bucket, Key="uploads/anything.mp4", Body=b"x"))
    denied(lambda: s3.put_object(Bucket=bucket, Key=f"dropbox/{ana}", Body=b"x"))  # the prefix's own key
    # Reading, deleting and listing someone else's folder are refused; listing one's own works.
    denied(lambda: s3.get_object(Bucket=bucket, Key=f"dropbox/{ana}/trip/notes.txt"))
    denied(lambda: s3.delete_object(Bucket=bucket, Key=f"dropbox/{ana}/trip/notes.txt"))
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"dropbox/{ana}/")
    assert [o["Key"] for o in listed["Contents"]] == [f"dropbox/{ana}/trip/notes.txt"]
    denied(lambda: s3.list_objects_v2(Bucket=bucket, Prefix=f"dropbox/{ben}/"))
    denied(lambda: s3.list_objects_v2(Bucket=bucket))
    # Nothing but S3: the role grants no other service.
    config = creators["config"]
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=config.endpoint,
        region_name=config.region,
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        aws_session_token=credentials.token,
    )
    with pytest.raises(ClientError):
        dynamodb.list_tables()


def test_multipart_uploads_follow_the_same_policy(creators, local_cloud):
    bucket = creators["config"].bucket
    ana, ben = creators["ids"]["ana"], creators["ids"]["ben"]
    _, s3 = s3_as(creators, "ana")
    own = f"dropbox/{ana}/big/video.mp4"
    upload = s3.create_multipart_upload(Bucket=bucket, Key=own)["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key=own, UploadId=upload, PartNumber=n, Body=bytes([n]) * size)["ETag"]
        for n, size in ((1, PART), (2, 10))
    ]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key=own, UploadId=upload)["Parts"]] == [
        1,
        2,
    ]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key=own,
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]},
    )
    assert local_cloud.client("s3").head_object(Bucket=bucket, Key=own)["ContentLength"] == PART + 10
    other = f"dropbox/{ben}/big/video.mp4"
    denied(lambda: s3.create_multipart_upload(Bucket=bucket, Key=other))
    # An upload the owner of the bucket started under ben's prefix: ana can neither add to it nor end it.
    started = local_cloud.client("s3").create_multipart_upload(Bucket=bucket, Key=other)["UploadId"]
    denied(lambda: s3.upload_part(Bucket=bucket, Key=other, UploadId=started, PartNumber=1, Body=b"x"))
    denied(lambda: s3.list_parts(Bucket=bucket, Key=other, UploadId=started))
    denied(lambda: s3.abort_multipart_upload(Bucket=bucket, Key=other, UploadId=started))
    mine = s3.create_multipart_upload(Bucket=bucket, Key=f"dropbox/{ana}/big/abandoned.mp4")["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key=f"dropbox/{ana}/big/abandoned.mp4", UploadId=mine)


def test_the_identity_pool_wants_a_token_the_user_pool_issued(creators):
    config = creators["config"]
    identity = boto3.client(
        "cognito-identity",
        endpoint_url=config.endpoint,
        region_name=config.region,
        aws_access_key_id="anonymous",
        aws_secret_access_key="anonymous",
    )
    forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW4iLCJleHAiOjQxMDI0NDQ4MDB9.c2ln"
    for logins in ({}, {config.provider: forged}):
        with pytest.raises(ClientError) as raised:
            identity.get_id(IdentityPoolId=config.identity_pool_id, Logins=logins)
        assert raised.value.response["Error"]["Code"] == "NotAuthorizedException"
    token = sign_in(config.region, config.client_id, "ana", PASSWORD, config.endpoint)
    logins = {config.provider: token}
    first = identity.get_id(IdentityPoolId=config.identity_pool_id, Logins=logins)["IdentityId"]
    assert identity.get_id(IdentityPoolId=config.identity_pool_id, Logins=logins)["IdentityId"] == first
    ben = sign_in(config.region, config.client_id, "ben", PASSWORD, config.endpoint)
    with pytest.raises(ClientError):  # ben's token does not open ana's identity
        identity.get_credentials_for_identity(IdentityId=first, Logins={config.provider: ben})
    with pytest.raises(ClientError):
        sign_in(config.region, config.client_id, "ana", "wrong-password-1A!", config.endpoint)


def test_reelflow_drop_aws_signs_in_and_uploads_the_folder_under_the_users_own_prefix(
    creators, local_cloud, tmp_path, monkeypatch
):
    from rich.console import Console

    from reelflow.drop import run_drop

    config = creators["config"]
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "Reelflow-dev": {
                    "Region": config.region,
                    "UserPoolId": config.user_pool_id,
                    "CliClientId": config.client_id,
                    "IdentityPoolId": config.identity_pool_id,
                    "IngestBucketName": config.bucket,
                }
            }
        )
    )
    folder = tmp_path / "Week 3"
    folder.mkdir()
    (folder / "notes.txt").write_bytes(b"n")
    (folder / "big.bin").write_bytes(b"\0" * (PART + 1))
    # The CLI sends files over 100 MiB in parts; a smaller threshold here sends this one in two.
    monkeypatch.setattr(
        "reelflow.drop.TRANSFER", TransferConfig(multipart_threshold=PART, multipart_chunksize=PART)
    )
    monkeypatch.setenv("REELFLOW_PASSWORD", PASSWORD)
    console = Console(record=True, width=200)
    args = argparse.Namespace(
        dir=str(folder),
        name=None,
        start=True,
        aws=True,
        outputs=str(outputs),
        username="ben",
        endpoint=config.endpoint,
    )
    assert run_drop(console, args) == 0
    ben = creators["ids"]["ben"]
    listed = local_cloud.client("s3").list_objects_v2(Bucket=config.bucket, Prefix=f"dropbox/{ben}/Week 3/")
    assert sorted(o["Key"].rsplit("/", 1)[1] for o in listed["Contents"]) == [
        "_start",
        "big.bin",
        "notes.txt",
    ]
    assert f"s3://{config.bucket}/dropbox/{ben}/Week 3/" in console.export_text()
    head = local_cloud.client("s3").head_object(Bucket=config.bucket, Key=f"dropbox/{ben}/Week 3/big.bin")
    assert head["ETag"].strip('"').endswith("-2")  # a multipart upload of two parts
    monkeypatch.setenv("REELFLOW_PASSWORD", "Wrong-password-1!")
    with pytest.raises(SystemExit, match="Sign-in refused"):
        run_drop(console, args)


def test_the_api_tells_a_creator_their_drop_folder_address(local_cloud):
    status, address = api("GET", "/api/drop-folder", user="creator-7")
    assert status == 200, address
    assert address["prefix"] == "dropbox/creator-7/"
    assert address["s3_uri"] == f"s3://{local_cloud.ingest_bucket}/dropbox/creator-7/"
    assert "--aws" in address["command"]


def test_every_creator_gets_the_one_creator_role_its_policy_variable_resolved_per_session(
    creators, local_cloud
):
    """As on AWS: one role holds `${aws:PrincipalTag/user_id}`; each session's tag picks the folder."""
    bucket = creators["config"].bucket
    ana_credentials, ana = s3_as(creators, "ana")
    ben_credentials, ben = s3_as(creators, "ben")
    sts = session_of(creators, "ana").client("sts", endpoint_url=creators["config"].endpoint)
    with pytest.raises(ClientError):  # the role grants nothing but its drop folder, not even this
        sts.get_caller_identity()
    iam = local_cloud.client("iam")
    role = role_name(identity_pool.CREATOR_ROLE)
    document = iam.get_role_policy(RoleName=role, PolicyName="grants")["PolicyDocument"]
    assert "${aws:PrincipalTag/user_id}" in json.dumps(document)
    assert ana_credentials.access_key != ben_credentials.access_key
    creator_roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if "creator" in r["RoleName"].lower()]
    assert creator_roles == [role]
    ben.put_object(Bucket=bucket, Key=f"dropbox/{creators['ids']['ben']}/x.txt", Body=b"b")
    denied(lambda: ana.put_object(Bucket=bucket, Key=f"dropbox/{creators['ids']['ben']}/x.txt", Body=b"a"))


@pytest.mark.parametrize("signature", ["s3v4", "s3"])  # SigV4, and SigV2 (boto3's default for S3)
def test_a_url_a_creator_presigns_carries_the_creators_permissions(creators, signature):
    config = creators["config"]
    keys = session_of(creators, "ana").credentials
    session = boto3.Session(keys.access_key, keys.secret_key, keys.token, config.region)
    s3 = session.client("s3", endpoint_url=config.endpoint, config=Config(signature_version=signature))
    ana, ben = creators["ids"]["ana"], creators["ids"]["ben"]

    def put(key: str) -> requests.Response:
        url = s3.generate_presigned_url(
            "put_object", Params={"Bucket": config.bucket, "Key": key}, ExpiresIn=300
        )
        return requests.put(url, data=b"via url", timeout=60)

    accepted = put(f"dropbox/{ana}/presigned-{signature}.txt")
    assert accepted.status_code == 200, accepted.text
    refused = put(f"dropbox/{ben}/presigned-{signature}.txt")
    assert refused.status_code == 403 and "AccessDenied" in refused.text, refused.text
    assert "s3:PutObject" in refused.text


def test_creators_are_checked_even_with_the_functions_enforcement_off(creators):
    from reelflow.local.access_control import enforcement

    bucket = creators["config"].bucket
    _, s3 = s3_as(creators, "ana")
    enforcement.enabled = False
    try:
        denied(lambda: s3.put_object(Bucket=bucket, Key=f"dropbox/{creators['ids']['ben']}/y", Body=b"x"))
        s3.put_object(Bucket=bucket, Key=f"dropbox/{creators['ids']['ana']}/y", Body=b"x")
    finally:
        enforcement.enabled = True
