"""ffprobe: what a file holds, or a clear reason why it is not a usable video."""

import json
import subprocess
from fractions import Fraction
from typing import Any

from functions.domain.errors import InvalidMediaError
from functions.domain.media_values import ProbeResult
from functions.media.binaries import ffprobe

PROBE_TIMEOUT_SECONDS = 120
# A video holds at least one frame this often on average; a file that declares hours but holds a few
# frames (two frames 36,000 s apart in 12 KB) would make every render encode millions of copies.
MAX_SECONDS_PER_FRAME = 30.0
# Below this many bytes per declared second, a file whose container does not state its frame count
# has its packets counted (a demux of the whole file, cheap for a file this small per second).
COUNT_PACKETS_BELOW_BYTES_PER_SECOND = 16_000


def _rate(value: str | None) -> float:
    try:
        rate = Fraction(value or "0")
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(rate) if rate > 0 else 0.0


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _checked_duration(declared: float, frames: int | None, streams: list[float]) -> float:
    """The duration the file really holds: clamped to its longest stream, refused when its frames are
    too few for it."""
    if streams and declared > max(streams) * 1.05 + 1.0:  # the container says more than any stream holds
        declared = max(streams)
    if frames is not None and declared / max(frames, 1) > MAX_SECONDS_PER_FRAME:
        raise InvalidMediaError(
            f"The file declares {declared:,.0f} s of video but holds only {frames} frame"
            f"{'s' if frames != 1 else ''} (one every {declared / max(frames, 1):,.0f} s); a video needs "
            f"at least one frame every {MAX_SECONDS_PER_FRAME:.0f} s"
        )
    return declared


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
    counted = _number(video.get("nb_frames")) or _number(video.get("nb_read_packets"))
    frame_count = int(counted) if counted else None
    video_duration = _number(video.get("duration"))
    audio_duration = _number(audio.get("duration")) if audio else None
    streams = [d for d in (video_duration, audio_duration) if d]
    duration = _checked_duration(duration, frame_count, streams)
    frame_rate = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate"))
    size = fmt.get("size")
    return ProbeResult(
        frame_count=frame_count,
        video_duration=round(video_duration, 3) if video_duration else None,
        audio_duration=round(audio_duration, 3) if audio_duration else None,
        duration=round(duration, 3),
        width=width,
        height=height,
        video_codec=str(video.get("codec_name", "unknown")),
        audio_codec=str(audio["codec_name"]) if audio and audio.get("codec_name") else None,
        audio_channels=int(audio["channels"]) if audio and _number(audio.get("channels")) else None,
        container=str(fmt.get("format_name", "unknown")),
        frame_rate=round(frame_rate, 3),
        size=int(size) if size is not None else None,
    )


def probe(source: str) -> ProbeResult:
    """Probe a local path or an http(s) URL (a presigned URL is read with range requests, no download).

    The frame count comes from the container when it states one (MP4, MOV); otherwise, for a file
    suspiciously small for its declared length, the video packets are counted."""
    report = _ffprobe(source)
    video: dict[str, Any] = next((s for s in report.get("streams", []) if s.get("codec_type") == "video"), {})
    fmt = report.get("format", {})
    declared, size = _number(fmt.get("duration")), _number(fmt.get("size"))
    if (
        not video.get("nb_frames")
        and declared
        and size
        and size / declared < COUNT_PACKETS_BELOW_BYTES_PER_SECOND
    ):
        report = _ffprobe(source, "-count_packets")
    return parse_probe(report)


def _ffprobe(source: str, *options: str) -> dict[str, Any]:
    command = [
        ffprobe(),
        "-v",
        "error",
        *options,
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
    report: dict[str, Any] = json.loads(completed.stdout or "{}")
    return report
