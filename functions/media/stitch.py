"""Join rendered picture parts and the kept sound into the output, without re-encoding.

The concat demuxer reads the parts as one stream (every part starts on a keyframe and was encoded with
the same settings, so the joined stream decodes as if it were one encode); the sound, rendered once,
and a soft caption track are muxed beside it.
"""

from collections.abc import Sequence
from pathlib import Path

from functions.domain.enums import ExportFormat
from functions.media.ffmpeg_run import run_ffmpeg
from functions.media.subtitles import SubtitleTrack, soft_track_output


def concat_list(parts: Sequence[Path]) -> str:
    """The concat demuxer's script: one `file` line per part, quoted for its parser."""
    lines = []
    for part in parts:
        quoted = str(part.resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    return "\n".join(lines) + "\n"


def stitch_args(
    listing: Path,
    audio: Path | None,
    destination: Path,
    export_format: ExportFormat,
    subtitles: SubtitleTrack | None = None,
) -> list[str]:
    inputs = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    maps = ["-map", "0:v:0"]
    if audio is not None:
        inputs += ["-i", str(audio)]
        maps += ["-map", "1:a:0"]
    if subtitles is not None:
        inputs += ["-i", str(subtitles.path)]
        maps += soft_track_output(subtitles, export_format, input_index=1 + (audio is not None))
    if export_format is ExportFormat.WEBM:
        container = ["-f", "webm"]
    else:
        container = ["-movflags", "+faststart", "-f", "mp4" if export_format is ExportFormat.MP4 else "mov"]
    return [
        *inputs,
        *maps,
        "-c:v",
        "copy",
        *(["-c:a", "copy"] if audio else ["-an"]),
        *container,
        str(destination),
    ]


def stitch(
    parts: Sequence[Path],
    audio: Path | None,
    destination: Path,
    export_format: ExportFormat,
    subtitles: SubtitleTrack | None = None,
) -> Path:
    listing = destination.parent / f".{destination.name}.parts.txt"
    listing.write_text(concat_list(parts), encoding="utf-8")
    try:
        run_ffmpeg(stitch_args(listing, audio, destination, export_format, subtitles))
    finally:
        listing.unlink(missing_ok=True)
    return destination
