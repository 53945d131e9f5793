"""ffprobe: what a file holds, or a clear reason why it is not a usable video."""

import json
import subprocess
from fractions import Fraction
from typing import Any

from functions.domain.errors import InvalidMediaError
from functions.domain.media_values import ProbeResult
from functions.media.binaries import ffprobe

PROBE_TIMEOUT_SECONDS = 120


def _rate(value: str | None) -> float:
    try:
        rate = Fraction(value or "0")
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(rate) if rate > 0 else 0.0


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def parse_probe(report: dict[str, Any]) -> ProbeResult:
    streams = report.get("streams", [])
    fmt = report.get("format", {})
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None:
        raise InvalidMediaError("The file has no video stream (is it an audio file or an image?)")
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if width <= 0 or height <= 0:
        raise InvalidMediaError("The video stream has no picture size; the file is probably damaged")
    duration = float(fmt.get("duration") or video.get("duration") or 0.0)
    if duration <= 0:
        raise InvalidMediaError("The video has no duration; the upload may be incomplete or damaged")
    frame_rate = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate"))
    size = fmt.get("size")
    return ProbeResult(
        duration=round(duration, 3),
        width=width,
        height=height,
        video_codec=str(video.get("codec_name", "unknown")),
        audio_codec=str(audio["codec_name"]) if audio and audio.get("codec_name") else None,
        container=str(fmt.get("format_name", "unknown")),
        frame_rate=round(frame_rate, 3),
        size=int(size) if size is not None else None,
    )


def probe(source: str) -> ProbeResult:
    """Probe a local path or an http(s) URL (a presigned URL is read with range requests, no download)."""
    command = [
        ffprobe(),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        source,
    ]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise InvalidMediaError(f"Probing the file took longer than {PROBE_TIMEOUT_SECONDS} s") from error
    if completed.returncode != 0:
        reason = _first_line(completed.stderr).split(": ", 1)[-1]
        raise InvalidMediaError(f"The file is not a decodable video ({reason})")
    return parse_probe(json.loads(completed.stdout or "{}"))
