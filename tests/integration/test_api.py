"""Every endpoint through API Gateway HTTP API v2 events, as the deployed function receives them."""

from urllib.parse import urlparse

import pytest

from functions.domain.enums import Tier
from tests.helpers import api, files_payload, upload, wait_for_batch

pytestmark = pytest.mark.usefixtures("local_cloud")


def create(user, tier=Tier.CREATOR, count=2, **extra):
    body = {"name": "My talks", "video_count": count, **extra}
    return api("POST", "/api/batch-jobs", body, user=user, tier=tier)


def test_create_returns_the_batch_and_one_presigned_put_per_video(user_id):
    status, body = create(
        user_id,
        files=[
            {"name": "a.MOV", "size": 1000, "content_type": "video/quicktime"},
            {"name": "b.mp4", "size": 2000},
        ],
        count=2,
        settings={"export_format": "webm", "keywords": "launch"},
        priority=8,
    )
    assert status == 201, body
    batch = body["batch_job"]
    assert batch["status"] == "pending" and batch["total_videos"] == 2 and batch["priority"] == 8
    assert batch["user_id"] == user_id and batch["tier"] == "creator"
    assert batch["settings"]["export_format"] == "webm" and batch["settings"]["keywords"] == ["launch"]
    assert len(body["upload_urls"]) == 2
    assert [u["position"] for u in body["uploads"]] == [1, 2]
    first = body["uploads"][0]
    assert first["url"] == body["upload_urls"][0]
    query = urlparse(first["url"]).query
    assert "X-Amz-Expires=900" in query and "X-Amz-Signature" in query
    assert "content-length" in query.lower()  # the size is part of the signature
    assert first["headers"] == {"Content-Type": "video/quicktime", "Content-Length": "1000"}
    assert first["key"].endswith("/a.MOV") and first["file_name"] == "a.MOV"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "x"}, "give video_count, files, or both"),
        (
            {"name": "x", "video_count": 2, "files": [{"name": "a.mp4", "size": 1}]},
            "video_count is 2 but 1 files",
        ),
        ({"name": "", "video_count": 1}, "name"),
        ({"name": "x", "video_count": 1, "priority": 11}, "priority"),
        ({"name": "x", "video_count": 1, "settings": {"silence_threshold": -70}}, "silence_threshold"),
        (
            {"name": "x", "video_count": 1, "settings": {"detect_highlights": False, "keywords": ["a"]}},
            "detect_highlights",
        ),
        ({"name": "x", "video_count": 1, "files": [{"name": "a.mp4", "size": 3 * 1024**3}]}, "size"),
        ({"name": "x", "video_count": 1, "surprise": True}, "surprise"),
    ],
)
def test_bad_bodies_are_422_with_a_readable_detail(user_id, body, fragment):
    status, reply = api("POST", "/api/batch-jobs", body, user=user_id)
    assert status == 422
    assert reply["error"] == "Validation failed"
    assert fragment in reply["detail"]


def test_malformed_json_is_400_with_where_and_what(user_id):
    status, reply = api("POST", "/api/batch-jobs", user=user_id, raw_body=b"{not json")
    assert status == 400
    assert reply == {
        "error": "Malformed JSON",
        "detail": "Expecting property name enclosed in double quotes at line 1 column 2",
    }


def test_unsupported_file_types_are_400(user_id):
    status, reply = create(user_id, count=1, files=[{"name": "song.mp3", "size": 10}])
    assert status == 400
    assert "accepted formats" in reply["detail"]
    status, reply = create(
        user_id, count=1, files=[{"name": "a.mp4", "size": 10, "content_type": "image/png"}]
    )
    assert status == 400 and "does not match" in reply["detail"]


def test_batch_size_over_the_plan_is_403(user_id):
    status, reply = create(user_id, tier=Tier.FREE, count=4)
    assert status == 403
    assert reply["error"] == "Batch size exceeds your plan limit"
    assert create(user_id, tier=Tier.PRO, count=50)[0] == 201


def test_free_tier_gets_five_creations_per_hour(user_id):
    statuses = [create(user_id, tier=Tier.FREE, count=1)[0] for _ in range(6)]
    assert statuses == [201] * 5 + [429]


def test_requests_without_a_user_are_401():
    status, reply = api("GET", "/api/batch-jobs", user=None)
    assert status == 401 and reply["error"] == "Unauthorized"


def test_another_users_batch_is_404(user_id):
    _, body = create(user_id)
    batch_id = body["batch_job"]["id"]
    for method, path in (("GET", ""), ("POST", "/start"), ("POST", "/videos")):
        payload = {"video_ids": ["x"]} if path == "/videos" else None
        status, reply = api(method, f"/api/batch-jobs/{batch_id}{path}", payload, user="mallory")
        assert status == 404, (method, path, reply)
        assert reply["error"] == "Batch job not found"
    assert api("GET", "/api/batch-jobs/does-not-exist", user=user_id)[0] == 404


def test_list_filters_sorts_and_paginates(user_id):
    ids = []
    for priority in (3, 9, 5):
        ids.append(create(user_id, count=1, priority=priority)[1]["batch_job"]["id"])
    status, page = api("GET", "/api/batch-jobs", user=user_id, query="limit=2&offset=0")
    assert status == 200
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 0
    assert [b["id"] for b in page["batch_jobs"]] == [ids[2], ids[1]]  # newest first
    _, by_priority = api("GET", "/api/batch-jobs", user=user_id, query="sort=priority")
    assert [b["priority"] for b in by_priority["batch_jobs"]] == [9, 5, 3]
    _, second = api("GET", "/api/batch-jobs", user=user_id, query="limit=2&offset=2")
    assert [b["id"] for b in second["batch_jobs"]] == [ids[0]]
    _, none = api("GET", "/api/batch-jobs", user=user_id, query="status=completed")
    assert none["total"] == 0
    assert api("GET", "/api/batch-jobs", user=user_id, query="status=bogus")[0] == 422
    assert api("GET", "/api/batch-jobs", user=user_id, query="limit=0")[0] == 422


def test_detail_lists_videos_with_progress(user_id):
    _, body = create(user_id, count=3)
    status, detail = api("GET", f"/api/batch-jobs/{body['batch_job']['id']}", user=user_id)
    assert status == 200
    assert [v["position"] for v in detail["videos"]] == [1, 2, 3]
    assert all(
        v["status"] == "uploading" and v["upload_status"] == "awaiting_upload" for v in detail["videos"]
    )
    assert detail["progress_percentage"] == 0


def test_start_requires_every_video_uploaded(user_id):
    _, body = create(user_id, count=2)
    status, reply = api("POST", f"/api/batch-jobs/{body['batch_job']['id']}/start", user=user_id)
    assert status == 400 and reply["error"] == "All videos must be uploaded before starting"
    assert "2 of 2 videos are not uploaded yet" in reply["detail"]


def test_start_then_duplicate_start_is_400(user_id, clips, local_cloud):
    _, body = create(
        user_id,
        count=1,
        files=files_payload([clips[".mp4"]]),
        settings={"transcribe": False, "remove_silence": False, "detect_highlights": False},
    )
    upload(body["uploads"][0], clips[".mp4"])
    batch_id = body["batch_job"]["id"]
    status, started = api("POST", f"/api/batch-jobs/{batch_id}/start", user=user_id)
    assert status == 200, started
    assert started["job_id"].endswith(f":{batch_id}")  # the execution is named after the batch
    assert started["batch_job"]["status"] == "processing" and started["batch_job"]["started_at"]
    status, again = api("POST", f"/api/batch-jobs/{batch_id}/start", user=user_id)
    assert status == 400
    assert again["error"] in {"Batch is already processing", "Batch already finished"}
    # ended here, not in a later test's time: its export would meet that test's patched media tasks
    assert wait_for_batch(batch_id, user_id)["status"] == "completed"


def test_add_uploaded_videos_to_a_pending_batch(user_id, clips):
    _, first = create(user_id, count=1, files=files_payload([clips[".mov"]]))
    upload(first["uploads"][0], clips[".mov"])
    video_id = first["uploads"][0]["video_id"]
    _, second = create(user_id, count=1)
    target = second["batch_job"]["id"]
    status, detail = api("POST", f"/api/batch-jobs/{target}/videos", {"video_ids": [video_id]}, user=user_id)
    assert status == 200, detail
    assert detail["total_videos"] == 2
    added = detail["videos"][1]
    assert (added["position"], added["video_id"], added["status"]) == (2, video_id, "pending")
    status, dup = api("POST", f"/api/batch-jobs/{target}/videos", {"video_ids": [video_id]}, user=user_id)
    assert status == 409 and "already in this batch" in dup["detail"]
    status, _ = api("POST", f"/api/batch-jobs/{target}/videos", {"video_ids": ["nope"]}, user=user_id)
    assert status == 400
    assert api("POST", f"/api/batch-jobs/{target}/videos", {"video_ids": []}, user=user_id)[0] == 422


def test_unknown_routes_are_404_json(user_id):
    status, reply = api("GET", "/api/nothing-here", user=user_id)
    assert status == 404 and set(reply) == {"error", "detail"}


def test_health_and_openapi():
    assert api("GET", "/api/health", user=None) == (200, {"status": "ok"})
    from functions.handlers.api import app

    schema = app.get_openapi_schema()
    paths = schema.paths or {}
    assert {
        "/api/batch-jobs",
        "/api/batch-jobs/{batch_id}",
        "/api/batch-jobs/{batch_id}/start",
        "/api/batch-jobs/{batch_id}/videos",
    } <= set(paths)


def test_a_retried_create_with_the_same_idempotency_key_is_one_batch_and_one_quota_use(user_id, ctx):
    body = {"name": "retry", "video_count": 1}
    key = {"Idempotency-Key": f"k-{user_id}"}
    first = api("POST", "/api/batch-jobs", body, user=user_id, tier=Tier.FREE, headers=key)
    retried = api("POST", "/api/batch-jobs", body, user=user_id, tier=Tier.FREE, headers=key)
    assert first[0] == retried[0] == 201
    assert retried[1]["batch_job"]["id"] == first[1]["batch_job"]["id"]
    listed = api("GET", "/api/batch-jobs", user=user_id, tier=Tier.FREE)[1]
    assert listed["total"] == 1
    # the free plan allows five creations an hour: the retry spent none, so four more succeed
    statuses = [
        api(
            "POST",
            "/api/batch-jobs",
            body,
            user=user_id,
            tier=Tier.FREE,
            headers={"Idempotency-Key": f"n{i}"},
        )[0]
        for i in range(5)
    ]
    assert statuses == [201] * 4 + [429]
    other_user = api("POST", "/api/batch-jobs", body, user=f"{user_id}-b", tier=Tier.FREE, headers=key)
    assert other_user[0] == 201 and other_user[1]["batch_job"]["id"] != first[1]["batch_job"]["id"]
