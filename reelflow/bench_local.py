"""`reelflow bench local`: how local mode holds up, measured on the real stack (gateway, handler, moto,
the data folder `serve` writes through to).

- memory: the process's RSS after each tenth of N creations of 50-video batches (it should flatten);
- latency: p50/p95 of create, of GET /api/batch-jobs/{id} with 50 videos and of the list with N batches;
- `reelflow run` on a short clip: its wall time minus the time its ffmpeg/ffprobe processes ran
  (the union of their intervals), i.e. what the orchestration itself costs.
"""

import argparse
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from functions.domain.enums import Tier
from reelflow.client import ApiClient
from reelflow.local.tokens import issue_token

PAGE_BYTES = 4096


def rss_mb() -> float:
    """Resident memory of this process now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * PAGE_BYTES / 1e6


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed_calls(call: Callable[[], Any], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def batch_payload(index: int, videos: int) -> dict[str, Any]:
    return {
        "name": f"bench {index}",
        "files": [{"name": f"video-{n:02}.mp4", "size": 1_000_000 + n} for n in range(videos)],
        "settings": {"transcribe": False},
    }


def measure_api(console: Console, creations: int, videos: int, reads: int) -> dict[str, Any]:
    from reelflow.local.stack import LocalStack

    figures: dict[str, Any] = {"rss_mb": []}
    with tempfile.TemporaryDirectory(prefix="reelflow-bench-") as scratch:
        folder = Path(scratch)
        with LocalStack(folder / "work", data_dir=folder / "data") as stack:
            client = ApiClient(stack.gateway.base_url, issue_token("bench-user", Tier.PRO))
            figures["rss_mb"].append((0, rss_mb()))
            created: list[str] = []
            create_samples: list[float] = []
            create_cpu = 0.0  # the process's CPU time (client, gateway, handler and moto all run in it)
            step = max(1, creations // 10)
            with console.status(f"Creating {creations} batches of {videos} videos…"):
                for index in range(creations):
                    started, cpu = time.perf_counter(), time.process_time()
                    answer = client.create_batch(batch_payload(index, videos))
                    create_samples.append(time.perf_counter() - started)
                    create_cpu += (time.process_time() - cpu) * 1000
                    created.append(answer["batch_job"]["id"])
                    if (index + 1) % step == 0:
                        figures["rss_mb"].append((index + 1, rss_mb()))
            figures["create"] = percentiles(create_samples)
            figures["create_cpu"] = create_cpu / creations
            with console.status("Reading one batch and the list…"):
                for name, read in (
                    ("get", lambda: client.batch(created[-1])),
                    ("list", lambda: client.batches(limit=20)),
                ):
                    cpu = time.process_time()
                    figures[name] = percentiles(timed_calls(read, reads))
                    figures[f"{name}_cpu"] = (time.process_time() - cpu) * 1000 / reads
    return figures


class FfmpegClock:
    """Records when each ffmpeg/ffprobe child starts and ends (the Popen each media call makes)."""

    def __init__(self) -> None:
        self.intervals: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self._original = subprocess.Popen

    def __enter__(self) -> "FfmpegClock":
        clock = self
        original = self._original

        class Timed(original):  # type: ignore[misc,valid-type]
            def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
                self._reelflow_started = time.perf_counter()
                self._reelflow_media = (
                    "ff" in Path(str(args[0] if isinstance(args, list | tuple) else args)).name
                )
                super().__init__(args, *rest, **kwargs)

            def wait(self, timeout: float | None = None) -> int:
                code: int = super().wait(timeout)
                if self._reelflow_media and not getattr(self, "_reelflow_recorded", False):
                    self._reelflow_recorded = True
                    with clock._lock:
                        clock.intervals.append((self._reelflow_started, time.perf_counter()))
                return code

        subprocess.Popen = Timed  # type: ignore[misc]
        return self

    def __exit__(self, *_: object) -> None:
        subprocess.Popen = self._original  # type: ignore[misc]

    def busy_seconds(self) -> float:
        """Wall time during which at least one ffmpeg/ffprobe ran."""
        total, end = 0.0, float("-inf")
        for start, stop in sorted(self.intervals):
            if stop > end:
                total += stop - max(start, end)
                end = stop
        return total


def measure_run(console: Console, seconds: float) -> dict[str, float]:
    from functions.domain.settings import BatchSettings
    from reelflow.local.samples import Segment, make_sample
    from reelflow.runner import RunOptions, run_folder

    with tempfile.TemporaryDirectory(prefix="reelflow-bench-run-") as scratch:
        folder = Path(scratch)
        (folder / "in").mkdir()
        make_sample(folder / "in" / "clip.mp4", [Segment("tone", seconds)])
        settings = BatchSettings(transcribe=False).model_dump(mode="json")
        quiet = Console(file=open("/dev/null", "w"), width=80)  # noqa: SIM115 - closed below
        try:
            with FfmpegClock() as clock:
                started = time.perf_counter()
                run_folder(RunOptions(folder / "in", folder / "out", settings=settings), quiet)
                wall = time.perf_counter() - started
        finally:
            quiet.file.close()
    media = clock.busy_seconds()
    return {"wall": wall, "ffmpeg": media, "overhead": wall - media, "processes": len(clock.intervals)}


def run_local_benchmark(console: Console, args: argparse.Namespace) -> int:
    api = measure_api(console, args.creations, args.videos, args.reads)
    run = measure_run(console, args.clip_seconds)
    table = Table(title=f"reelflow bench local: {args.creations} creations of {args.videos}-video batches")
    for column in ("measure", "p50 ms", "p95 ms", "CPU ms/call"):
        table.add_column(column)
    for key, label in (
        ("create", f"create ({args.videos} videos)"),
        ("get", f"GET one batch ({args.videos} videos)"),
        ("list", f"list, limit 20 ({args.creations} batches)"),
    ):
        table.add_row(label, *(f"{v:.0f}" for v in api[key]), f"{api[f'{key}_cpu']:.0f}")
    console.print(table)
    marks = ", ".join(f"{n}: {mb:.0f}" for n, mb in api["rss_mb"])
    console.print(f"RSS MB after N creations: {marks}")
    console.print(
        f"reelflow run, {args.clip_seconds:g} s clip: wall {run['wall']:.2f} s, ffmpeg/ffprobe "
        f"{run['ffmpeg']:.2f} s ({run['processes']:.0f} processes), orchestration overhead "
        f"{run['overhead']:.2f} s"
    )
    return 0
