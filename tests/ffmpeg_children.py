"""The ffmpeg processes this test process started, read from /proc, and bounded waits on them."""

import os
import time

from tests.process_guard import descendants


def _is_live_ffmpeg(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            line = stat.read()
    except OSError:
        return False
    name = line[line.find("(") + 1 : line.rfind(")")]
    state = line[line.rfind(")") + 1 :].split()[0]
    return name.startswith("ffmpeg") and state != "Z"


def running_ffmpeg() -> list[int]:
    return [pid for pid in descendants(os.getpid()) if _is_live_ffmpeg(pid)]


def wait_for_ffmpeg(running: bool, timeout: float = 120.0) -> list[int]:
    """Wait (bounded, generously) until some ffmpeg runs (`running`) or none does; return what runs."""
    deadline = time.monotonic() + timeout
    while True:
        found = running_ffmpeg()
        if bool(found) == running or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
