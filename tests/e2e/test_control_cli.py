"""`reelflow pause|resume|cancel|retry|delete` against a running `reelflow serve`, and Ctrl-C of
`reelflow run` cancelling its batch cleanly."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from reelflow.errors import ExitCode
from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import served, stopped, user_env

EXPORT_ONLY = {"transcribe": False, "remove_silence": False, "detect_highlights": False}


def test_control_subcommands_steer_a_batch_of_the_running_serve(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    clips = [make_clip(tmp_path / f"c{i}.mp4", seconds=30.0, width=640, height=360) for i in range(3)]
    token = reelflow("token", "--user", "erin", "--tier", "free", home=home).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with served(home, kill=signal.SIGTERM) as server:
        api = server.api
        files = [{"name": c.name, "size": c.stat().st_size} for c in clips]
        created = requests.post(
            f"{api}/batch-jobs",
            headers=headers,
            timeout=30,
            json={"name": "steer", "files": files, "settings": EXPORT_ONLY},
        ).json()
        for upload, clip in zip(created["uploads"], clips, strict=True):
            assert requests.put(
                upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30
            ).ok
        batch_id = created["batch_job"]["id"]
        assert requests.post(f"{api}/batch-jobs/{batch_id}/start", headers=headers, timeout=30).ok

        def control(*args: str) -> subprocess.CompletedProcess[str]:
            return reelflow(*args, batch_id, "--user", "erin", "--tier", "free", home=home, timeout=120)

        paused = control("pause")
        assert paused.returncode == 0 and f"Batch {batch_id}: paused" in paused.stdout, paused
        again = control("pause")
        assert again.returncode == ExitCode.NOT_FOUND and "Batch is not running" in again.stderr  # refused
        refused = control("delete")
        assert refused.returncode == ExitCode.NOT_FOUND and "Batch is still active" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and batch_id in refused.stderr
        # cancel right after resuming: the parallel render finishes short clips within seconds
        assert f"Batch {batch_id}: processing" in control("resume").stdout
        cancelled = control("cancel")
        assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout, cancelled
        batch = requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=30).json()
        assert batch["status"] == "cancelled"
        assert batch["completed_videos"] + batch["cancelled_videos"] == 3
        assert control("retry").returncode == ExitCode.NOT_FOUND  # refused: nothing failed
        deleted = control("delete")
        assert deleted.returncode == 0 and "deleted" in deleted.stdout
        assert requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=30).status_code == 404


def test_ctrl_c_cancels_the_run_and_keeps_partial_results(tmp_path: Path) -> None:
    home, folder, out = tmp_path / "home", tmp_path / "videos", tmp_path / "out"
    home.mkdir()
    folder.mkdir()
    for i in range(3):
        make_clip(folder / f"v{i}.mp4", seconds=12.0, width=640, height=360)
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reelflow.cli",
            "run",
            str(folder),
            "--out",
            str(out),
            "--no-transcribe",
            "--no-remove-silence",
            "--no-detect-highlights",
        ],
        env=user_env(home, columns=200),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert run.stdout is not None
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = run.stdout.readline()
        seen.append(line)
        if line.startswith("Execution") or not line:
            break
    time.sleep(2.0)  # a video is encoding
    output = stopped(run, signal.SIGINT, timeout=120)
    text = "".join(seen) + output
    assert run.returncode == 130, text  # interrupted, as a shell reports SIGINT
    assert "cancelling the batch" in text and "Traceback" not in text
    results = json.loads((out / "results.json").read_text())
    assert results["batch"]["status"] == "cancelled"
    statuses = [v["status"] for v in results["videos"]]
    assert set(statuses) <= {"completed", "cancelled"} and "cancelled" in statuses
    assert results["batch"]["cancelled_videos"] == statuses.count("cancelled")
