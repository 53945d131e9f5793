"""Amazon Transcribe's completion event answers the parked task token, once."""

import pytest

from functions.domain.models import TranscriptionJob
from functions.domain.pipeline_contract import VideoRef
from functions.services.batch_lifecycle import begin_video, record_stage_result
from functions.services.transcription import finish_transcription, job_name, transcript_key
from tests.unit.test_lifecycle_use_cases import started_batch

AMAZON_RESULT = {
    "results": {
        "items": [
            {
                "type": "pronunciation",
                "start_time": "0.1",
                "end_time": "0.5",
                "alternatives": [{"content": "Hello", "confidence": "0.9"}],
            },
            {"type": "punctuation", "alternatives": [{"content": "."}]},
        ]
    }
}
# the token's answer: transcribed in this one job, nothing for the Transcribe parts Map
ANSWERED = {"stage": "transcribing", "split": False, "groups": [], "group_concurrency": 1}
PROBE = {
    "duration": 10.0,
    "width": 320,
    "height": 180,
    "video_codec": "h264",
    "audio_codec": "aac",
    "container": "mp4",
    "frame_rate": 25.0,
    "size": 1000,
    "route": "lambda",
}


def parked(fake) -> tuple[VideoRef, str]:
    _, refs = started_batch(fake, videos=1)
    ref = refs[0]
    begin_video(fake.ctx, ref)
    record_stage_result(fake.ctx, ref, "probe", PROBE, 0.1)
    name = job_name(ref, 1)
    fake.ctx.transcription_jobs.park(
        TranscriptionJob(
            job_name=name, batch_id=ref.batch_id, video_id=ref.video_id, token="tok", expires_at=fake.clock()
        )
    )
    fake.transcriber.start(
        name, "s3://m/a.flac", "en", fake.ctx.config.media_bucket, transcript_key(ref, name)
    )
    return ref, name


def test_a_completed_job_stores_the_transcript_and_answers_the_token_once(fake):
    ref, name = parked(fake)
    fake.storage.put_json(fake.ctx.config.media_bucket, transcript_key(ref, name), AMAZON_RESULT)
    fake.transcriber.finish(name, "COMPLETED")
    assert finish_transcription(fake.ctx, name, "COMPLETED") == "completed"
    assert fake.workflow.successes == [("tok", ANSWERED)]
    result = fake.ctx.batch_videos.get(ref.batch_id, ref.video_id).processing_result["transcribing"]
    assert result["artifact_key"]
    stored = fake.storage.get_json(fake.ctx.config.media_bucket, result["artifact_key"])
    assert stored["segments"][0]["words"][0]["word"] == "Hello."
    assert result["word_count"] == 1
    assert finish_transcription(fake.ctx, name, "COMPLETED") == "unknown-or-already-handled"
    assert len(fake.workflow.successes) == 1


def test_a_failed_job_fails_the_task_with_transcribes_reason(fake):
    _, name = parked(fake)
    fake.transcriber.finish(name, "FAILED", "The media format is not supported")
    assert finish_transcription(fake.ctx, name, "FAILED") == "failed"
    assert fake.workflow.failures == [("tok", "TranscriptionFailed", "The media format is not supported")]


def test_an_error_after_the_event_arrives_leaves_the_job_for_the_events_retry(fake, monkeypatch):
    """The parked record is removed only once acted on: a failure on the way (here the token's send)
    leaves it, and the retried event answers the task instead of leaving it for the 4-hour timeout."""
    ref, name = parked(fake)
    fake.storage.put_json(fake.ctx.config.media_bucket, transcript_key(ref, name), AMAZON_RESULT)
    fake.transcriber.finish(name, "COMPLETED")
    send = fake.workflow.send_success

    def throttled(token, output):
        raise ConnectionError("throttled")

    monkeypatch.setattr(fake.workflow, "send_success", throttled)
    with pytest.raises(ConnectionError):
        finish_transcription(fake.ctx, name, "COMPLETED")
    assert fake.ctx.transcription_jobs.get(name) is not None
    monkeypatch.setattr(fake.workflow, "send_success", send)
    assert finish_transcription(fake.ctx, name, "COMPLETED") == "completed"
    assert fake.workflow.successes == [("tok", ANSWERED)]
    assert fake.ctx.transcription_jobs.get(name) is None
