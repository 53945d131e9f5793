"""Uploads against local mode over HTTP: a 150 MB file in parts with a resume, and sizes S3 enforces
through the signature (the local S3 front checks presigned requests as S3 does)."""

import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests

from functions.domain.upload_limits import DEFAULT_PART_SIZE, MiB
from functions.domain.uploads import MAX_FILE_SIZE
from functions.handlers.ingest import handler as ingest_handler
from reelflow.local.invoker import LocalLambdaContext
from tests.helpers import api

BIG = 150 * MiB


@pytest.fixture(scope="module")
def big_video(clips: dict[str, Path]) -> bytes:
    """A real clip padded to 150 MB (ffprobe reads its header; the padding is never decoded)."""
    clip = clips[".mp4"].read_bytes()
    return clip + b"\0" * (BIG - len(clip))


def put(url: str, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.put(url, data=body, headers=headers or {}, timeout=120)


def part_body(data: bytes, number: int, part_size: int) -> bytes:
    return data[(number - 1) * part_size : number * part_size]


def test_a_150_mb_file_goes_in_parts_resumes_after_an_interruption_and_is_probed_once(
    ctx: Any, user_id: str, big_video: bytes
) -> None:
    name = "Отпуск 🌊.mp4"
    status, created = api(
        "POST", "/api/batch-jobs", {"name": "big", "files": [{"name": name, "size": BIG}]}, user=user_id
    )
    assert status == 201, created
    target = created["uploads"][0]
    video_id, batch_id = target["video_id"], created["batch_job"]["id"]
    multipart = target["multipart"]
    assert target["url"] is None and created["upload_urls"] == [None]
    assert multipart["part_size"] == DEFAULT_PART_SIZE and len(multipart["parts"]) == 3
    assert target["key"].endswith("/Отпуск_🌊.mp4")  # the name is kept (unicode in the key)
    part_size = multipart["part_size"]

    # a part of another size than signed is refused by the signature, as S3 refuses it
    first = multipart["parts"][0]
    refused = put(first["url"], part_body(big_video, 1, part_size)[:-1])
    assert refused.status_code == 403 and "SignatureDoesNotMatch" in refused.text

    # the connection drops after half the parts
    sent = put(first["url"], part_body(big_video, 1, part_size))
    assert sent.status_code == 200, sent.text

    status, listed = api(
        "GET", f"/api/batch-jobs/{batch_id}/uploads/{video_id}/parts", user=user_id, query="urls=true"
    )
    assert status == 200, listed
    assert [p["part_number"] for p in listed["uploaded"]] == [1]
    assert listed["uploaded"][0]["etag"] == sent.headers["ETag"]
    assert [p["part_number"] for p in listed["missing"]] == [2, 3]
    etags = {1: sent.headers["ETag"]}
    for part in listed["missing"]:  # fresh URLs for the rest
        response = put(part["url"], part_body(big_video, part["part_number"], part_size))
        assert response.status_code == 200, response.text
        etags[part["part_number"]] = response.headers["ETag"]

    complete = f"/api/batch-jobs/{batch_id}/uploads/{video_id}/complete"
    status, missing = api("POST", complete, {"parts": [{"part_number": 1, "etag": etags[1]}]}, user=user_id)
    assert status == 400 and "2 of 3 parts are missing: 2-3" in missing["detail"]
    parts = [{"part_number": n, "etag": etag} for n, etag in sorted(etags.items())]
    status, done = api("POST", complete, {"parts": parts}, user=user_id)
    assert status == 200, done
    # moto sends the CompleteMultipartUpload notification inside the request: probed before the reply
    assert done["upload_status"] == "uploaded" and done["file_name"] == name

    video = ctx.videos.get(video_id)
    assert video.probe_count == 1 and video.size == BIG and video.upload_id is None
    head = ctx.storage.head(ctx.config.ingest_bucket, video.s3_key)
    assert head["ContentLength"] == BIG and head["ETag"] == video.etag and head["ETag"].endswith('-3"')

    # the same event delivered again probes nothing
    record = {
        "eventName": "ObjectCreated:CompleteMultipartUpload",
        "s3": {"bucket": {"name": ctx.config.ingest_bucket}, "object": {"key": video.s3_key, "size": BIG}},
    }
    ingest_handler({"Records": [record]}, LocalLambdaContext(function_name="ingest"))
    assert ctx.videos.get(video_id).probe_count == 1

    status, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)
    assert batch["videos"][0]["status"] == "pending" and batch["videos"][0]["duration"] > 0
    status, after = api("GET", f"/api/batch-jobs/{batch_id}/uploads/{video_id}/parts", user=user_id)
    assert status == 409 and "not being uploaded in parts" in after["detail"]


def test_abort_drops_the_parts_and_a_new_target_starts_again(ctx: Any, user_id: str) -> None:
    size = 101 * MiB
    status, created = api(
        "POST", "/api/batch-jobs", {"name": "abort", "files": [{"name": "a.mov", "size": size}]}, user=user_id
    )
    target = created["uploads"][0]
    base = f"/api/batch-jobs/{created['batch_job']['id']}/uploads/{target['video_id']}"
    assert api("POST", f"{base}/abort", user=user_id)[0] == 200
    assert ctx.storage.multipart_uploads(ctx.config.ingest_bucket, target["key"]) == []
    status, fresh = api("POST", base, {"size": 1000, "content_type": "video/quicktime"}, user=user_id)
    assert status == 200 and fresh["multipart"] is None
    assert fresh["headers"] == {"Content-Type": "video/quicktime", "Content-Length": "1000"}


def test_sizes_are_enforced_by_the_signed_request(ctx: Any, user_id: str, clips: dict[str, Path]) -> None:
    clip = clips[".mp4"].read_bytes()
    files = [{"name": "Интервью.mp4", "size": len(clip)}]
    status, created = api("POST", "/api/batch-jobs", {"name": "signed", "files": files}, user=user_id)
    target = created["uploads"][0]
    query = urlparse(target["url"]).query
    assert "content-length" in query and "content-type" in query  # X-Amz-SignedHeaders

    longer = put(target["url"], clip + b"\0", target["headers"] | {"Content-Length": str(len(clip) + 1)})
    assert longer.status_code == 403 and "SignatureDoesNotMatch" in longer.text
    other_type = put(target["url"], clip, target["headers"] | {"Content-Type": "video/webm"})
    assert other_type.status_code == 403
    assert ctx.storage.head(ctx.config.ingest_bucket, target["key"]) is None  # nothing stored, no event

    # 2 GB + 1 byte on the signed URL: refused from the headers, before the body is read
    url = urlparse(target["url"])
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        request = (
            f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Type: video/mp4\r\nContent-Length: {MAX_FILE_SIZE + 1}\r\n\r\n"
        )
        sock.sendall(request.encode() + b"\0" * 1024)
        received = b""
        while chunk := sock.recv(4096):  # the front answers and closes the connection
            received += chunk
        reply = received.decode(errors="replace")
    assert reply.startswith("HTTP/1.1 403") and "SignatureDoesNotMatch" in reply

    # declared over 2 GB: no URL is signed at all
    too_big = [{"name": "huge.mp4", "size": MAX_FILE_SIZE + 1}]
    status, reply_body = api("POST", "/api/batch-jobs", {"name": "x", "files": too_big}, user=user_id)
    assert status == 422 and "size" in str(reply_body["detail"])

    exact = put(target["url"], clip, target["headers"])
    assert exact.status_code == 200, exact.text
    assert ctx.videos.get(target["video_id"]).status.value == "uploaded"


def test_a_batch_created_by_count_gets_its_signed_url_on_demand(
    ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    clip = clips[".mp4"].read_bytes()
    status, created = api("POST", "/api/batch-jobs", {"name": "count", "video_count": 1}, user=user_id)
    target = created["uploads"][0]
    assert target["url"] is None and target["headers"] == {}
    base = f"/api/batch-jobs/{created['batch_job']['id']}/uploads/{target['video_id']}"
    status, minted = api("POST", base, {"size": len(clip)}, user=user_id)
    assert status == 200 and minted["headers"]["Content-Length"] == str(len(clip))
    assert put(minted["url"], clip, minted["headers"]).status_code == 200
    assert ctx.videos.get(target["video_id"]).status.value == "uploaded"
    assert api("POST", base, {"size": 10}, user="someone-else")[0] == 404


def test_a_corrected_upload_and_a_replaced_file_are_probed_again(
    ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    corrupt, good = clips["corrupt"].read_bytes(), clips[".mp4"].read_bytes()
    files = [{"name": "take 1.mp4", "size": len(corrupt)}]
    _, created = api("POST", "/api/batch-jobs", {"name": "fix", "files": files}, user=user_id)
    target, batch_id = created["uploads"][0], created["batch_job"]["id"]
    assert put(target["url"], corrupt, target["headers"]).status_code == 200
    _, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)
    assert batch["videos"][0]["error_message"].startswith("take 1.mp4: The file is not a decodable video")

    # the corrected file: a new signed target for its size, the upload is probed again
    base = f"/api/batch-jobs/{batch_id}/uploads/{target['video_id']}"
    status, fixed = api("POST", base, {"size": len(good)}, user=user_id)
    assert status == 200 and fixed["key"] == target["key"]
    assert put(fixed["url"], good, fixed["headers"]).status_code == 200
    video = ctx.videos.get(target["video_id"])
    assert video.status.value == "uploaded" and video.probe_count == 2 and video.error_message is None
    _, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)
    assert batch["videos"][0]["error_message"] is None and batch["videos"][0]["duration"] > 0

    # replaced behind the API's back (its event not handled yet): the batch does not start on it
    s3 = ctx.storage.client
    bucket = ctx.config.ingest_bucket
    notifications = s3.get_bucket_notification_configuration(Bucket=bucket)
    notifications.pop("ResponseMetadata", None)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    try:
        s3.put_object(Bucket=bucket, Key=target["key"], Body=corrupt)
    finally:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=notifications)
    status, refused = api("POST", f"/api/batch-jobs/{batch_id}/start", user=user_id)
    assert status == 409 and "take 1.mp4: changed after it was checked" in refused["detail"]
    record = {
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": target["key"]}},
    }
    ingest_handler({"Records": [record]}, LocalLambdaContext(function_name="ingest"))
    video = ctx.videos.get(target["video_id"])
    assert video.status.value == "invalid" and video.probe_count == 3
