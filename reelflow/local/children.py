"""The processes this one started (ffmpeg, ffprobe): found through /proc and stopped on shutdown, so a
stopped `reelflow serve` or `reelflow run` leaves no orphan encoding; after a kill -9, the next start
finds them by the variable they inherited and stops them."""

import contextlib
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state, parent, …, user and system time at
    11 and 12), or None once the process is gone or where /proc does not exist."""
    try:
        # The command name is in parentheses and may hold spaces: the fields after it are fixed.
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def child_pids(parent: int | None = None) -> list[int]:
    """Direct children of `parent` (this process by default); empty where /proc does not exist."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in PROC.glob("[0-9]*/stat") if PROC.is_dir() else []:
        pid = int(entry.parent.name)
        fields = stat_fields(pid)
        if fields is not None and int(fields[1]) == parent:
            found.append(pid)
    return found


def stop_children(grace_seconds: float = 2.0) -> list[int]:
    """SIGTERM every child, SIGKILL those still there after `grace_seconds`; returns the pids."""
    return terminate(child_pids(), grace_seconds)


def terminate(pids: list[int], grace_seconds: float = 2.0) -> list[int]:
    """SIGTERM `pids`, SIGKILL those still there after `grace_seconds`."""
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
    fields = stat_fields(pid)
    if fields is None:
        return False
    if fields[0] == "Z":  # exited, not yet reaped by its parent
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _signal(pid: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)


# Every process a local server starts inherits this variable, naming the server (`<home>|<pid>`): after
# a kill -9 the orphans are found by it on the next start, since their parent is gone.
OWNER_VARIABLE = "REELFLOW_CHILD_OF"


def owner_key(home: Path, pid: int | None = None) -> str:
    return f"{home.resolve()}|{os.getpid() if pid is None else pid}"


def mark_children(home: Path) -> None:
    """Children started from now on carry this process's owner key."""
    os.environ[OWNER_VARIABLE] = owner_key(home)


def orphans_of(home: Path) -> list[int]:
    """Processes started by an earlier server on `home` that is no longer alive."""
    prefix = f"{home.resolve()}|"
    found = []
    for entry in PROC.glob("[0-9]*/environ") if PROC.is_dir() else []:
        try:
            environ = entry.read_bytes().split(b"\0")
        except OSError:
            continue
        marker = next((v for v in environ if v.startswith(OWNER_VARIABLE.encode() + b"=")), None)
        if marker is None:
            continue
        key = marker.split(b"=", 1)[1].decode(errors="replace")
        owner = key.removeprefix(prefix)
        if (
            key.startswith(prefix)
            and owner.isdigit()
            and int(owner) != os.getpid()
            and not _alive(int(owner))
        ):
            found.append(int(entry.parent.name))
    return found


def reap_orphans(home: Path, grace_seconds: float = 2.0) -> list[int]:
    """Stop what a server on `home` killed with -9 left running (SIGTERM, then SIGKILL)."""
    return terminate(orphans_of(home), grace_seconds)
