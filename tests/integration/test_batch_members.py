"""Adding, removing and reordering videos on DynamoDB (moto): concurrent adds never exceed the plan's
limit or share a position."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from functions.adapters.keys import batch_key
from functions.domain.enums import Tier
from functions.domain.quotas import limits_for
from tests.helpers import api


def files(count: int, stem: str = "clip") -> list[dict[str, Any]]:
    return [{"name": f"{stem} {n}.mp4", "size": 1000 + n} for n in range(count)]


def test_concurrent_adds_never_exceed_the_plan_or_share_a_position(ctx: Any, user_id: str) -> None:
    limit = limits_for(Tier.CREATOR).max_videos_per_batch
    status, created = api(
        "POST", "/api/batch-jobs", {"name": "race", "files": files(limit - 10)}, user=user_id
    )
    assert status == 201, created
    batch_id = created["batch_job"]["id"]

    def add(n: int) -> tuple[int, Any]:
        return api("POST", f"/api/batch-jobs/{batch_id}/videos", {"files": files(2, f"w{n}")}, user=user_id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(add, range(8)))
    accepted = [body for status, body in results if status == 200]
    refused = [body for status, body in results if status != 200]
    assert len(accepted) == 5 and len(refused) == 3, results
    assert all("plan allows" in body["detail"] for body in refused)
    for body in accepted:  # each reply carries a signed target per new slot, at its position
        assert [u["position"] for u in body["uploads"]] == [
            v["position"] for v in body["videos"] if v["video_id"] in {u["video_id"] for u in body["uploads"]}
        ]
        assert all(u["headers"]["Content-Length"] for u in body["uploads"])
    _, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)
    assert batch["total_videos"] == limit
    assert sorted(v["position"] for v in batch["videos"]) == list(range(1, limit + 1))


def test_remove_and_reorder_pending_videos(ctx: Any, user_id: str) -> None:
    _, created = api("POST", "/api/batch-jobs", {"name": "order", "files": files(4)}, user=user_id)
    batch_id = created["batch_job"]["id"]
    ids = [u["video_id"] for u in created["uploads"]]
    status, after = api("DELETE", f"/api/batch-jobs/{batch_id}/videos/{ids[1]}", user=user_id)
    assert status == 200, after
    assert [(v["video_id"], v["position"]) for v in after["videos"]] == [
        (ids[0], 1),
        (ids[2], 2),
        (ids[3], 3),
    ]
    assert after["total_videos"] == 3
    new_order = [ids[3], ids[0], ids[2]]
    status, moved = api("PATCH", f"/api/batch-jobs/{batch_id}/videos", {"video_ids": new_order}, user=user_id)
    assert status == 200, moved
    assert [v["video_id"] for v in moved["videos"]] == new_order
    assert [v["position"] for v in moved["videos"]] == [1, 2, 3]
    status, bad = api("PATCH", f"/api/batch-jobs/{batch_id}/videos", {"video_ids": ids[:2]}, user=user_id)
    assert status == 400 and "every video" in bad["detail"]
    assert api("DELETE", f"/api/batch-jobs/{batch_id}/videos/{ids[1]}", user=user_id)[0] == 404
    assert api("DELETE", f"/api/batch-jobs/{batch_id}/videos/{ids[0]}", user="someone-else")[0] == 404
    status, added = api(
        "POST", f"/api/batch-jobs/{batch_id}/videos", {"files": files(1, "late")}, user=user_id
    )
    assert status == 200 and added["uploads"][0]["position"] == 4
    status, both = api(
        "POST", f"/api/batch-jobs/{batch_id}/videos", {"files": files(1), "video_ids": ids[:1]}, user=user_id
    )
    assert status == 422 and "either video_ids or files" in str(both["detail"])


def test_removing_an_uploaded_pending_video_keeps_every_list_readable(
    ctx: Any, user_id: str, clips: dict[str, Path]
) -> None:
    """The probe gives the slot a duration the pending batch never counted: removing it once drove the
    batch's total duration below zero, and from then on the batch failed to read in every list (500)."""
    clip = clips[".mp4"].read_bytes()
    _, created = api(
        "POST",
        "/api/batch-jobs",
        {"name": "rm", "files": [{"name": "a.mp4", "size": len(clip)}] * 2},
        user=user_id,
    )
    batch_id, target = created["batch_job"]["id"], created["uploads"][0]
    assert requests.put(target["url"], data=clip, headers=target["headers"], timeout=60).status_code == 200
    status, removed = api("DELETE", f"/api/batch-jobs/{batch_id}/videos/{target['video_id']}", user=user_id)
    assert status == 200, removed
    assert removed["total_videos"] == 1 and removed["total_duration_seconds"] >= 0
    for query in ("", "status=pending"):
        status, listed = api("GET", "/api/batch-jobs", user=user_id, query=query)
        assert status == 200, listed
        assert [b["id"] for b in listed["batch_jobs"]] == [batch_id]
    assert api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)[0] == 200


def test_a_record_that_no_longer_reads_is_served_degraded_or_skipped_never_a_500(
    ctx: Any, user_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [
        api("POST", "/api/batch-jobs", {"name": f"b{n}", "files": files(2)}, user=user_id)[1]
        for n in range(3)
    ]
    degraded, skipped, fine = (created["batch_job"]["id"] for created in ids)
    table = ctx.batches.table
    # A figure out of its range (served with its default), and a status no version of the code wrote.
    table.update_item(
        Key=batch_key(degraded),
        UpdateExpression="SET total_duration_seconds = :v",
        ExpressionAttributeValues={":v": Decimal("-5")},
    )
    table.update_item(
        Key=batch_key(skipped),
        UpdateExpression="SET #s = :v",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":v": "exploded"},
    )
    status, listed = api("GET", "/api/batch-jobs", user=user_id)
    assert status == 200, listed
    assert {b["id"] for b in listed["batch_jobs"]} == {degraded, fine}
    assert next(b for b in listed["batch_jobs"] if b["id"] == degraded)["total_duration_seconds"] == 0
    status, detail = api("GET", f"/api/batch-jobs/{degraded}", user=user_id)
    assert status == 200 and len(detail["videos"]) == 2
    warned = {
        (r.getMessage(), r.__dict__["key"]["PK"]): r.__dict__ for r in caplog.records if "key" in r.__dict__
    }
    assert f"BATCH#{skipped}" in str(warned[("Unreadable record skipped", f"BATCH#{skipped}")]["key"])
    served = warned[("Unreadable fields served with their defaults", f"BATCH#{degraded}")]
    assert served["fields"] == ["total_duration_seconds"]


def test_an_unexpected_error_is_logged_with_its_cause_and_answers_500(
    ctx: Any, user_id: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.services import batches

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(batches, "list_batches", broken)
    status, body = api("GET", "/api/batch-jobs", user=user_id)
    assert status == 500 and body["error"] == "Internal error"
    [logged] = [r for r in caplog.records if r.getMessage() == "Unexpected error"]
    assert logged.exc_info and "the disk is on fire" in str(logged.exc_info[1])
    assert logged.__dict__["path"] == "/api/batch-jobs"
