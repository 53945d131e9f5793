"""After a kill -9 of `reelflow serve`, the next start stops what it left running and removes its
work folder (a killed process runs no cleanup of its own)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reelflow.local.children import OWNER_VARIABLE, orphans_of, owner_key, reap_orphans
from tests.helpers import serving

FAKE_SERVER = """
import os, subprocess, sys, time
os.environ[sys.argv[1]] = sys.argv[2] + "|" + str(os.getpid())
child = subprocess.Popen(["sleep", "600"])  # stands for an ffmpeg it started
print(child.pid, flush=True)
time.sleep(600)
"""


def crashed_server(home: Path) -> tuple[int, int]:
    """A server (its owner key, a child) killed with -9: returns (its pid, the orphaned child's pid)."""
    server = subprocess.Popen(
        [sys.executable, "-c", FAKE_SERVER, OWNER_VARIABLE, str(home.resolve())],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    child = int(server.stdout.readline())
    server.kill()
    server.wait(timeout=30)
    return server.pid, child


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def test_the_orphans_of_a_killed_server_are_found_by_their_owner_and_stopped(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    _, orphan = crashed_server(home)
    other_home = tmp_path / "other"
    other_home.mkdir()
    _, unrelated = crashed_server(other_home)
    try:
        assert alive(orphan)
        assert orphans_of(home) == [orphan]  # another home's orphans are not ours to stop
        assert reap_orphans(home) == [orphan]
        deadline = time.monotonic() + 30
        while alive(orphan) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(orphan) and alive(unrelated)
        assert owner_key(home, 7) == f"{home.resolve()}|7"
    finally:
        kill(orphan)
        kill(unrelated)


def test_serve_after_a_kill_9_stops_its_orphans_and_removes_their_work_folder(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    dead_pid, orphan = crashed_server(home)
    work = tmp_path / "reelflow-serve-left"
    (work / "video").mkdir(parents=True)
    (home / "serve.json").write_text(json.dumps({"pid": dead_pid, "work_dir": str(work)}))
    try:
        with serving(home):
            assert not alive(orphan)
            assert not work.exists()
    finally:
        kill(orphan)
