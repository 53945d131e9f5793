"""The report written when a batch finishes."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from functions.domain.enums import VideoStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.stage_results import ProcessingResult


def _results(video: BatchVideo) -> ProcessingResult:
    return ProcessingResult.model_validate(video.processing_result or {})


def _export_duration(video: BatchVideo) -> float:
    export = _results(video).exporting
    return export.duration if export else 0.0


def build_summary(batch: BatchJob, videos: list[BatchVideo], now: datetime) -> dict[str, Any]:
    counts = {status.value: 0 for status in VideoStatus}
    stage_seconds: dict[str, float] = defaultdict(float)
    for video in videos:
        counts[video.status.value] += 1
        for stage, seconds in _results(video).timings.items():
            stage_seconds[stage] += seconds
    completed = [v for v in videos if v.status is VideoStatus.COMPLETED]
    before = sum(v.duration or 0.0 for v in completed)
    after = sum(_export_duration(v) for v in completed)
    started = batch.started_at or batch.created_at
    return {
        "batch_id": batch.id,
        "name": batch.name,
        "total_videos": len(videos),
        "counts": counts,
        "duration_before_seconds": round(before, 3),
        "duration_after_seconds": round(after, 3),
        "removed_seconds": round(max(0.0, before - after), 3),
        "stage_seconds": {stage: round(seconds, 3) for stage, seconds in sorted(stage_seconds.items())},
        "wall_seconds": round((now - started).total_seconds(), 3),
        "failures": [
            {
                "position": v.position,
                "name": v.original_name,
                "retries": v.retry_count,
                "error": v.error_message,
            }
            for v in videos
            if v.status is VideoStatus.FAILED
        ],
        "generated_at": now.isoformat(),
    }
