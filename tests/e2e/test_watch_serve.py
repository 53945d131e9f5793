"""`reelflow watch` and `reelflow events` against a running `reelflow serve`, as a user runs them."""

import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import served, user_env


def test_watch_follows_a_batch_of_serve_to_the_end_and_events_shows_it(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home, columns=200)
    with served(home) as server:
        api = server.api
        token = reelflow("token", "--user", "dave", "--tier", "creator", home=home).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        clips = [make_clip(tmp_path / f"clip{i}.mp4", seconds=1.5) for i in range(2)]
        created = requests.post(
            f"{api}/batch-jobs",
            headers=headers,
            timeout=30,
            json={
                "name": "watched",
                "files": [{"name": c.name, "size": c.stat().st_size} for c in clips],
                "settings": {"transcribe": False, "remove_silence": False, "detect_highlights": False},
            },
        ).json()
        batch_id = created["batch_job"]["id"]
        watcher = subprocess.Popen(
            [sys.executable, "-m", "reelflow.cli", "watch", batch_id, "--user", "dave", "--timeout", "120"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(1.0)  # subscribed before the batch starts (it catches up with a snapshot anyway)
        for upload, clip in zip(created["uploads"], clips, strict=True):
            assert requests.put(
                upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30
            ).ok
        assert requests.post(f"{api}/batch-jobs/{batch_id}/start", headers=headers, timeout=30).ok
        output, _ = watcher.communicate(timeout=150)
        assert watcher.returncode == 0, output
        assert "clip0.mp4" in output and "clip1.mp4" in output and "completed" in output, output

        progress = requests.get(f"{api}/batch-jobs/{batch_id}/progress", headers=headers, timeout=30).json()
        assert progress["type"] == "batch_snapshot" and progress["status"] == "completed"
        assert progress["sequence"] > 0 and len(progress["videos"]) == 2

        deadline = time.monotonic() + 20
        events = reelflow("events", home=home, timeout=60)
        while batch_id not in events.stdout and time.monotonic() < deadline:
            time.sleep(0.5)
            events = reelflow("events", home=home, timeout=60)
        assert events.returncode == 0 and "Batch Completed" in events.stdout, events.stdout
    assert f"Batch Completed: batch {batch_id}" in server.output()
