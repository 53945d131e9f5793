"""A part or object PUT sent with a form content type (as some clients send it) is answered and stored
byte for byte, as S3 stores it, and keeps its content type: it is never parsed as a form."""

from typing import Any

import pytest
import requests

FORM = "application/x-www-form-urlencoded"
# Not UTF-8, looks like a form (key=…&file=…), holds the separators a form parser eats.
BODY = b"key=x&file=y&a=%ZZ\x00\xff\xfe=&" * 700


@pytest.mark.parametrize("encoded", [BODY, b"Action=ListQueues&Version=2012-11-05"])
def test_a_part_put_with_a_form_content_type_is_stored_byte_for_byte(
    local_cloud: Any, encoded: bytes
) -> None:
    s3, bucket = local_cloud.client("s3"), local_cloud.media_bucket
    key = "tests/form-typed.bin"
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=FORM)["UploadId"]
    try:
        url = s3.generate_presigned_url(
            "upload_part", Params={"Bucket": bucket, "Key": key, "UploadId": upload, "PartNumber": 1}
        )
        sent = requests.put(url, data=encoded, headers={"Content-Type": FORM}, timeout=60)
        assert sent.status_code == 200, sent.text
        parts = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload)["Parts"]
        assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts] == [
            (1, len(encoded), sent.headers["ETag"])
        ]
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": sent.headers["ETag"]}]},
        )
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == encoded
    finally:
        s3.delete_object(Bucket=bucket, Key=key)


def test_an_object_put_with_a_form_content_type_keeps_its_bytes_and_its_type(local_cloud: Any) -> None:
    s3, bucket = local_cloud.client("s3"), local_cloud.media_bucket
    key = "tests/form-typed-object.bin"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key})
    try:
        sent = requests.put(url, data=BODY, headers={"Content-Type": FORM}, timeout=60)
        assert sent.status_code == 200, sent.text
        stored = s3.get_object(Bucket=bucket, Key=key)
        assert stored["Body"].read() == BODY and stored["ContentType"] == FORM
    finally:
        s3.delete_object(Bucket=bucket, Key=key)
