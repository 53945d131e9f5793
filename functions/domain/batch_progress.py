"""Progress figures derived from counters: percentages and the time a batch still needs."""

import math

from functions.domain.models import BatchJob


def batch_progress_percentage(batch: BatchJob) -> int:
    """Share of the batch's videos that reached a terminal status (completed, failed or cancelled)."""
    if batch.total_videos == 0:
        return 0
    return min(100, math.floor(100 * batch.finished_videos / batch.total_videos))


def estimate_time_remaining(
    *,
    total_duration: float,
    processed_duration: float,
    processing_seconds: float,
    videos_left: int,
    concurrency: int,
) -> int | None:
    """Seconds left, from the average wall time per media second of the videos finished so far.

    None until one video has finished (no rate to extrapolate from); 0 when nothing is left.
    """
    if videos_left <= 0:
        return 0
    if processed_duration <= 0 or processing_seconds <= 0:
        return None
    seconds_per_media_second = processing_seconds / processed_duration
    remaining_media = max(0.0, total_duration - processed_duration)
    parallel = max(1, min(concurrency, videos_left))
    return math.ceil(remaining_media * seconds_per_media_second / parallel)
