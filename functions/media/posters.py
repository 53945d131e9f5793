"""A poster frame and a small thumbnail per output video, in one ffmpeg call (one seek, one decode).

The frame is taken at the first highlight (mapped from source time into the edited output) or, without
highlights, from the middle of the output.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from functions.media.captions import Interval, TimeMap
from functions.media.ffmpeg_run import run_ffmpeg

THUMBNAIL_WIDTH = 320
JPEG_QUALITY = "3"  # mjpeg -q:v: 2 (best) … 31
END_MARGIN_SECONDS = 0.1  # a seek this close to the end may find no frame


def poster_time(
    output_duration: float,
    highlight_starts: Sequence[float] = (),
    keep: Sequence[Interval] | None = None,
) -> float:
    """Where in the output to take the poster: the first highlight whose start survived the edit (source
    seconds, mapped through the kept intervals when the output was cut), else the middle."""
    timemap = TimeMap(keep) if keep else None
    for start in sorted(highlight_starts):
        at = timemap.to_edited(start) if timemap else start
        if at is not None and 0 <= at < output_duration:
            return round(min(at, max(0.0, output_duration - END_MARGIN_SECONDS)), 3)
    return round(output_duration / 2, 3)


def poster_args(
    video: str, at: float, poster: Path, thumbnail: Path, thumbnail_width: int = THUMBNAIL_WIDTH
) -> list[str]:
    """ffmpeg arguments that write the frame at `at` seconds as a full-size JPEG and a thumbnail
    `thumbnail_width` pixels wide (height keeps the aspect ratio, rounded to even)."""
    return [
        "-ss",
        f"{max(0.0, at):.3f}",
        "-i",
        video,
        "-filter_complex",
        f"[0:v:0]split=2[poster][small];[small]scale={thumbnail_width}:-2:flags=bicubic[thumb]",
        "-map",
        "[poster]",
        "-frames:v",
        "1",
        "-q:v",
        JPEG_QUALITY,
        "-update",
        "1",
        str(poster),
        "-map",
        "[thumb]",
        "-frames:v",
        "1",
        "-q:v",
        JPEG_QUALITY,
        "-update",
        "1",
        str(thumbnail),
    ]


@dataclass(frozen=True)
class PosterFiles:
    poster: Path
    thumbnail: Path
    at: float


def make_posters(video: Path, at: float, folder: Path, stem: str) -> PosterFiles:
    """`stem`.poster.jpg and `stem`.thumb.jpg in `folder`, from the rendered output `video`."""
    folder.mkdir(parents=True, exist_ok=True)
    poster, thumbnail = folder / f"{stem}.poster.jpg", folder / f"{stem}.thumb.jpg"
    run_ffmpeg(poster_args(str(video), at, poster, thumbnail))
    return PosterFiles(poster, thumbnail, at)
