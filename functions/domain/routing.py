"""Whether a video fits in a Lambda invocation or goes to a Fargate task."""

from typing import Literal

from functions.domain.enums import ExportFormat, ExportQuality

Route = Literal["lambda", "fargate"]

# Media seconds rendered per wall second on one Lambda vCPU-equivalent, measured with libx264 veryfast
# (VP9 realtime is similar at 720p). Conservative: a Lambda that runs out of time costs a retry.
RENDER_SPEED: dict[ExportQuality, float] = {
    ExportQuality.Q720P: 8.0,
    ExportQuality.Q1080P: 3.5,
    ExportQuality.Q4K: 0.8,
}
WEBM_SLOWDOWN = 1.3


def estimated_render_seconds(
    duration: float, height: int, quality: ExportQuality, fmt: ExportFormat
) -> float:
    """Rough wall time of the single render; smaller sources render at their own size."""
    effective = quality
    for candidate in (ExportQuality.Q720P, ExportQuality.Q1080P, ExportQuality.Q4K):
        if height <= candidate.height:
            effective = min(candidate, quality, key=lambda q: q.height)
            break
    seconds = duration / RENDER_SPEED[effective]
    return seconds * (WEBM_SLOWDOWN if fmt is ExportFormat.WEBM else 1.0)


def choose_route(
    *,
    duration: float,
    size: int,
    height: int,
    quality: ExportQuality,
    fmt: ExportFormat,
    lambda_max_seconds: float,
    lambda_max_bytes: int,
    clip_seconds: float = 0.0,
) -> Route:
    """`clip_seconds`: the most seconds of highlight clips the export renders too (counted as the
    output's frames, an upper bound: a clip's picture is a crop of it)."""
    if size > lambda_max_bytes:
        return "fargate"
    if estimated_render_seconds(duration + clip_seconds, height, quality, fmt) > lambda_max_seconds:
        return "fargate"
    return "lambda"
