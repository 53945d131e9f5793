"""`reelflow serve` keeps its table and objects in the data folder: a batch created and processed
before a SIGKILL is there, with its outputs, when serve starts again on the same folder; `--fresh`
starts empty; a stale address file is reported in one line."""

import re
import signal
import time
from pathlib import Path

import requests

from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import serving


def _token(home: Path) -> dict[str, str]:
    token = reelflow("token", "--user", "dana", "--tier", "creator", home=home).stdout.strip()
    return {"Authorization": f"Bearer {token}"}


def test_a_batch_and_its_outputs_survive_sigkill_and_fresh_starts_empty(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    headers = _token(home)
    clip = make_clip(tmp_path / "talk.mp4", seconds=1.0)
    with serving(home, kill=signal.SIGKILL) as first:
        api = first["api_url"]
        created = requests.post(
            f"{api}/batch-jobs",
            headers=headers,
            timeout=30,
            json={
                "name": "kept",
                "files": [{"name": clip.name, "size": clip.stat().st_size}],
                "settings": {"transcribe": False, "export_quality": "720p"},
            },
        ).json()
        upload = created["uploads"][0]
        assert requests.put(upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30).ok
        batch_id = created["batch_job"]["id"]
        assert requests.post(f"{api}/batch-jobs/{batch_id}/start", headers=headers, timeout=30).ok
        deadline = time.monotonic() + 120
        while (batch := requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=30).json())[
            "status"
        ] != "completed" and time.monotonic() < deadline:
            time.sleep(0.3)
        assert batch["status"] == "completed"
        output = requests.get(batch["videos"][0]["output_video_url"], timeout=30).content
    assert (home / "serve.json").exists()  # SIGKILL left it behind: the next command must cope

    stale = reelflow("executions", home=home, timeout=60)
    assert stale.returncode != 0 and "no reelflow serve is running" in stale.stderr
    assert "Traceback" not in stale.stderr + stale.stdout

    with serving(home) as second:
        twice = reelflow("serve", "--port", "0", home=home, timeout=60)
        assert twice.returncode != 0 and "already running" in twice.stderr
        assert "Traceback" not in twice.stderr
        assert re.match(r"[1-9]\d* items, [1-9]\d* objects", second["restored"])
        again = requests.get(f"{second['api_url']}/batch-jobs/{batch_id}", headers=headers, timeout=30).json()
        assert again["status"] == "completed" and again["progress_percentage"] == 100
        video = again["videos"][0]
        assert video["status"] == "completed"
        assert requests.get(video["output_video_url"], timeout=30).content == output
        listed = requests.get(f"{second['api_url']}/batch-jobs", headers=headers, timeout=30).json()
        assert batch_id in str(listed)
    assert not (home / "serve.json").exists()

    with serving(home, "--fresh") as third:
        assert third["restored"].startswith("0 items, 0 objects")
        gone = requests.get(f"{third['api_url']}/batch-jobs/{batch_id}", headers=headers, timeout=30)
        assert gone.status_code == 404
