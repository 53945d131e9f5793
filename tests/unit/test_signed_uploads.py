"""The local S3 front recomputes a presigned PUT's SigV4 signature as S3 does: the signed size and type
must be the ones sent."""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest
from botocore.config import Config

from reelflow.local.signed_uploads import refusal

SECRETS = {"local": "local"}


@pytest.fixture(scope="module")
def s3() -> Any:
    return boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(
            signature_version="s3v4", s3={"addressing_style": "path"}
        ),  # as functions/adapters/aws.py
    )


def environ(url: str, length: int, content_type: str) -> dict[str, Any]:
    parsed = urlparse(url)
    return {
        "REQUEST_METHOD": "PUT",
        "RAW_URI": f"{parsed.path}?{parsed.query}",
        "PATH_INFO": parsed.path,
        "QUERY_STRING": parsed.query,
        "HTTP_HOST": parsed.netloc,
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": content_type,
    }


def test_the_signed_size_and_type_are_checked(s3: Any) -> None:
    key = "uploads/u/v/Отпуск_🌊.mp4"
    params = {"Bucket": "b", "Key": key, "ContentLength": 1000, "ContentType": "video/mp4"}
    url = s3.generate_presigned_url("put_object", Params=params, ExpiresIn=900)
    now = datetime.now(UTC)
    assert refusal(environ(url, 1000, "video/mp4"), SECRETS, now) is None
    assert refusal(environ(url, 1001, "video/mp4"), SECRETS, now)[0] == "SignatureDoesNotMatch"
    assert refusal(environ(url, 2 * 1024**3 + 1, "video/mp4"), SECRETS, now)[0] == "SignatureDoesNotMatch"
    assert refusal(environ(url, 1000, "video/webm"), SECRETS, now)[0] == "SignatureDoesNotMatch"
    assert refusal(environ(url, 1000, "video/mp4"), SECRETS, now + timedelta(seconds=901)) == (
        "AccessDenied",
        "Request has expired",
    )
    assert refusal(environ(url, 1000, "video/mp4"), {"other": "x"}, now) is None  # unknown signer: moto's way


def test_a_part_url_signs_the_part_size(s3: Any) -> None:
    params = {"Bucket": "b", "Key": "k.mp4", "UploadId": "u-1", "PartNumber": 2, "ContentLength": 5 * 1024**2}
    url = s3.generate_presigned_url("upload_part", Params=params, ExpiresIn=900)
    now = datetime.now(UTC)
    assert refusal(environ(url, 5 * 1024**2, ""), SECRETS, now) is None
    assert refusal(environ(url, 5 * 1024**2 - 1, ""), SECRETS, now)[0] == "SignatureDoesNotMatch"


def test_a_presigned_url_holds_to_its_one_method(s3: Any) -> None:
    """The method is signed: a PUT URL used for GET or DELETE is refused, a GET URL works for GET."""
    put = s3.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": "uploads/k"}, ExpiresIn=900)
    get = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "uploads/k"}, ExpiresIn=900)
    now = datetime.now(UTC)

    def request(url: str, method: str) -> dict[str, Any]:
        return {**environ(url, 0, ""), "REQUEST_METHOD": method, "CONTENT_LENGTH": ""}

    assert refusal(request(put, "GET"), SECRETS, now)[0] == "SignatureDoesNotMatch"
    assert refusal(request(put, "DELETE"), SECRETS, now)[0] == "SignatureDoesNotMatch"
    assert refusal(request(get, "GET"), SECRETS, now) is None
    assert refusal(request(get, "PUT"), SECRETS, now)[0] == "SignatureDoesNotMatch"
    # A browser's CORS preflight before the PUT is answered from the bucket's CORS rules, unsigned.
    assert refusal(request(put, "OPTIONS"), SECRETS, now) is None
