"""Adding, removing and reordering videos on DynamoDB (moto): concurrent adds never exceed the plan's
limit or share a position."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

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
