"""A batch's usage and cost, checked against a hand computation at the dated list prices."""

from datetime import UTC, datetime

import pytest

from functions.domain.batch_cost import Footprint, batch_usage
from functions.domain.enums import VideoStatus
from functions.domain.models import BatchVideo
from functions.domain.pricing import PRICES_AS_OF, cost_of

NOW = datetime(2026, 12, 1, tzinfo=UTC)
MB = 1024**2


def video(
    position: int, route: str, timings: dict[str, float], engine: str, duration: float, size: int, retries=0
):
    probe = {
        "duration": duration,
        "width": 1280,
        "height": 720,
        "video_codec": "h264",
        "container": "mp4",
        "frame_rate": 30.0,
        "route": route,
    }
    transcript = {"engine": engine, "language": "en", "segment_count": 1, "word_count": 2, "scene_cuts": []}
    transcript["text"] = "hello there"
    exported = {
        "key": f"out/{position}.mp4",
        "format": "mp4",
        "quality": "720p",
        "duration": duration * 0.8,
        "expected_duration": duration * 0.8,
        "width": 1280,
        "height": 720,
        "video_codec": "h264",
        "size": size,
        "cuts": 2,
    }
    return BatchVideo(
        batch_job_id="b",
        video_id=f"v{position}",
        position=position,
        status=VideoStatus.COMPLETED,
        duration=duration,
        retry_count=retries,
        processing_result={
            "probe": probe,
            "transcribing": transcript,
            "exporting": exported,
            "timings": timings,
        },
        created_at=NOW,
        updated_at=NOW,
    )


def test_one_batch_costs_what_a_hand_computation_says():
    videos = [
        # 2 min on Lambda, Amazon Transcribe, three stages for 60 s in all, 100 MB out
        video(
            1,
            "lambda",
            {"transcribing": 10, "removing_silence": 5, "exporting": 45},
            "amazon-transcribe",
            120,
            100 * MB,
        ),
        # 10 min on Fargate (retried once), transcribed by the in-house engine, 100 s, 200 MB out
        video(2, "fargate", {"transcribing": 40, "exporting": 60}, "whisper", 600, 200 * MB, retries=1),
    ]
    footprint = Footprint(media_memory_gb=4.0, kept_seconds=30 * 24 * 3600)

    usage = batch_usage(videos, footprint)
    cost = cost_of(usage)

    # By hand: Lambda media 4 GB × 60 s = 240 GB-s; control 5 calls × 0.2 s × 0.5 GB = 0.5 GB-s per
    # attempt, 3 attempts = 1.5 GB-s; requests 3 stage calls + 15 control calls = 18.
    assert usage.lambda_gb_seconds == {"media": 240.0, "transcriber": 0.0, "control": 1.5}
    assert usage.lambda_requests == 18
    # Fargate 2 vCPU × 100 s and 8 GB × 100 s; Transcribe only the first video's 120 s.
    assert (usage.fargate_vcpu_seconds, usage.fargate_gb_seconds) == (200.0, 800.0)
    assert usage.transcribe_seconds == 120.0
    # 14 transitions per attempt (3) + 6 for the batch.
    assert usage.state_transitions == 48
    assert usage.s3_bytes_sent == 300 * MB
    lambda_usd = 241.5 * 0.0000133334 + 18 * 0.20 / 1e6
    fargate_usd = 200 / 3600 * 0.03238 + 800 / 3600 * 0.00356
    transcribe_usd = 2 * 0.024
    sfn_usd = 48 * 0.025 / 1000
    s3_usd = (300 / 1024) * 0.023 + (300 / 1024) * 0.09  # 300 MB kept a month, sent once
    assert cost.lambda_ == pytest.approx(lambda_usd, abs=1e-6)
    assert cost.fargate == pytest.approx(fargate_usd, abs=1e-6)
    assert cost.transcribe == pytest.approx(transcribe_usd, abs=1e-6)
    assert cost.step_functions == pytest.approx(sfn_usd, abs=1e-6)
    assert cost.s3 == pytest.approx(s3_usd, abs=1e-6)
    assert cost.total == pytest.approx(lambda_usd + fargate_usd + transcribe_usd + sfn_usd + s3_usd, abs=1e-5)
    dumped = cost.model_dump(mode="json", by_alias=True)
    assert dumped["lambda"] == cost.lambda_ and dumped["prices_as_of"] == PRICES_AS_OF.isoformat()


def test_whisper_on_lambda_counts_the_transcriber_memory_not_transcribe_minutes():
    # 10 min on Lambda transcribed by faster-whisper (the Transcriber): 30 s of whisper, 70 s of other stages.
    videos = [
        video(1, "lambda", {"transcribing": 30, "exporting": 70}, "faster-whisper", 600, 100 * MB),
    ]
    footprint = Footprint(media_memory_gb=4.0, transcriber_memory_gb=3.5)

    usage = batch_usage(videos, footprint)

    assert usage.lambda_gb_seconds == {"media": 280.0, "transcriber": 105.0, "control": 0.5}
    assert usage.transcribe_seconds == 0.0
    assert cost_of(usage).transcribe == 0.0
    assert cost_of(usage).lambda_ == pytest.approx(385.5 * 0.0000133334 + 7 * 0.20 / 1e6, abs=1e-6)


def test_a_transcription_in_groups_counts_every_groups_seconds_on_the_transcriber():
    # a long video heard by the Transcribe parts Map: 2 s to join, 120 s of plan and groups
    timings = {"transcribing": 2, "transcribing_parts": 120, "exporting": 70}
    videos = [video(1, "lambda", timings, "faster-whisper", 3600, 100 * MB)]
    usage = batch_usage(videos, Footprint(media_memory_gb=4.0, transcriber_memory_gb=3.5))
    assert usage.lambda_gb_seconds["transcriber"] == pytest.approx(122 * 3.5)
    assert usage.lambda_gb_seconds["media"] == pytest.approx(70 * 4.0)


def test_an_empty_batch_costs_nothing():
    assert cost_of(batch_usage([])).total == 0.0


def test_the_summary_report_and_the_batch_response_carry_the_cost(fake):
    from functions.domain import object_keys
    from functions.domain.enums import Tier
    from functions.domain.schemas import BatchJobResponse
    from functions.services import batch_lifecycle as lifecycle
    from tests.unit.test_batch_controls import finish
    from tests.unit.test_lifecycle_use_cases import started_batch

    batch_id, refs = started_batch(fake, videos=2, tier=Tier.PRO)
    for ref in refs:
        finish(fake, ref)
    lifecycle.complete_batch(fake.ctx, batch_id)

    report = fake.storage.get_json(fake.ctx.config.media_bucket, object_keys.report_key(batch_id))
    members = fake.ctx.batch_videos.of_batch(batch_id)
    expected = cost_of(batch_usage(members)).model_dump(mode="json", by_alias=True)
    assert report["cost"] == expected and report["cost"]["total"] > 0  # two attempts, 34 transitions
    assert report["usage"]["state_transitions"] == 2 * 14 + 6
    response = BatchJobResponse.of(fake.ctx.batches.get(batch_id))
    assert response.summary is not None and response.summary["cost"] == expected
