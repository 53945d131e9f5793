"""The sound of an edit, rendered once for the whole kept timeline.

The source's audio is decoded to 48 kHz PCM with its own channels (mono stays mono: encoding a mono
talk as stereo cost 2.4 times the encoder's work; more than two are mixed down to stereo) and streamed
through Python, which passes on the samples inside the kept intervals (each boundary rounded to the
nearest sample on its own, so rounding never accumulates) and nothing else, into one encoder. The work
is one decode and one encode of the audio whatever the number of cuts; the result is exactly as long as
the kept picture (a source whose sound ends early is padded with silence), so it muxes onto the stitched
picture in sync.
"""

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from functions.domain.enums import ExportFormat
from functions.domain.media_values import Interval
from functions.media.binaries import ffmpeg
from functions.media.ffmpeg_run import FfmpegError, guarded, kill_group

RATE = 48_000
MAX_CHANNELS = 2  # more are mixed down to stereo
BYTES_PER_CHANNEL = 2  # s16le
CHUNK_SAMPLES = RATE  # one second per read


def output_channels(source_channels: int | None) -> int:
    """The sound's channels: the source's, at most stereo (stereo when the probe did not say)."""
    return max(1, min(MAX_CHANNELS, source_channels or MAX_CHANNELS))


def audio_codec_args(export_format: ExportFormat) -> list[str]:
    if export_format is ExportFormat.WEBM:
        return ["-c:a", "libopus", "-b:a", "96k"]
    return ["-c:a", "aac", "-b:a", "128k"]


def sample_ranges(keep: Sequence[Interval]) -> list[tuple[int, int]]:
    return [(round(a * RATE), round(b * RATE)) for a, b in keep]


def copy_kept(
    reader: IO[bytes], writer: IO[bytes], ranges: Sequence[tuple[int, int]], channels: int = MAX_CHANNELS
) -> int:
    """Copy the samples of `ranges` (ascending) from raw PCM of `channels` in `reader` to `writer`; pad a
    range the source does not reach with silence. Returns the samples written (per channel)."""
    frame = BYTES_PER_CHANNEL * channels  # the bytes of one sample on every channel
    position, index, written = 0, 0, 0
    while index < len(ranges):
        chunk = reader.read(CHUNK_SAMPLES * frame)
        if not chunk:
            break
        end = position + len(chunk) // frame
        while index < len(ranges) and ranges[index][0] < end:
            start, stop = ranges[index]
            low, high = max(start, position), min(stop, end)
            if high > low:
                writer.write(chunk[(low - position) * frame : (high - position) * frame])
                written += high - low
            if stop > end:
                break
            index += 1
        position = end
    for start, stop in ranges[index:]:  # the source's sound ended early: silence keeps the length
        missing = stop - max(start, position)
        if missing > 0:
            writer.write(bytes(missing * frame))
            written += missing
    return written


def render_kept_audio(
    source: str,
    keep: Sequence[Interval],
    folder: Path,
    export_format: ExportFormat,
    source_options: Sequence[str] = (),
    channels: int = MAX_CHANNELS,
) -> Path:
    """Encode the kept sound of `source` (read with `source_options`) to a file in `folder` (m4a, or
    webm for Opus) with `channels` (output_channels of the source's)."""
    destination = folder / ("audio.webm" if export_format is ExportFormat.WEBM else "audio.m4a")
    decode = [ffmpeg(), "-v", "error", "-nostdin", *source_options, "-i", source, "-map", "0:a:0", "-vn"]
    decode += ["-af", "aresample=async=1:first_pts=0", "-ac", str(channels), "-ar", str(RATE)]
    decode += ["-f", "s16le", "pipe:1"]
    encode = [
        ffmpeg(),
        "-v",
        "error",
        "-nostdin",
        "-y",
        "-f",
        "s16le",
        "-ar",
        str(RATE),
        "-ac",
        str(channels),
    ]
    encode += ["-i", "pipe:0", *audio_codec_args(export_format), str(destination)]
    with tempfile.TemporaryFile() as decode_log, tempfile.TemporaryFile() as encode_log:
        reader = subprocess.Popen(decode, stdout=subprocess.PIPE, stderr=decode_log, start_new_session=True)
        writer = subprocess.Popen(encode, stdin=subprocess.PIPE, stderr=encode_log, start_new_session=True)
        assert reader.stdout is not None and writer.stdin is not None
        with guarded(reader, writer):
            try:
                copy_kept(reader.stdout, writer.stdin, sample_ranges(keep), channels)
                writer.stdin.close()
                # The kept ranges may end before the source does. Kill before closing the pipe: a decoder
                # that met the closed pipe first would exit with "Broken pipe", not a decode error.
                reader.kill()
                reader.stdout.close()
                reader.wait()
                writer.wait()
            except BaseException:
                for process in (reader, writer):
                    kill_group(process)
                raise
        if writer.returncode != 0:
            encode_log.seek(0)
            raise FfmpegError(f"audio encode failed: {encode_log.read().decode(errors='replace')[-500:]}")
        if reader.returncode not in (0, -9):
            decode_log.seek(0)
            raise FfmpegError(f"audio decode failed: {decode_log.read().decode(errors='replace')[-500:]}")
    return destination
