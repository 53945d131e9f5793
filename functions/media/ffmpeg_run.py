"""Run ffmpeg with machine-readable progress (`-progress pipe:1`) and useful errors.

Every ffmpeg runs in its own process group, watched: when the deadline of the work it belongs to
passes (the Lambda's remaining time), or the work's stop check reports a reason (its export or video
was marked failed, cancelled or timed out), the whole group is killed and `FfmpegStopped` is raised.
The watch is set around a piece of work with `watched(...)` and reaches every ffmpeg started inside it,
on any thread that runs with a copy of the caller's context (`in_context`)."""

import contextvars
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from functions.domain.errors import MediaError
from functions.media.binaries import ffmpeg

ProgressCallback = Callable[[float], None]
StopCheck = Callable[[], str | None]  # why the work should stop now, or None
# Told the pid of every ffmpeg this module starts, on the thread that starts it. Nothing listens on AWS;
# local mode holds them to their function's memory (reelflow/local/sandboxes.py).
process_started: list[Callable[[int], None]] = []
P = ParamSpec("P")
R = TypeVar("R")


class FfmpegError(MediaError):
    error_type = "FfmpegError"


class FfmpegStopped(FfmpegError):
    """ffmpeg was killed because its work ended (deadline passed, or failed/cancelled elsewhere)."""

    error_type = "FfmpegStopped"


class Watch:
    """The deadline (monotonic seconds) and stop check of one piece of work. The check is asked at most
    once per `interval` however many ffmpeg processes run in parallel, and once it has given a reason
    that reason stands."""

    def __init__(self, deadline: float | None, should_stop: StopCheck | None, interval: float) -> None:
        self.deadline, self.interval = deadline, interval
        self._should_stop = should_stop
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._reason: str | None = None

    def reason(self) -> str | None:
        now = time.monotonic()
        with self._lock:
            if self._reason is None and self.deadline is not None and now >= self.deadline:
                self._reason = "its time ran out"
            if (
                self._reason is None
                and self._should_stop is not None
                and now - self._checked >= self.interval
            ):
                self._checked = now
                self._reason = self._should_stop()
            return self._reason


_watch: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("ffmpeg_watch", default=None)


@contextmanager
def watched(
    *, deadline: float | None = None, should_stop: StopCheck | None = None, interval: float = 1.0
) -> Iterator[Watch]:
    """Stop every ffmpeg started inside the block at `deadline` (time.monotonic()) or when
    `should_stop` returns a reason (asked about every `interval` seconds)."""
    watch = Watch(deadline, should_stop, interval)
    token = _watch.set(watch)
    try:
        yield watch
    finally:
        _watch.reset(token)


def in_context(function: Callable[P, R]) -> Callable[P, R]:
    """`function` bound to a copy of the current context: for pools, so the watch reaches their ffmpeg."""
    context = contextvars.copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return context.copy().run(function, *args, **kwargs)

    return run


def kill_group(process: "subprocess.Popen[str] | subprocess.Popen[bytes]") -> None:
    """Kill the process and anything it started (its own session and group), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def _tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


def parse_progress_line(line: str, expected_seconds: float) -> float | None:
    """Fraction done (0..1) from one `key=value` line of ffmpeg's -progress output, or None."""
    key, _, value = line.strip().partition("=")
    if key == "progress" and value == "end":
        return 1.0
    if key in {"out_time_us", "out_time_ms"} and value.lstrip("-").isdigit() and expected_seconds > 0:
        # ffmpeg reports microseconds under both names.
        return max(0.0, min(1.0, int(value) / 1_000_000 / expected_seconds))
    return None


def _guard(
    processes: Sequence["subprocess.Popen[str] | subprocess.Popen[bytes]"],
    watch: Watch,
    done: threading.Event,
    stopped: list[str],
) -> None:
    tick = min(0.5, watch.interval)
    while not done.wait(tick):
        reason = watch.reason()
        if reason is not None:
            stopped.append(reason)
            for process in processes:
                kill_group(process)
            return


@contextmanager
def guarded(*processes: "subprocess.Popen[str] | subprocess.Popen[bytes]") -> Iterator[None]:
    """Kill `processes` (each started with start_new_session=True) when the current watch says stop;
    raise FfmpegStopped after the block if it did."""
    for listener in process_started:
        for process in processes:
            listener(process.pid)
    watch = _watch.get()
    if watch is None:
        yield
        return
    done = threading.Event()
    stopped: list[str] = []
    guard = threading.Thread(target=_guard, args=(processes, watch, done, stopped), daemon=True)
    guard.start()
    failure: BaseException | None = None
    try:
        yield
    except BaseException as error:  # a killed ffmpeg surfaces as a broken pipe or a bad exit
        failure = error
    finally:
        done.set()
        guard.join()
    if stopped:
        raise FfmpegStopped(f"ffmpeg stopped: {stopped[0]}") from failure
    if failure is not None:
        raise failure


def stop_reason() -> str | None:
    """Why the current work should stop (its watch), or None."""
    watch = _watch.get()
    return watch.reason() if watch is not None else None


def run_ffmpeg(
    args: Sequence[str],
    *,
    expected_seconds: float = 0.0,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = None,
) -> str:
    """Run `ffmpeg args…`; return its stderr (filters such as silencedetect report there)."""
    reason = stop_reason()
    if reason is not None:
        raise FfmpegStopped(f"ffmpeg not started: {reason}")
    command = [ffmpeg(), "-hide_banner", "-nostdin", "-y", "-nostats", "-progress", "pipe:1", *args]
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1, start_new_session=True
        )
        assert process.stdout is not None
        with guarded(process):
            try:
                for line in process.stdout:
                    fraction = parse_progress_line(line, expected_seconds)
                    if fraction is not None and on_progress is not None:
                        on_progress(fraction)
                process.wait(timeout=timeout)
            except BaseException:
                kill_group(process)
                raise
        stderr.seek(0)
        log = stderr.read()
    if process.returncode != 0:
        raise FfmpegError(f"ffmpeg failed (exit {process.returncode}): {_tail(log)}")
    return log
