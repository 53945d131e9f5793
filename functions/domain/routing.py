"""Where a video runs: one Lambda render, a Lambda render in parts, or a Fargate task.

The one home of the rule (the probing stage records it as `probe.route`; the state machine's "Lambda or
Fargate?" Choice sends `fargate` to the worker and the two Lambda routes on; the capacity simulation
calls it too):

- `lambda`: the whole render, highlight clips included, fits one invocation's time budget;
- `parts`: it does not, but every task of the split render does (statemachines/batch.asl.json, "Render
  parts"): each part's picture (`part_seconds` of output), the sound of the whole kept timeline, and the
  stitch (a copy of the pieces, then the highlight clips and the files beside the output);
- `fargate`: even a part does not fit (a 4K source slower than the budget per part, or clips longer than
  the budget), or the files of one task would not fit in `/tmp`: the source (downloaded by the analysis
  and by the stitch; the parts read it by URL, in ranges), or at the stitch the source, the pieces and
  the joined output.
"""

import math
from typing import Literal

from functions.domain.enums import ExportFormat, ExportQuality

Route = Literal["lambda", "parts", "fargate"]

# Media seconds rendered per wall second on one Lambda vCPU-equivalent, measured with libx264 veryfast
# (VP9 realtime is similar at 720p). Conservative: a Lambda that runs out of time costs a retry.
RENDER_SPEED: dict[ExportQuality, float] = {
    ExportQuality.Q720P: 8.0,
    ExportQuality.Q1080P: 3.5,
    ExportQuality.Q4K: 0.8,
}
WEBM_SLOWDOWN = 1.3
# The split render's tasks other than the pictures, in media seconds per wall second (docs/media.md:
# decoding audio runs at ~1,500x and AAC encoding well above 100x; joining without re-encoding at
# ~3,000x, and the stitch downloads the pieces and uploads the output at ~100 MB/s).
SOUND_SPEED = 100.0
STITCH_SPEED = 200.0
# Output bytes per media second, a generous bound of crf 23 veryfast on talks (busy pictures are bigger):
# what the stitch keeps in /tmp twice (the pieces and the joined file), beside the source.
OUTPUT_BYTES_PER_SECOND: dict[ExportQuality, int] = {
    ExportQuality.Q720P: 312_500,  # 2.5 Mbit/s
    ExportQuality.Q1080P: 625_000,  # 5 Mbit/s
    ExportQuality.Q4K: 2_500_000,  # 20 Mbit/s
}


def effective_quality(height: int, quality: ExportQuality) -> ExportQuality:
    """Smaller sources render at their own size, never upscaled."""
    for candidate in (ExportQuality.Q720P, ExportQuality.Q1080P, ExportQuality.Q4K):
        if height <= candidate.height:
            return min(candidate, quality, key=lambda q: q.height)
    return quality


def estimated_render_seconds(
    duration: float, height: int, quality: ExportQuality, fmt: ExportFormat
) -> float:
    """Rough wall time of rendering `duration` seconds of output."""
    seconds = duration / RENDER_SPEED[effective_quality(height, quality)]
    return seconds * (WEBM_SLOWDOWN if fmt is ExportFormat.WEBM else 1.0)


def part_count(duration: float, part_seconds: float) -> int:
    """Pieces of a split render of `duration` seconds of output: its pictures, plus the sound."""
    return max(1, math.ceil(duration / part_seconds)) + 1


def choose_route(
    *,
    duration: float,
    size: int,
    height: int,
    quality: ExportQuality,
    fmt: ExportFormat,
    lambda_max_seconds: float,
    lambda_max_bytes: int,
    part_seconds: float,
    clip_seconds: float = 0.0,
) -> Route:
    """`clip_seconds`: the most seconds of highlight clips the export renders too (counted as the
    output's frames, an upper bound: a clip's picture is a crop of it). `duration` is the source's: the
    edit is never longer. `part_seconds`: the output seconds of one part (`render_part_seconds`)."""
    if size > lambda_max_bytes:
        return "fargate"
    if estimated_render_seconds(duration + clip_seconds, height, quality, fmt) <= lambda_max_seconds:
        return "lambda"
    output_bytes = duration * OUTPUT_BYTES_PER_SECOND[effective_quality(height, quality)]
    tasks = (
        estimated_render_seconds(min(part_seconds, duration), height, quality, fmt),
        duration / SOUND_SPEED,
        duration / STITCH_SPEED + estimated_render_seconds(clip_seconds, height, quality, fmt),
    )
    if max(tasks) > lambda_max_seconds or size + 2 * output_bytes > lambda_max_bytes:
        return "fargate"
    return "parts"
