"""Issue 13's recovery: `reelflow serve` killed with SIGKILL in the middle of a batch; started again on
the same data, it resumes the batch with a new execution over the videos that had not finished, and the
batch completes with exact counters; no ffmpeg of the killed process is left running."""

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import stopped, user_env


@contextmanager
def serving(home: Path, tmp: Path, kill: signal.Signals) -> Iterator[tuple[dict[str, str], str]]:
    env = {**user_env(home, columns=200), "TMPDIR": str(tmp)}  # its work folders live under tmp
    server = subprocess.Popen(
        [sys.executable, "-m", "reelflow.cli", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    try:
        printed: list[str] = []
        deadline = time.monotonic() + 60
        while not any("Press Ctrl+C" in line for line in printed) and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                break
            printed.append(line)
        output = "".join(printed)
        fields = dict(re.findall(r"^\s+(\w+)\s+(.+?)\s*$", output, re.M))
        assert "api_url" in fields, output
        yield fields, output
    finally:
        stopped(server, kill, timeout=300)


def ffmpeg_under(folder: Path) -> list[str]:
    """Command lines of running ffmpeg/ffprobe processes that touch files under `folder`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if args and Path(args[0]).name.startswith(("ffmpeg", "ffprobe")) and str(folder) in " ".join(args):
            found.append(" ".join(args))
    return found


def test_a_batch_killed_mid_way_resumes_on_restart_and_completes_with_exact_counters(tmp_path: Path) -> None:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    token = reelflow("token", "--user", "eve", "--tier", "free", home=home).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    clips = [make_clip(tmp_path / f"talk{i}.mp4", seconds=4.0) for i in (1, 2, 3)]
    settings = {"transcribe": False, "export_quality": "720p"}
    with serving(home, tmp, kill=signal.SIGKILL) as (first, _):
        api = first["api_url"]
        created = requests.post(
            f"{api}/batch-jobs",
            headers=headers,
            timeout=30,
            json={
                "name": "interrupted",
                "files": [{"name": c.name, "size": c.stat().st_size} for c in clips],
                "settings": settings,
            },
        ).json()
        for upload, clip in zip(created["uploads"], clips, strict=True):
            assert requests.put(
                upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30
            ).ok
        batch_id = created["batch_job"]["id"]
        assert requests.post(f"{api}/batch-jobs/{batch_id}/start", headers=headers, timeout=30).ok
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the free plan runs one video at a time
            batch = requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=30).json()
            if batch["completed_videos"] >= 1:
                break
            time.sleep(0.1)
        assert batch["status"] == "processing" and 1 <= batch["completed_videos"] < 3, batch
        killed_at = batch["completed_videos"]
    # SIGKILL: no cleanup ran. ffmpeg children lose their progress pipe and end on their own.
    deadline = time.monotonic() + 10
    while ffmpeg_under(tmp) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ffmpeg_under(tmp) == []

    with serving(home, tmp, kill=signal.SIGINT) as (second, output):
        assert f"{batch_id} recovered" in output, output
        api = second["api_url"]
        deadline = time.monotonic() + 120
        while (batch := requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=30).json())[
            "status"
        ] not in {"completed", "failed"} and time.monotonic() < deadline:
            time.sleep(0.2)
        assert batch["status"] == "completed", batch
        counts = (batch["total_videos"], batch["completed_videos"], batch["failed_videos"])
        assert counts == (3, 3, 0) and batch["cancelled_videos"] == 0
        assert batch["progress_percentage"] == 100
        assert batch["execution_arn"].endswith(f":{batch_id}-run2")
        assert [v["status"] for v in batch["videos"]] == ["completed"] * 3
        assert all(v["output_video_url"] for v in batch["videos"])
        assert batch["summary"]["counts"]["completed"] == 3
        assert killed_at < 3
    assert ffmpeg_under(tmp) == []
