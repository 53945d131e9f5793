"""The disk fills while a batch's files are uploading to `reelflow serve`, serve is killed and started
again on the same data folder: what the API acknowledged before the disk filled is what it answers
after the restart and what the data folder holds, nothing refused was half-written, and the uploads
complete once the disk has room again.

The full disk comes from outside the product: `full_disk_shim.py`, put on the subprocess's PYTHONPATH as
`sitecustomize`, makes every write under REELFLOW_HOME fail with ENOSPC (SQLite: "database or disk is
full") while a marker file exists."""

import json
import shutil
import signal
import sqlite3
import struct
import time
from pathlib import Path
from typing import Any

import requests

from functions.domain.upload_limits import MULTIPART_THRESHOLD
from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import served_s3, serving

SIZE = MULTIPART_THRESHOLD + 1024  # two parts


def _padded_video(clip: Path, size: int) -> bytes:
    """A real MP4 of exactly `size` bytes: the clip, then a top-level `free` box that players skip."""
    body = clip.read_bytes()
    padding = size - len(body)
    return body + struct.pack(">I", padding) + b"free" + bytes(padding - 8)


def _videos(batch: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return sorted((v["video_id"], v["status"], v["upload_status"]) for v in batch["videos"])


def _wait_for_uploads(api: str, headers: dict[str, str], batch_id: str, count: int) -> dict[str, Any]:
    deadline = time.monotonic() + 180  # ingest probes each file; a busy machine is slow
    while time.monotonic() < deadline:
        batch = requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=60).json()
        if sum(v["upload_status"] == "uploaded" for v in batch["videos"]) >= count:
            return batch
        time.sleep(0.3)
    raise AssertionError(f"fewer than {count} uploads were probed: {batch['videos']}")


def _stored(data: Path) -> tuple[dict[str, dict[str, Any]], set[str], list[tuple[str, int]]]:
    """The data folder as a new process reads it: items by (PK, SK), the object and part files its
    rows name, and the parts stored per upload."""
    db = sqlite3.connect(f"file:{data / 'state.sqlite3'}?mode=ro", uri=True)
    try:
        items = {}
        for (attributes,) in db.execute("SELECT attributes FROM items"):
            item = json.loads(attributes)
            if "PK" in item and "SK" in item:
                items[f"{item['PK']['S']}|{item['SK']['S']}"] = item
        files = {row[0] for row in db.execute("SELECT file FROM objects UNION SELECT file FROM parts")}
        parts = [(str(u), int(n)) for u, n in db.execute("SELECT upload_id, part_number FROM parts")]
    finally:
        db.close()
    return items, files, parts


def test_a_disk_filled_during_uploads_then_a_restart_keeps_what_was_acknowledged(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shim = tmp_path / "shim"
    shim.mkdir()
    shutil.copy(Path(__file__).with_name("full_disk_shim.py"), shim / "sitecustomize.py")
    full = tmp_path / "disk-is-full"
    env = {"PYTHONPATH": str(shim), "REELFLOW_TEST_FULL_DISK": str(full)}
    token = reelflow("token", "--user", "dana", "--tier", "creator", home=home).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    short = make_clip(tmp_path / "short.mp4", seconds=1.0)
    late = make_clip(tmp_path / "late.mp4", seconds=1.0)
    long_body = _padded_video(make_clip(tmp_path / "long.mp4", seconds=1.0), SIZE)
    files = [
        {"name": "short.mp4", "size": short.stat().st_size},
        {"name": "long.mp4", "size": SIZE},
        {"name": "late.mp4", "size": late.stat().st_size},
    ]

    with serving(home, kill=signal.SIGKILL, env=env) as first:
        api = first["api_url"]
        created = requests.post(
            f"{api}/batch-jobs", headers=headers, timeout=60, json={"name": "filled", "files": files}
        )
        assert created.status_code == 201, created.text
        batch_id = created.json()["batch_job"]["id"]
        short_target, long_target, late_target = created.json()["uploads"]
        multipart = long_target["multipart"]
        size, part_urls = multipart["part_size"], [p["url"] for p in multipart["parts"]]
        assert len(part_urls) == 2
        parts_url = f"{api}/batch-jobs/{batch_id}/uploads/{long_target['video_id']}/parts"

        sent = requests.put(
            short_target["url"], data=short.read_bytes(), headers=short_target["headers"], timeout=60
        )
        assert sent.status_code == 200, sent.text
        first_part = requests.put(part_urls[0], data=long_body[:size], timeout=120)
        assert first_part.status_code == 200, first_part.text
        acknowledged = _wait_for_uploads(api, headers, batch_id, 1)
        acknowledged_parts = requests.get(parts_url, headers=headers, timeout=60).json()
        assert [(p["part_number"], p["etag"]) for p in acknowledged_parts["uploaded"]] == [
            (1, first_part.headers["ETag"])
        ]

        full.touch()  # the disk is full from here on
        second_part = requests.put(part_urls[1], data=long_body[size:], timeout=120)
        assert second_part.status_code == 503 and "<Code>ServiceUnavailable</Code>" in second_part.text
        refused = requests.put(
            late_target["url"], data=late.read_bytes(), headers=late_target["headers"], timeout=60
        )
        assert refused.status_code == 503 and "<Code>ServiceUnavailable</Code>" in refused.text
        for method, path, body in (
            ("POST", "/batch-jobs", {"name": "never", "files": files[:1]}),
            ("POST", f"/batch-jobs/{batch_id}/cancel", None),
        ):
            answer = requests.request(method, f"{api}{path}", headers=headers, json=body, timeout=120)
            assert answer.status_code == 503, answer.text
            assert set(answer.json()) == {"error", "detail"} and "cannot write" in answer.json()["detail"]
        # while full, the API answers from what the disk holds
        during = requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=60).json()
        assert (during["status"], _videos(during)) == (acknowledged["status"], _videos(acknowledged))
        assert requests.get(parts_url, headers=headers, timeout=60).json() == acknowledged_parts
        listed = requests.get(f"{api}/batch-jobs", headers=headers, timeout=60).json()
        assert "never" not in json.dumps(listed) and batch_id in json.dumps(listed)

    # what the killed process left: the acknowledged rows, no file of a refused write
    data = home / "data"
    items, named_files, stored_parts = _stored(data)
    assert items[f"BATCH#{batch_id}|BATCH"]["status"]["S"] == acknowledged["status"]
    assert not any(item.get("name", {}).get("S") == "never" for item in items.values())
    assert stored_parts == [(acknowledged_parts["upload_id"], 1)]
    assert {path.name for path in (data / "objects").iterdir()} == named_files  # no .tmp, no orphan

    full.unlink()  # room on the disk again
    with serving(home, kill=signal.SIGKILL, env=env) as second:
        api = second["api_url"]
        again = requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=60).json()
        assert (again["status"], _videos(again)) == (acknowledged["status"], _videos(acknowledged))
        parts_url = f"{api}/batch-jobs/{batch_id}/uploads/{long_target['video_id']}/parts"
        assert requests.get(parts_url, headers=headers, timeout=60).json() == acknowledged_parts

        # the URLs minted before the disk filled and before the restart complete the uploads
        second_part = requests.put(part_urls[1], data=long_body[size:], timeout=120)
        assert second_part.status_code == 200, second_part.text
        done = requests.post(
            f"{api}/batch-jobs/{batch_id}/uploads/{long_target['video_id']}/complete",
            headers=headers,
            timeout=120,
            json={
                "parts": [
                    {"part_number": 1, "etag": first_part.headers["ETag"]},
                    {"part_number": 2, "etag": second_part.headers["ETag"]},
                ]
            },
        )
        assert done.status_code == 200, done.text
        sent = requests.put(
            late_target["url"], data=late.read_bytes(), headers=late_target["headers"], timeout=60
        )
        assert sent.status_code == 200, sent.text
        uploaded = _wait_for_uploads(api, headers, batch_id, 3)
        assert {v["upload_status"] for v in uploaded["videos"]} == {"uploaded"}
        s3 = served_s3(second)
        stored = s3.get_object(Bucket=second["ingest_bucket"], Key=long_target["key"])["Body"].read()
        assert stored == long_body
