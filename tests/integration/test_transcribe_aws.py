"""The Amazon Transcribe path: the exact start call (botocore Stubber) and a whole batch through the ASL
whose Transcribe task is answered by the job's completion event (moto)."""

import copy
import time

import pytest
from botocore.stub import Stubber

from functions.adapters.keys import transcription_key
from functions.adapters.transcribe import AmazonTranscribe
from tests.helpers import api, start_batch, wait_for_batch

pytestmark = pytest.mark.usefixtures("local_cloud")


@pytest.fixture
def aws_ctx(local_cloud):
    """The session cloud running the `transcribe` deployment (its Transcribe state, its grants) for the
    test, then the default one again; the services of the functions' environment meanwhile."""
    from functions.services.context import services

    local_cloud.use_transcription_engine("aws")
    try:
        yield services()
    finally:
        local_cloud.use_transcription_engine("local")


AMAZON_RESULT = {
    "jobName": "x",
    "results": {
        "transcripts": [{"transcript": "Hello from Amazon."}],
        "items": [
            {
                "type": "pronunciation",
                "start_time": "0.2",
                "end_time": "0.6",
                "alternatives": [{"content": "Hello", "confidence": "0.98"}],
            },
            {
                "type": "pronunciation",
                "start_time": "0.7",
                "end_time": "1.0",
                "alternatives": [{"content": "from", "confidence": "0.97"}],
            },
            {
                "type": "pronunciation",
                "start_time": "1.1",
                "end_time": "1.6",
                "alternatives": [{"content": "Amazon", "confidence": "0.95"}],
            },
            {"type": "punctuation", "alternatives": [{"content": "."}]},
        ],
    },
}


def test_start_sends_exactly_these_parameters():
    engine = AmazonTranscribe()
    with Stubber(engine.client) as stub:
        stub.add_response(
            "start_transcription_job",
            {"TranscriptionJob": {"TranscriptionJobName": "job-1", "TranscriptionJobStatus": "IN_PROGRESS"}},
            {
                "TranscriptionJobName": "job-1",
                "LanguageCode": "de-DE",
                "MediaFormat": "flac",
                "Media": {"MediaFileUri": "s3://media/work/b/v/audio.flac"},
                "OutputBucketName": "media",
                "OutputKey": "transcripts/b/v/job-1.json",
            },
        )
        engine.start("job-1", "s3://media/work/b/v/audio.flac", "de", "media", "transcripts/b/v/job-1.json")
        stub.assert_no_pending_responses()


def test_auto_asks_amazon_to_identify_one_of_the_five_languages():
    engine = AmazonTranscribe()
    with Stubber(engine.client) as stub:
        stub.add_response(
            "start_transcription_job",
            {"TranscriptionJob": {"TranscriptionJobName": "job-2", "TranscriptionJobStatus": "IN_PROGRESS"}},
            {
                "TranscriptionJobName": "job-2",
                "IdentifyLanguage": True,
                "LanguageOptions": ["en-US", "es-ES", "ru-RU", "de-DE", "fr-FR"],
                "MediaFormat": "flac",
                "Media": {"MediaFileUri": "s3://media/work/b/v/audio.flac"},
                "OutputBucketName": "media",
                "OutputKey": "transcripts/b/v/job-2.json",
            },
        )
        engine.start("job-2", "s3://media/work/b/v/audio.flac", "auto", "media", "transcripts/b/v/job-2.json")
        stub.assert_no_pending_responses()


def transcription_event(name: str, status: str) -> dict:
    return {
        "source": "aws.transcribe",
        "detail-type": "Transcribe Job State Change",
        "detail": {"TranscriptionJobName": name, "TranscriptionJobStatus": status},
    }


def wait_for_job(ctx, batch_id: str, video_id: str, attempt: int, timeout: float = 60) -> str:
    from functions.domain.pipeline_contract import VideoRef
    from functions.services.transcription import job_name

    name = job_name(VideoRef(batch_id=batch_id, video_id=video_id), attempt)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parked = ctx.transcription_jobs.table.get_item(Key=transcription_key(name)).get("Item")
        started = {
            j["TranscriptionJobName"]
            for j in AmazonTranscribe().client.list_transcription_jobs()["TranscriptionJobSummaries"]
        }
        if parked and name in started:  # token parked and the job started
            return name
        time.sleep(0.1)
    raise AssertionError(f"transcription job {name} was never started")


def finish(cloud, name: str, status: str) -> dict:
    """The completion event, handled as the transcription function: with its role's grants."""
    from functions.handlers.transcription import handler
    from reelflow.local.access_control import acting_as
    from reelflow.local.invoker import LocalLambdaContext

    with acting_as(cloud.identities["Transcription"]):
        return handler(
            transcription_event(name, status), LocalLambdaContext(function_name="reelflow-transcription")
        )


def start_german_batch(user_id, clip, language: str = "de") -> tuple[str, str]:
    batch_id, _, (video_id,) = start_batch(
        user_id, [clip], {"remove_silence": False, "detect_highlights": False, "language": language}
    )
    return batch_id, video_id


def test_a_batch_waits_for_the_transcription_event_then_goes_on(aws_ctx, user_id, clips, local_cloud):
    from functions.services.transcription import transcript_key

    batch_id, video_id = start_german_batch(user_id, clips[".mov"])
    name = wait_for_job(aws_ctx, batch_id, video_id, attempt=1)
    job = local_cloud.client("transcribe").get_transcription_job(TranscriptionJobName=name)[
        "TranscriptionJob"
    ]
    assert job["LanguageCode"] == "de-DE"
    assert (
        job["Media"]["MediaFileUri"]
        == f"s3://{local_cloud.media_bucket}/work/{batch_id}/{video_id}/audio.flac"
    )
    # the FLAC Amazon Transcribe reads was uploaded (it cannot read MOV itself)
    assert aws_ctx.storage.head(local_cloud.media_bucket, f"work/{batch_id}/{video_id}/audio.flac")
    assert api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)[1]["status"] == "processing"

    from functions.domain.pipeline_contract import VideoRef

    aws_ctx.storage.put_json(
        local_cloud.media_bucket,
        transcript_key(VideoRef(batch_id=batch_id, video_id=video_id), name),
        AMAZON_RESULT,
    )
    assert finish(local_cloud, name, "COMPLETED")["outcome"] == "completed"
    assert (
        finish(local_cloud, name, "COMPLETED")["outcome"] == "unknown-or-already-handled"
    )  # redelivery: no effect
    batch = wait_for_batch(batch_id, user_id)
    video = batch["videos"][0]
    assert video["status"] == "completed"
    transcript = video["processing_result"]["transcribing"]
    assert transcript["engine"] == "amazon-transcribe" and transcript["text"] == "Hello from Amazon."
    assert transcript["language"] == "de" and transcript["word_count"] == 3


def test_with_auto_the_language_amazon_identified_is_recorded(aws_ctx, user_id, clips, local_cloud):
    from functions.domain.pipeline_contract import VideoRef
    from functions.services.transcription import transcript_key

    batch_id, video_id = start_german_batch(user_id, clips[".mp4"], language="auto")
    name = wait_for_job(aws_ctx, batch_id, video_id, attempt=1)
    job = local_cloud.client("transcribe").get_transcription_job(TranscriptionJobName=name)[
        "TranscriptionJob"
    ]
    assert job["IdentifyLanguage"] is True and "es-ES" in job["LanguageOptions"]
    identified = copy.deepcopy(AMAZON_RESULT)
    identified["results"]["language_code"] = "es-ES"
    aws_ctx.storage.put_json(
        local_cloud.media_bucket,
        transcript_key(VideoRef(batch_id=batch_id, video_id=video_id), name),
        identified,
    )
    assert finish(local_cloud, name, "COMPLETED")["outcome"] == "completed"
    video = wait_for_batch(batch_id, user_id)["videos"][0]
    assert video["status"] == "completed", video["error_message"]
    transcript = video["processing_result"]["transcribing"]
    assert transcript["language"] == "es" and transcript["language_detected"] is True


def test_a_failed_transcription_is_retried_then_fails_the_video(aws_ctx, user_id, clips, local_cloud):
    batch_id, video_id = start_german_batch(user_id, clips[".mp4"])
    for attempt in range(1, 5):  # the first try and three retries
        assert (
            finish(local_cloud, wait_for_job(aws_ctx, batch_id, video_id, attempt), "FAILED")["outcome"]
            == "failed"
        )
    batch = wait_for_batch(batch_id, user_id)
    video = batch["videos"][0]
    assert video["status"] == "failed" and video["retry_count"] == 3
    assert "Amazon Transcribe ended with status FAILED" in video["error_message"]


def test_with_transcription_off_the_aws_engine_skips_the_stage(aws_ctx, user_id, clips):
    batch_id, _, _ = start_batch(user_id, [clips[".webm"]], {"transcribe": False})
    video = wait_for_batch(batch_id, user_id)["videos"][0]
    assert video["status"] == "completed", video["error_message"]
    assert video["processing_result"]["transcribing"]["skipped"] is True
