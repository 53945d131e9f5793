"""A multipart upload survives a kill -9 of `reelflow serve`: the parts sent before it are kept, the part
URLs presigned before it still work after the restart (same port, same role keys), and the upload is
completed with only the missing parts."""

import signal
from pathlib import Path

import requests

from functions.domain.upload_limits import MULTIPART_THRESHOLD
from tests.e2e.test_cli import reelflow
from tests.helpers import served_s3, serving

SIZE = MULTIPART_THRESHOLD + 1024  # just over the threshold: two parts


def test_a_multipart_upload_resumes_after_serve_is_killed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    token = reelflow("token", "--user", "dana", "--tier", "creator", home=home).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    body = bytes(range(256)) * (SIZE // 256)
    with serving(home, kill=signal.SIGKILL) as first:
        created = requests.post(
            f"{first['api_url']}/batch-jobs",
            headers=headers,
            timeout=60,
            json={"name": "resumed", "files": [{"name": "long.mp4", "size": len(body)}]},
        )
        assert created.status_code == 201, created.text
        target = created.json()["uploads"][0]
        batch_id, video_id = created.json()["batch_job"]["id"], target["video_id"]
        multipart = target["multipart"]
        size, parts = multipart["part_size"], multipart["parts"]
        assert len(parts) == 2

        def part(number: int) -> bytes:
            return body[(number - 1) * size : number * size]

        sent = requests.put(parts[0]["url"], data=part(1), timeout=120)
        assert sent.status_code == 200, sent.text
        first_etag = sent.headers["ETag"]

    with serving(home, kill=signal.SIGKILL) as second:
        uploads = f"{second['api_url']}/batch-jobs/{batch_id}/uploads/{video_id}"
        listed = requests.get(f"{uploads}/parts", headers=headers, timeout=60).json()
        assert [(p["part_number"], p["etag"]) for p in listed["uploaded"]] == [(1, first_etag)]
        assert [p["part_number"] for p in listed["missing"]] == [2]
        # the URL minted before the restart still works: same host and port, same signing keys
        late = requests.put(parts[1]["url"], data=part(2), timeout=120)
        assert late.status_code == 200, late.text
        done = requests.post(
            f"{uploads}/complete",
            headers=headers,
            timeout=120,
            json={
                "parts": [
                    {"part_number": 1, "etag": first_etag},
                    {"part_number": 2, "etag": late.headers["ETag"]},
                ]
            },
        )
        assert done.status_code == 200, done.text
        s3 = served_s3(second)
        stored = s3.get_object(Bucket=second["ingest_bucket"], Key=target["key"])["Body"].read()
        assert stored == body
