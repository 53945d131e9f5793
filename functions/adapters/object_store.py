"""S3 as the ObjectStore port: presigned transfers, work files and outputs."""

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from functions.adapters import aws
from functions.adapters.zip_export import ZipSource, export_zip
from functions.domain.errors import InvalidRequest, NotFound, SourceChangedError
from functions.domain.exports import ArchiveEntry, ExportProgress
from functions.domain.links import Link, SignedRead, presigned_expiry
from functions.domain.stored_objects import StoredObject
from functions.domain.upload_limits import CompletedPart

DOWNLOAD_CHUNK = 8 * 1024 * 1024


def content_disposition(file_name: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name (a Cyrillic or emoji name survives the download)."""
    fallback = file_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    if fallback == file_name:
        return f'attachment; filename="{file_name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


class S3ObjectStore:
    def __init__(self) -> None:
        self.client = aws.s3()

    def presigned_put(
        self, bucket: str, key: str, expires_in: int, content_type: str | None = None, size: int | None = None
    ) -> tuple[str, dict[str, str]]:
        """A PUT URL and the headers the uploader must send. Signing Content-Length and Content-Type
        makes S3 itself refuse a file of another size or type."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        headers: dict[str, str] = {}
        if content_type:
            params["ContentType"] = content_type
            headers["Content-Type"] = content_type
        if size is not None:
            params["ContentLength"] = size
            headers["Content-Length"] = str(size)
        url = self.client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in)
        return url, headers

    def presigned_get(self, bucket: str, key: str, expires_in: int, download_name: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = content_disposition(download_name)
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)

    def signed_read(self, bucket: str, key: str, expires_in: int, if_match: str | None = None) -> SignedRead:
        """With `if_match`, If-Match is a signed header: the reader must send it, and S3 answers every
        ranged GET of another version with 412."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if if_match is not None:
            params["IfMatch"] = if_match
        url = self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        return SignedRead(url, (("If-Match", if_match),) if if_match is not None else ())

    def signed_link(self, bucket: str, key: str, expires_in: int, download_name: str | None = None) -> Link:
        """A presigned GET and when it stops working, read from its own signature (`X-Amz-Date` is
        whole seconds, so a time taken before signing could be later than the URL's real end)."""
        url = self.presigned_get(bucket, key, expires_in, download_name)
        expires = presigned_expiry(url)
        if expires is None:
            raise ValueError(f"not a presigned URL: {url}")
        return Link(url, expires)

    def signing_credentials_expire(self) -> datetime | None:
        """When the credentials that sign links expire, when botocore knows it (assumed-role and
        container credentials do; a Lambda's environment credentials do not)."""
        credentials = getattr(getattr(self.client, "_request_signer", None), "_credentials", None)
        expiry = getattr(credentials, "_expiry_time", None)
        return expiry if isinstance(expiry, datetime) else None

    def head(self, bucket: str, key: str) -> dict[str, Any] | None:
        try:
            return self.client.head_object(Bucket=bucket, Key=key)  # type: ignore[return-value]
        except ClientError as error:
            if _code(error) in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def download(self, bucket: str, key: str, destination: Path, if_match: str | None = None) -> Path:
        destination.parent.mkdir(parents=True, exist_ok=True)
        if if_match is None:
            self.client.download_file(bucket, key, str(destination))
            return destination
        # download_file takes no IfMatch: one conditional GET, streamed (S3 answers 412 for another version)
        try:
            response = self.client.get_object(Bucket=bucket, Key=key, IfMatch=if_match)
        except ClientError as error:
            if _code(error) in {"PreconditionFailed", "412"}:
                raise SourceChangedError(key.rsplit("/", 1)[-1]) from error
            raise
        with destination.open("wb") as out:
            for chunk in response["Body"].iter_chunks(DOWNLOAD_CHUNK):
                out.write(chunk)
        return destination

    def upload(self, source: Path, bucket: str, key: str, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else None
        self.client.upload_file(str(source), bucket, key, ExtraArgs=extra)

    def put_json(self, bucket: str, key: str, data: Any) -> None:
        body = json.dumps(data, indent=2, default=str).encode()
        self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")

    def get_json(self, bucket: str, key: str) -> Any:
        return json.loads(self.get_bytes(bucket, key))

    def write_zip(
        self,
        entries: Sequence[ArchiveEntry],
        bucket: str,
        key: str,
        extra: Mapping[str, bytes],
        on_progress: Callable[[ExportProgress], None] | None = None,
    ) -> int:
        """Streamed from S3 to an S3 multipart upload (adapters/zip_export.py)."""
        sources = [ZipSource(e.bucket, e.key, e.name, e.size) for e in entries]
        return export_zip(sources, bucket, key, extra=extra, client=self.client, on_progress=on_progress).size

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        """List the prefix page by page and delete each page (at most 1,000 keys) in one request."""
        if not prefix:
            raise ValueError("refusing to delete a whole bucket (empty prefix)")
        deleted = 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys: list[Any] = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if not keys:
                continue
            response = self.client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            errors = response.get("Errors", [])
            if errors:
                raise RuntimeError(f"Could not delete {len(errors)} objects under {prefix}: {errors[0]}")
            deleted += len(keys)
        return deleted

    def get_bytes(self, bucket: str, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def put_bytes(self, bucket: str, key: str, body: bytes, content_type: str | None = None) -> None:
        if content_type:
            self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
        else:
            self.client.put_object(Bucket=bucket, Key=key, Body=body)

    def list_objects(self, bucket: str, prefix: str) -> list[StoredObject]:
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found.append(StoredObject(item["Key"], item["Size"], item["ETag"], item["LastModified"]))
        return found

    def start_multipart(self, bucket: str, key: str, content_type: str | None) -> str:
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if content_type:
            params["ContentType"] = content_type
        upload_id: str = self.client.create_multipart_upload(**params)["UploadId"]
        return upload_id

    def presigned_part(
        self, bucket: str, key: str, upload_id: str, part_number: int, size: int, expires_in: int
    ) -> str:
        params = {
            "Bucket": bucket,
            "Key": key,
            "UploadId": upload_id,
            "PartNumber": part_number,
            "ContentLength": size,
        }
        return self.client.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires_in)

    def list_parts(self, bucket: str, key: str, upload_id: str) -> list[CompletedPart]:
        parts = []
        try:
            pages = self.client.get_paginator("list_parts").paginate(
                Bucket=bucket, Key=key, UploadId=upload_id
            )
            for page in pages:
                for part in page.get("Parts", []):
                    parts.append(CompletedPart(part["PartNumber"], part["ETag"], part["Size"]))
        except ClientError as error:
            if _code(error) == "NoSuchUpload":
                raise NotFound("The upload was completed or aborted; start a new one") from error
            raise
        return parts

    def complete_multipart(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[CompletedPart]
    ) -> None:
        try:
            self.client.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in parts]},
            )
        except ClientError as error:
            if _code(error) == "NoSuchUpload":
                raise NotFound("The upload was completed or aborted; start a new one") from error
            if _code(error) in {"InvalidPart", "InvalidPartOrder", "EntityTooSmall"}:
                raise InvalidRequest(
                    f"S3 refused the parts: {error.response['Error'].get('Message')}"
                ) from error
            raise

    def abort_multipart(self, bucket: str, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        except ClientError as error:
            if _code(error) != "NoSuchUpload":
                raise

    def multipart_uploads(self, bucket: str, prefix: str) -> list[datetime]:
        started: list[datetime] = []
        for page in self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=bucket, Prefix=prefix
        ):
            started.extend(upload["Initiated"] for upload in page.get("Uploads", []))
        return started


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
