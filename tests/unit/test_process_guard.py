"""The session-level guard: a process a test leaves running fails the run and is stopped."""

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.process_guard import LEFT_RUNNING

ROOT = Path(__file__).resolve().parents[2]

LEAKY_TEST = """
import os
import subprocess

def test_leaves_a_process():
    child = subprocess.Popen(["sleep", "600"])
    open(os.environ["LEAKED_PID_FILE"], "w").write(str(child.pid))
"""


def test_a_process_left_by_a_test_fails_the_session_and_is_stopped(tmp_path):
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)
    (tmp_path / "pid").unlink(missing_ok=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            os.devnull,
            "--rootdir",
            str(tmp_path),
            "-p",
            "tests.process_guard",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            str(tmp_path / "t" / "b"),
            str(tmp_path / "test_leaky.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "LEAKED_PID_FILE": str(tmp_path / "pid")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (tmp_path / "pid").exists(), result.stdout + result.stderr
    pid = int((tmp_path / "pid").read_text())
    try:
        assert "1 passed" in result.stdout
        assert result.returncode == 1, result.stdout + result.stderr
        assert LEFT_RUNNING in result.stdout and "sleep 600" in result.stdout
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists()
    finally:
        subprocess.run(["kill", "-9", str(pid)], check=False, capture_output=True)
