"""Where the running `reelflow serve` listens: its address file in the local state folder, read by the
commands that talk to it (`run --on-serve`, export, watch, drop, events, the controls). Kept apart from
`serving` so that a command that only talks to a serve does not import what a serve runs."""

import os
import socket
from typing import Any
from urllib.parse import urlparse

from reelflow.local.home import clear_state, read_state, state_path

ADDRESS = "serve"
NOT_RUNNING = "no reelflow serve is running"


def running_address(flag: str = "--endpoint URL") -> dict[str, Any]:
    """The address of the running `reelflow serve`; a stale file (its process gone) is removed and
    reported in one line."""
    state = read_state(ADDRESS)
    if not state:
        raise SystemExit(
            f"{NOT_RUNNING}: start one with `reelflow serve`" + (f" (or pass {flag})" if flag else "")
        )
    if not alive(state):
        clear_state(ADDRESS)
        raise SystemExit(f"{NOT_RUNNING} (removed the stale address file {state_path(ADDRESS)})")
    return state


def alive(state: dict[str, Any]) -> bool:
    pid = state.get("pid")
    if isinstance(pid, int):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
    endpoint = urlparse(str(state.get("aws_endpoint", "")))
    try:
        with socket.create_connection((endpoint.hostname or "127.0.0.1", endpoint.port or 80), timeout=1):
            return True
    except OSError:
        return False
