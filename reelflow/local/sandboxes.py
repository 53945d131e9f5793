"""A sandbox per function instance, as Lambda gives one: each concurrent invocation of a function gets
a scratch folder of its own, kept warm for the function's next invocation (never shared with another
function), and checked after every invocation for what it left behind."""

import itertools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from functions.services.workspace import in_sandbox

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
    def invocation(self, function: str) -> Iterator[Path]:
        folder = self._acquire(function)
        try:
            with in_sandbox(folder):
                yield folder
        finally:
            self.check(function, folder)
            self._release(function, folder)

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
def invocation(function: str) -> Iterator[None]:
    sandboxes = current[0]
    if sandboxes is None:
        yield
        return
    with sandboxes.invocation(function):
        yield
