"""Run ffmpeg with machine-readable progress (`-progress pipe:1`) and useful errors."""

import subprocess
import tempfile
from collections.abc import Callable, Sequence

from functions.domain.errors import MediaError
from functions.media.binaries import ffmpeg

ProgressCallback = Callable[[float], None]


class FfmpegError(MediaError):
    error_type = "FfmpegError"


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


def run_ffmpeg(
    args: Sequence[str],
    *,
    expected_seconds: float = 0.0,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = None,
) -> str:
    """Run `ffmpeg args…`; return its stderr (filters such as silencedetect report there)."""
    command = [ffmpeg(), "-hide_banner", "-nostdin", "-y", "-nostats", "-progress", "pipe:1", *args]
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1)
        assert process.stdout is not None
        try:
            for line in process.stdout:
                fraction = parse_progress_line(line, expected_seconds)
                if fraction is not None and on_progress is not None:
                    on_progress(fraction)
            process.wait(timeout=timeout)
        except BaseException:
            process.kill()
            process.wait()
            raise
        stderr.seek(0)
        log = stderr.read()
    if process.returncode != 0:
        raise FfmpegError(f"ffmpeg failed (exit {process.returncode}): {_tail(log)}")
    return log
