"""The ffmpeg processes of an invocation are held to its function's memory: past it they are killed, as
Lambda's OOM killer ends them; under it nothing happens; only this process's children are touched."""

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reelflow.local.memory_limit import kill, rss_bytes
from reelflow.local.sandbox_watch import PeakWatch
from reelflow.local.scratch_limit import MIB

HOLD_100_MIB = "import time; held = b'x' * (100 * 1024 * 1024); print('ready', flush=True); time.sleep(600)"

SPAWN_ORPHAN = "import subprocess as s; d = s.DEVNULL; print(s.Popen(['sleep', '9'], stdout=d, stderr=d).pid)"


@pytest.fixture
def holder() -> Iterator["subprocess.Popen[str]"]:
    """A child holding 100 MiB resident (ffmpeg's stand-in), stopped whatever the test did."""
    process = subprocess.Popen([sys.executable, "-c", HOLD_100_MIB], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        yield process
    finally:
        process.kill()
        process.wait()


def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds  # a generous bound: a busy machine samples late
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_processes_past_the_memory_are_killed(tmp_path: Path, holder: "subprocess.Popen[str]") -> None:
    with PeakWatch(tmp_path, interval=0.01, memory_limit=50 * MIB, processes=lambda: (holder.pid,)) as watch:
        _until(lambda: holder.poll() is not None)
    assert holder.returncode == -9  # SIGKILL, as the OOM killer sends it
    assert watch.killed_at is not None and watch.killed_at >= 100 * MIB
    assert watch.peak_memory >= 100 * MIB


def test_processes_within_the_memory_run_on(tmp_path: Path, holder: "subprocess.Popen[str]") -> None:
    with PeakWatch(tmp_path, interval=0.01, memory_limit=500 * MIB, processes=lambda: (holder.pid,)) as watch:
        _until(lambda: watch.peak_memory >= 100 * MIB)
    assert holder.poll() is None and watch.killed_at is None
    assert 100 * MIB <= watch.peak_memory < 500 * MIB


def test_only_this_process_children_are_measured_or_killed(holder: "subprocess.Popen[str]") -> None:
    assert rss_bytes(holder.pid) >= 100 * MIB
    assert rss_bytes(1) == 0  # init is nobody's child here
    assert rss_bytes(2**22 + 12345) == 0  # no such process
    grandchild = subprocess.run(  # a process this one did not start: its own child's child
        [sys.executable, "-c", SPAWN_ORPHAN],
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = int(grandchild.stdout)
    try:
        kill([orphan])
        assert Path(f"/proc/{orphan}").exists()  # not this process's child: left alone
    finally:
        subprocess.run(["kill", str(orphan)], check=False)
