"""A function's ffmpeg processes are held to its memory, as Lambda holds them.

Lambda counts every process of an execution environment against the function's memory, and when they
pass it the kernel's OOM killer ends the largest, the ffmpeg that was encoding: its invocation fails.
Locally every function shares one process and the machine's memory, so an encode too large for its
function (a 4K source, a function sized too small) looked fine. `PeakWatch` (sandbox_watch.py) sums the
resident memory of the ffmpeg processes an invocation started (`ffmpeg_run.process_started` tells the
sandbox of the thread that starts one) and kills them when the sum passes the function's memory, as the
OOM killer would. The handler's own memory is not counted (it is this process's, shared by every
function), so locally a function has its whole memory for its ffmpeg: looser than AWS by the runtime's
share, never stricter.
"""

import contextlib
import os
import signal
from collections.abc import Iterable
from pathlib import Path

from reelflow.local.children import stat_fields

PAGE = os.sysconf("SC_PAGE_SIZE")


def is_child(pid: int) -> bool:
    """Whether `pid` is still a child of this process (a pid reused by another process is not)."""
    fields = stat_fields(pid)
    return fields is not None and int(fields[1]) == os.getpid()


def rss_bytes(pid: int) -> int:
    """The resident memory of child `pid` (0 once it is gone)."""
    if not is_child(pid):
        return 0
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def kill(pids: Iterable[int]) -> None:
    """SIGKILL the children among `pids`, as the OOM killer ends a process."""
    for pid in pids:
        if is_child(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
