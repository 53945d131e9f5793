"""Playlist export: an extended M3U of the outputs, and optionally an HLS rendition of them.

The extended M3U (`#EXTM3U` + `#EXTINF:<seconds>,<title>` + URL) is a player playlist: VLC, mpv and
most players walk it. What the export stores is a *template*: its entries are object references
(`s3://bucket/key`) and the HLS playlist's segments are names relative to it; links are written into a
copy when someone downloads it (`rewrite_uris`, `note_expiry`), so every entry lives as long as the
download link. It is not HLS: an HLS player needs segments. The HLS rendition encodes every output into
H.264/AAC MPEG-TS segments on one canvas with a keyframe every 2 s (`-g 2*fps -sc_threshold 0`, so
segments cut on time) and joins the outputs' segment lists with `#EXT-X-DISCONTINUITY` between them
(timestamps restart at each output) and `#EXT-X-ENDLIST` at the end.
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from functions.media.ffmpeg_run import run_ffmpeg
from functions.media.merge import SAMPLE_RATE, MergeClip, MergeTarget, normalise_filters

HLS_SEGMENT_SECONDS = 4
AAC_FRAME = 1024
TS_START = 1.0  # every output is shifted, the first too, so each is muxed the same way
PLAYLIST_NAME = "playlist.m3u8"
HlsProgress = Callable[[float, str], None]
_LINE_BREAKS = re.compile(r"[\r\n]+")


@dataclass(frozen=True)
class PlaylistEntry:
    url: str
    title: str
    duration: float


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()


def extended_m3u(entries: Sequence[PlaylistEntry], title: str = "") -> str:
    """`#EXTM3U` with one `#EXTINF:<duration>,<title>` + URL per entry, in the order given."""
    lines = ["#EXTM3U"] + ([f"#PLAYLIST:{_one_line(title)}"] if title else [])
    for entry in entries:
        lines += [f"#EXTINF:{entry.duration:.3f},{_one_line(entry.title)}", _one_line(entry.url)]
    return "\n".join(lines) + "\n"


def object_uri(bucket: str, key: str) -> str:
    """A template entry: the object, not a link to it (links are signed at download time)."""
    return f"s3://{bucket}/{quote(key)}"


def entry_target(uri: str, base: str, bucket: str) -> tuple[str, str] | None:
    """The (bucket, key) a template line names: an `s3://` reference, or a name relative to the
    template's folder `base` in `bucket` (HLS segments); None for a URL that is already a link."""
    line = uri.strip()
    parts = urlsplit(line)
    if parts.scheme == "s3":
        return parts.netloc, unquote(parts.path.lstrip("/"))
    if parts.scheme:
        return None
    return bucket, f"{base}/{line}"


def note_expiry(playlist: str, expires_at: datetime) -> str:
    """A comment after `#EXTM3U` saying how long the playlist's links live (players skip `#` lines
    that are not tags)."""
    head, _, rest = playlist.partition("\n")
    return f"{head}\n# reelflow: links valid until {expires_at.isoformat().replace('+00:00', 'Z')}\n{rest}"


@dataclass(frozen=True)
class Segment:
    duration: float
    uri: str


def parse_media_playlist(text: str) -> list[Segment]:
    """The segments of an HLS media playlist (EXTINF + URI pairs)."""
    segments, pending = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            pending = float(line[len("#EXTINF:") :].split(",", 1)[0])
        elif line and not line.startswith("#") and pending is not None:
            segments.append(Segment(pending, line))
            pending = None
    return segments


def join_media_playlists(parts: Sequence[Sequence[Segment]]) -> str:
    """One VOD media playlist of several outputs' segments, a discontinuity between outputs."""
    longest = max((s.duration for part in parts for s in part), default=HLS_SEGMENT_SECONDS)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{math.ceil(longest)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    for index, part in enumerate(parts):
        if index > 0:
            lines.append("#EXT-X-DISCONTINUITY")
        for segment in part:
            lines += [f"#EXTINF:{segment.duration:.6f},", segment.uri]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def rewrite_uris(playlist: str, sign: Callable[[str], str]) -> str:
    """Replace every segment URI (e.g. by a presigned URL of the uploaded segment)."""
    return "\n".join(
        sign(line) if line.strip() and not line.startswith("#") else line for line in playlist.splitlines()
    ) + ("\n" if playlist.endswith("\n") else "")


def audio_end(duration: float) -> float:
    """How long an AAC track of `duration` seconds really lasts: the encoder's priming frame plus the
    samples, rounded up to whole 1024-sample frames."""
    frames = math.ceil((round(duration * SAMPLE_RATE) + AAC_FRAME) / AAC_FRAME)
    return frames * AAC_FRAME / SAMPLE_RATE


def hls_args(
    clip: MergeClip, target: MergeTarget, index: int, folder: Path, segment_seconds: int, offset: float = 0.0
) -> list[str]:
    video, audio = normalise_filters(0, clip, target)
    gop = str(2 * target.fps)
    return [
        "-i",
        clip.source,
        "-filter_complex",
        f"{video};{audio}",
        "-map",
        "[v0]",
        "-map",
        "[a0]",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-profile:v",
        "high",
        "-g",
        gop,
        "-keyint_min",
        gop,
        "-sc_threshold",
        "0",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ar",
        str(SAMPLE_RATE),
        # Each output starts where the previous one's audio ended, so timestamps only move forward
        # across the discontinuities (players and ffmpeg's demuxer dislike going back).
        "-output_ts_offset",
        f"{offset:.6f}",
        "-f",
        "hls",
        "-hls_time",
        str(segment_seconds),
        "-hls_playlist_type",
        "vod",
        "-hls_segment_filename",
        str(folder / f"v{index:03d}_%05d.ts"),
        str(folder / f"v{index:03d}.m3u8"),
    ]


def build_hls(
    clips: Sequence[MergeClip],
    target: MergeTarget,
    folder: Path,
    *,
    segment_seconds: int = HLS_SEGMENT_SECONDS,
    on_progress: HlsProgress | None = None,
) -> Path:
    """Encode every clip into segments in `folder` and write `folder/playlist.m3u8` referencing them
    by relative name (upload the folder as is, or `rewrite_uris` with presigned URLs)."""
    if not clips:
        raise ValueError("nothing to put in the playlist: no clips")
    folder.mkdir(parents=True, exist_ok=True)
    total = sum(c.probe.duration for c in clips) or 1.0
    parts: list[list[Segment]] = []
    done, offset = 0.0, TS_START
    for index, clip in enumerate(clips):
        operation = f"segmenting video {index + 1}/{len(clips)}"

        def progress(f: float, done: float = done, clip: MergeClip = clip, op: str = operation) -> None:
            if on_progress is not None:
                on_progress((done + f * clip.probe.duration) / total, op)

        run_ffmpeg(
            hls_args(clip, target, index, folder, segment_seconds, offset),
            expected_seconds=clip.probe.duration,
            on_progress=progress,
        )
        own = folder / f"v{index:03d}.m3u8"
        parts.append(parse_media_playlist(own.read_text()))
        own.unlink()  # only the joined playlist is published
        done += clip.probe.duration
        offset += audio_end(clip.probe.duration)
    playlist = folder / PLAYLIST_NAME
    playlist.write_text(join_media_playlists(parts))
    return playlist
