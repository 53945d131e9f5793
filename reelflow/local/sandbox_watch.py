"""What an invocation's sandbox holds while it runs: the size of its files (scratch_limit.py) and the
memory of its ffmpeg processes (memory_limit.py), sampled on a thread of its own."""

import threading
from collections.abc import Callable, Collection
from pathlib import Path

from reelflow.local.memory_limit import kill, rss_bytes
from reelflow.local.scratch_limit import used_bytes

SAMPLE_SECONDS = 0.1


class PeakWatch:
    """The largest size `folder` reached while the block ran (sampled every `interval` seconds, on entry
    and on exit), and the largest memory of the processes `processes()` names; past `memory_limit` they
    are killed, as Lambda's OOM killer ends them."""

    def __init__(
        self,
        folder: Path,
        interval: float = SAMPLE_SECONDS,
        memory_limit: int | None = None,
        processes: Callable[[], Collection[int]] = tuple,
    ) -> None:
        self.folder = folder
        self.interval = interval
        self.memory_limit = memory_limit
        self.processes = processes
        self.peak = 0
        self.peak_memory = 0
        self.killed_at: int | None = None  # the processes' memory when they were killed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reelflow-sandbox-watch", daemon=True)

    def sample(self) -> None:
        self.peak = max(self.peak, used_bytes(self.folder))
        pids = self.processes()
        if not pids:
            return
        memory = sum(rss_bytes(pid) for pid in pids)
        self.peak_memory = max(self.peak_memory, memory)
        if self.memory_limit is not None and memory > self.memory_limit:
            kill(pids)
            self.killed_at = memory

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> "PeakWatch":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
