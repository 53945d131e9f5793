"""A sandbox per function instance, as Lambda gives one: each concurrent invocation of a function gets
a scratch folder of its own, kept warm for the function's next invocation (never shared with another
function), checked after every invocation for what it left behind, and held to its function's ephemeral
storage (`scratch_limit.py`) and, for its ffmpeg processes, to its memory (`memory_limit.py`)."""

import itertools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from functions.media import ffmpeg_run
from functions.services.workspace import in_sandbox, sandbox
from reelflow.local.memory_limit import is_child
from reelflow.local.sandbox_watch import PeakWatch
from reelflow.local.scratch_limit import MIB, scratch_full

logger = logging.getLogger("reelflow.local.sandboxes")


@dataclass
class Leftover:
    function: str
    sandbox: Path
    files: list[str]


@dataclass
class Sandboxes:
    """Scratch folders under `root`: `root/<function>/<instance>`."""

    root: Path
    _free: dict[str, list[Path]] = field(default_factory=dict)
    _count: itertools.count = field(default_factory=itertools.count)  # type: ignore[type-arg]
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # The last invocation's leftovers per function (none: the function cleaned up after itself).
    leftovers: dict[str, Leftover] = field(default_factory=dict)
    # The most bytes a sandbox of each function has held, and the most memory its ffmpeg processes
    # have, over its invocations.
    peaks: dict[str, int] = field(default_factory=dict)
    peak_memory: dict[str, int] = field(default_factory=dict)
    _processes: dict[Path, set[int]] = field(default_factory=dict)  # of each invocation running

    def _acquire(self, function: str) -> Path:
        with self._lock:
            free = self._free.setdefault(function, [])
            if free:
                return free.pop()
            folder = self.root / function / str(next(self._count))
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _release(self, function: str, folder: Path) -> None:
        with self._lock:
            self._free.setdefault(function, []).append(folder)

    @contextmanager
    def invocation(
        self, function: str, limit_bytes: int | None = None, memory_bytes: int | None = None
    ) -> Iterator[Path]:
        """An invocation of `function` in a sandbox of its own; one whose sandbox held more than
        `limit_bytes` (the function's ephemeral storage) fails with ENOSPC when it returns, and the
        ffmpeg processes it starts are killed when together they hold more than `memory_bytes`."""
        folder = self._acquire(function)
        with self._lock:
            self._processes[folder] = set()
        watch = PeakWatch(folder, memory_limit=memory_bytes, processes=lambda: self.running_processes(folder))
        try:
            with in_sandbox(folder), watch:
                yield folder
            if limit_bytes is not None and watch.peak > limit_bytes:
                raise scratch_full(function, watch.peak, limit_bytes)
        finally:
            self._ended(function, folder, watch)
            self.check(function, folder)
            self._release(function, folder)

    def adopt(self, pid: int) -> None:
        """A process started on a thread of a running invocation: its memory counts for that invocation."""
        folder = sandbox()
        with self._lock:
            if folder is not None and folder in self._processes:
                self._processes[folder].add(pid)

    def running_processes(self, folder: Path) -> tuple[int, ...]:
        """The invocation's processes still running (the ended ones are forgotten: a long invocation
        starts hundreds, and their pids are given again)."""
        with self._lock:
            started = self._processes.get(folder)
            if started is None:
                return ()
            started.intersection_update({pid for pid in started if is_child(pid)})
            return tuple(started)

    def _ended(self, function: str, folder: Path, watch: PeakWatch) -> None:
        with self._lock:
            self._processes.pop(folder, None)
            self.peaks[function] = max(watch.peak, self.peaks.get(function, 0))
            self.peak_memory[function] = max(watch.peak_memory, self.peak_memory.get(function, 0))
        if watch.killed_at is not None and watch.memory_limit is not None:
            logger.warning(
                "%s's ffmpeg held %.0f MiB, past its memory of %.0f MiB: killed, as the OOM killer would",
                function,
                watch.killed_at / MIB,
                watch.memory_limit / MIB,
            )

    def check(self, function: str, folder: Path) -> Leftover | None:
        """What the invocation left in its sandbox (reported, and kept in `leftovers`)."""
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        if not files:
            self.leftovers.pop(function, None)
            return None
        left = Leftover(function, folder, files)
        self.leftovers[function] = left
        logger.warning(
            "%s left %d file(s) in its sandbox %s: %s", function, len(files), folder, ", ".join(files[:5])
        )
        return left


# Set by local mode at start (None: handlers use the configured work_dir, as before).
current: list[Sandboxes | None] = [None]


@contextmanager
def invocation(
    function: str, limit_bytes: int | None = None, memory_bytes: int | None = None
) -> Iterator[None]:
    sandboxes = current[0]
    if sandboxes is None:
        yield
        return
    with sandboxes.invocation(function, limit_bytes, memory_bytes):
        yield


def adopt(pid: int) -> None:
    """ffmpeg_run's listener: an ffmpeg started inside an invocation is watched with it."""
    sandboxes = current[0]
    if sandboxes is not None:
        sandboxes.adopt(pid)


def listen_to_ffmpeg() -> None:
    """Hold every ffmpeg an invocation starts to its function's memory (once per process)."""
    if adopt not in ffmpeg_run.process_started:
        ffmpeg_run.process_started.append(adopt)
