"""A sandbox per function instance, as Lambda gives one: each concurrent invocation of a function gets
a scratch folder of its own, kept warm for the function's next invocation (never shared with another
function), checked after every invocation for what it left behind, and held to its function's ephemeral
storage (`scratch_limit.py`)."""

import itertools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from functions.services.workspace import in_sandbox
from reelflow.local.scratch_limit import PeakWatch, scratch_full

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
    # The most bytes a sandbox of each function has held, over its invocations.
    peaks: dict[str, int] = field(default_factory=dict)

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
    def invocation(self, function: str, limit_bytes: int | None = None) -> Iterator[Path]:
        """An invocation of `function` in a sandbox of its own; one whose sandbox held more than
        `limit_bytes` (the function's ephemeral storage) fails with ENOSPC when it returns."""
        folder = self._acquire(function)
        try:
            with in_sandbox(folder), PeakWatch(folder) as watch:
                yield folder
            self._record(function, watch.peak)
            if limit_bytes is not None and watch.peak > limit_bytes:
                raise scratch_full(function, watch.peak, limit_bytes)
        finally:
            self.check(function, folder)
            self._release(function, folder)

    def _record(self, function: str, peak: int) -> None:
        with self._lock:
            self.peaks[function] = max(peak, self.peaks.get(function, 0))

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
def invocation(function: str, limit_bytes: int | None = None) -> Iterator[None]:
    sandboxes = current[0]
    if sandboxes is None:
        yield
        return
    with sandboxes.invocation(function, limit_bytes):
        yield
