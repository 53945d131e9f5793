"""`reelflow serve` as a user runs it: a client that only knows HTTP runs a batch against it, and
`reelflow executions` shows the execution."""

import json
import time
from pathlib import Path

import requests

from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import served


def test_serve_runs_a_batch_for_a_plain_http_client(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    with served(home) as server:
        fields = server.fields
        assert {"api_url", "websocket_url", "s3_endpoint", "ingest_bucket", "media_bucket"} <= set(fields), (
            server.fields
        )
        assert json.loads((home / "serve.json").read_text())["api_url"] == fields["api_url"]
        api = fields["api_url"]
        token = reelflow("token", "--user", "carol", "--tier", "creator", home=home).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}

        clip = make_clip(tmp_path / "talk.webm", seconds=1.5)
        created = requests.post(
            f"{api}/batch-jobs",
            headers=headers,
            timeout=30,
            json={
                "name": "served",
                "files": [{"name": clip.name, "size": clip.stat().st_size}],
                "settings": {"transcribe": False, "export_format": "mp4", "export_quality": "720p"},
            },
        ).json()
        upload = created["uploads"][0]
        assert upload["url"].startswith(fields["s3_endpoint"])
        assert requests.put(upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30).ok
        batch_id = created["batch_job"]["id"]
        assert requests.post(f"{api}/batch-jobs/{batch_id}/start", headers=headers, timeout=30).ok
        deadline = time.monotonic() + 120
        while (batch := requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=30).json())[
            "status"
        ] != "completed" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert batch["status"] == "completed"
        assert requests.get(batch["videos"][0]["output_video_url"], timeout=30).ok

        listing = reelflow("executions", home=home, timeout=60)
        assert listing.returncode == 0 and batch_id[:8] in listing.stdout and "SUCCEEDED" in listing.stdout
        history = reelflow("executions", batch_id, home=home, timeout=60)
        assert history.returncode == 0 and "Process videos" in history.stdout
    assert not (home / "serve.json").exists()
