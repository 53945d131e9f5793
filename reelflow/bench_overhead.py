"""What a `reelflow run` costs beyond its media, measured the way a user runs it: a fresh process on a
2.5 s clip, ffmpeg and ffprobe wrapped to log when each starts and ends. Two ways to run:

- **in process** (`reelflow run DIR`): the command starts an embedded AWS of its own, runs the batch and
  stops it; the time before the first ffmpeg holds the imports and the start;
- **on a running serve** (`reelflow run DIR --on-serve`): the command submits the batch to a
  `reelflow serve` already running (started here for the measurement, with the same wrappers) and
  follows it over the WebSocket; the serve's first batch is printed apart (its functions' first
  invocations import their code, as a Lambda's cold start does)."""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.console import Console

from reelflow.local.children import stat_fields

# Each line: start|end, the time, and the CPU clock ticks the `reelflow` process (the wrapper's parent)
# has used so far (0 where there is no /proc).
WRAPPER = """#!/bin/sh
ticks() {{ awk '{{print $14 + $15}}' /proc/$PPID/stat 2>/dev/null || echo 0; }}
echo "start $(date +%s.%N) $(ticks)" >> "{log}"
"{binary}" "$@"
status=$?
echo "end $(date +%s.%N) $(ticks)" >> "{log}"
exit $status
"""


@dataclass
class Overhead:
    wall: float
    before_first: float  # from the command to the first ffmpeg/ffprobe
    after_last: float  # from the end of the last one to the end of the command
    media: float  # wall seconds with at least one ffmpeg running
    # CPU seconds of the reelflow process itself (not its ffmpeg) in the same spans, from /proc: on a
    # loaded machine the wall figures are the neighbours' as much as ours (None without /proc, and on a
    # serve, whose ffmpeg are not the command's children)
    cpu_before_first: float | None = None
    cpu_after_last: float | None = None


def own_cpu(pid: int) -> float | None:
    """CPU seconds process `pid` has used itself so far (not its children), from /proc."""
    fields = stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_watching_cpu(command: list[str], env: dict[str, str]) -> float | None:
    """Runs `command` to its end (an error if it fails) and returns the CPU seconds it used itself, read
    every 5 ms while it runs: the last reading before it exits."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    used = None
    while process.poll() is None:
        used = own_cpu(process.pid) or used
        time.sleep(0.005)
    _, error = process.communicate()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=error)
    return used


def reelflow_command() -> str:
    return str(Path(sys.executable).with_name("reelflow"))


def wrapped(work: Path) -> tuple[dict[str, str], Path]:
    """The environment that runs ffmpeg and ffprobe through the logging wrappers, and their log."""
    from functions.media.binaries import ffmpeg, ffprobe

    work.mkdir(parents=True, exist_ok=True)
    log = work / "calls.log"
    env = dict(os.environ)
    for name, binary in (("ffmpeg", ffmpeg()), ("ffprobe", ffprobe())):
        wrapper = work / name
        wrapper.write_text(WRAPPER.format(log=log, binary=binary))
        wrapper.chmod(0o755)
        env[f"REELFLOW_{name.upper()}"] = str(wrapper)
    return env, log


def clip_folder(work: Path, clip_seconds: float) -> Path:
    from reelflow.local.samples import Segment as Piece
    from reelflow.local.samples import make_sample

    clip = work / "in" / "clip.mp4"
    if not clip.exists():
        clip.parent.mkdir(parents=True, exist_ok=True)
        make_sample(clip, [Piece("tone", clip_seconds), Piece("silence", 0.5)], fps=30)
    return clip.parent


@contextmanager
def running_serve(work: Path, timeout: float = 300.0) -> Iterator[Path]:
    """A `reelflow serve` (any free ports, its own home and data folder) with the wrappers: yields its
    home (REELFLOW_HOME for the commands that talk to it); stopped as Ctrl+C stops it."""
    env, _ = wrapped(work)
    with tempfile.TemporaryDirectory(prefix="reelflow-bench-serve-") as home:
        env["REELFLOW_HOME"] = home
        command = [reelflow_command(), "serve", "--port", "0", "--data-dir", str(Path(home) / "data")]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + timeout
            while not (Path(home) / "serve.json").exists():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"reelflow serve did not start (exit {server.poll()})")
                time.sleep(0.05)
            yield Path(home)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def overhead(
    folder: Path, clip_seconds: float = 2.0, cache: Path | None = None, serve_home: Path | None = None
) -> Overhead:
    """`reelflow run` of a short clip in a fresh process: the time before the first ffmpeg, after the
    last, and spent in them. `cache`: the process's cache folder (REELFLOW_CACHE; the user's own by
    default). `serve_home`: run on that running serve (`running_serve`) with `--on-serve`."""
    work = folder / "overhead"
    clip_dir = clip_folder(work, clip_seconds)
    env, log = wrapped(work)
    log.unlink(missing_ok=True)
    if cache is not None:
        env["REELFLOW_CACHE"] = str(cache)
    with tempfile.TemporaryDirectory(prefix="reelflow-bench-home-") as home:
        env["REELFLOW_HOME"] = str(serve_home or home)
        command = [reelflow_command(), "run", str(clip_dir), "--out", str(work / "out")]
        started = time.time()
        used = run_watching_cpu(command + (["--on-serve"] if serve_home else []), env)
        ended = time.time()
    lines = [line.split() for line in log.read_text().splitlines()]
    marks = [(kind, float(stamp)) for kind, stamp, _ in lines]
    ticks = os.sysconf("SC_CLK_TCK")
    cpu_first = min(
        (float(stamp), int(used_ticks) / ticks) for kind, stamp, used_ticks in lines if kind == "start"
    )
    cpu_last = max(
        (float(stamp), int(used_ticks) / ticks) for kind, stamp, used_ticks in lines if kind == "end"
    )
    busy, running, since = 0.0, 0, 0.0
    for kind, stamp in sorted(marks, key=lambda m: m[1]):
        if kind == "start":
            since = stamp if running == 0 else since
            running += 1
        else:
            running -= 1
            busy += stamp - since if running == 0 else 0.0
    first = min(stamp for kind, stamp in marks if kind == "start")
    last = max(stamp for kind, stamp in marks if kind == "end")
    measured = serve_home is None and used is not None and cpu_first[1] > 0
    return Overhead(
        ended - started,
        first - started,
        ended - last,
        busy,
        cpu_first[1] if measured else None,
        used - cpu_last[1] if measured and used is not None else None,
    )


def print_overhead(console: Console, cost: Overhead, when: str) -> None:
    console.print(
        f"reelflow run, 2.5 s clip, fresh process, {when}: {cost.wall:.2f} s wall; first ffmpeg after "
        f"[bold]{cost.before_first:.2f} s[/] (target ≤ 1 s), exit [bold]{cost.after_last:.2f} s[/] after the "
        f"last (target ≤ 0.3 s); ffmpeg/ffprobe running {cost.media:.2f} s"
    )
    if cost.cpu_before_first is not None and cost.cpu_after_last is not None:
        console.print(
            f"  CPU of the reelflow process itself: {cost.cpu_before_first:.2f} s before the first ffmpeg, "
            f"{cost.cpu_after_last:.2f} s after the last (the wall figures include the neighbours' load)"
        )


def spread(values: list[float]) -> str:
    """Median and range: one run on this machine moves by more than the targets' margins."""
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def print_overheads(console: Console, costs: list[Overhead], when: str) -> None:
    console.print(
        f"reelflow run, 2.5 s clip, fresh process, {when}, {len(costs)} runs, median (range): first ffmpeg "
        f"after [bold]{spread([c.before_first for c in costs])}[/] (target ≤ 1 s), exit "
        f"[bold]{spread([c.after_last for c in costs])}[/] after the last (target ≤ 0.3 s)"
    )
    cpu = [c.cpu_after_last for c in costs if c.cpu_after_last is not None]
    if len(cpu) == len(costs):
        console.print(f"  CPU of the reelflow process itself after the last ffmpeg: {spread(cpu)}")


def _first_then_more(
    console: Console, run: Callable[[], Overhead], command: str, first: str, later: str, repeats: int
) -> None:
    """One run of `command` (`first`: what is cold about it), then `repeats` more (`later`), printed."""
    with console.status(f"{command} of a 2.5 s clip in a fresh process…"):
        cost = run()
    print_overhead(console, cost, first)
    with console.status(f"{command} of a 2.5 s clip in a fresh process, {repeats} times…"):
        costs = [run() for _ in range(repeats)]
    print_overheads(console, costs, later)


def measure_overheads(console: Console, folder: Path, serve_home: Path, repeats: int = 5) -> None:
    """Both ways: in process with an empty cache folder (the first run after installing), then
    `repeats` more; on the running serve `serve_home` (`running_serve(folder / "overhead")`, nothing run
    on it yet), its first batch, then `repeats` more."""
    with tempfile.TemporaryDirectory(prefix="reelflow-bench-cache-") as cache:
        in_process = partial(overhead, folder, cache=Path(cache))
        empty_cache = "the first after installing (an empty cache folder)"
        _first_then_more(console, in_process, "reelflow run", empty_cache, "any later one", repeats)
    on_serve = partial(overhead, folder, serve_home=serve_home)
    first_batch, later = "--on-serve, the serve's first batch", "--on-serve, any later one"
    _first_then_more(console, on_serve, "reelflow run --on-serve", first_batch, later, repeats)
