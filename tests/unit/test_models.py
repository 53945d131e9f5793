from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from functions.domain.batch_progress import batch_progress_percentage, estimate_time_remaining
from functions.domain.enums import BatchStatus, Tier, UploadStatus, VideoStatus
from functions.domain.models import BatchJob, BatchVideo, Video
from functions.domain.quotas import TIER_LIMITS

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def batch(**overrides):
    fields = {"user_id": "u", "name": "talks", "created_at": NOW, "updated_at": NOW, **overrides}
    return BatchJob(**fields)


def test_batch_defaults_follow_the_seed():
    job = batch()
    assert job.status is BatchStatus.PENDING
    assert job.priority == 5
    assert (job.total_videos, job.completed_videos, job.failed_videos, job.cancelled_videos) == (0, 0, 0, 0)
    assert job.total_duration_seconds == 0.0 and job.processed_duration_seconds == 0.0
    assert job.estimated_time_remaining is None
    assert job.started_at is None and job.completed_at is None
    assert len(job.id) == 36


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("priority", -1),
        ("priority", 11),
        ("name", ""),
        ("name", "x" * 101),
        ("status", "running"),
        ("completed_videos", -1),
    ],
)
def test_batch_ranges(field, value):
    with pytest.raises(ValidationError):
        batch(**{field: value})


def test_batch_assignment_is_validated_too():
    job = batch()
    with pytest.raises(ValidationError):
        job.priority = 12


def test_batch_video_defaults_and_ranges():
    video = BatchVideo(batch_job_id="b", video_id="v", position=1, created_at=NOW, updated_at=NOW)
    assert video.status is VideoStatus.UPLOADING
    assert video.current_stage is None
    assert (video.progress_percentage, video.retry_count, video.max_retries) == (0, 0, 3)
    assert video.processing_result is None and video.output_video_url is None
    for field, value in (
        ("progress_percentage", 101),
        ("progress_percentage", -1),
        ("position", 0),
        ("current_stage", "rendering"),
    ):
        with pytest.raises(ValidationError):
            BatchVideo(
                **{
                    "batch_job_id": "b",
                    "video_id": "v",
                    "position": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                    field: value,
                }
            )


def test_video_defaults():
    video = Video(
        user_id="u", original_name="a.mp4", s3_key="uploads/u/x/a.mp4", created_at=NOW, updated_at=NOW
    )
    assert video.status is UploadStatus.AWAITING_UPLOAD
    assert video.duration is None


def test_progress_percentage_counts_every_terminal_video():
    job = batch(total_videos=4, completed_videos=1, failed_videos=1, cancelled_videos=1)
    assert batch_progress_percentage(job) == 75
    assert batch_progress_percentage(batch()) == 0


def test_eta_extrapolates_wall_time_per_media_second_across_parallel_slots():
    # 60 s of media took 30 s; 240 s of media remain over 2 parallel slots → 60 s.
    eta = estimate_time_remaining(
        total_duration=300, processed_duration=60, processing_seconds=30, videos_left=4, concurrency=2
    )
    assert eta == 60
    assert (
        estimate_time_remaining(
            total_duration=300, processed_duration=0, processing_seconds=0, videos_left=4, concurrency=2
        )
        is None
    )
    assert (
        estimate_time_remaining(
            total_duration=300, processed_duration=300, processing_seconds=100, videos_left=0, concurrency=2
        )
        == 0
    )


def test_tier_limits_match_the_plans():
    assert [TIER_LIMITS[t].max_videos_per_batch for t in Tier] == [3, 20, 50]
    assert TIER_LIMITS[Tier.FREE].batch_creations_per_hour == 5
    assert all(1 <= TIER_LIMITS[t].videos_in_flight <= 5 for t in Tier)
