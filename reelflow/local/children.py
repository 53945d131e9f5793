"""The processes this one started (ffmpeg, ffprobe): found through /proc and stopped on shutdown, so a
stopped `reelflow serve` or `reelflow run` leaves no orphan encoding."""

import contextlib
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def child_pids(parent: int | None = None) -> list[int]:
    """Direct children of `parent` (this process by default); empty where /proc does not exist."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in PROC.glob("[0-9]*/stat") if PROC.is_dir() else []:
        try:
            # The command name is in parentheses and may hold spaces: the fields after it are fixed.
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.parent.name))
    return found


def stop_children(grace_seconds: float = 2.0) -> list[int]:
    """SIGTERM every child, SIGKILL those still there after `grace_seconds`; returns the pids."""
    pids = child_pids()
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            _signal(pid, signal.SIGKILL)
    return pids


def _alive(pid: int) -> bool:
    try:
        state = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state == "Z":  # exited, not yet reaped by its parent
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _signal(pid: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)
