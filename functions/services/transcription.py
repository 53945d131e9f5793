"""The Transcribe state: a `waitForTaskToken` task answered when the transcript exists.

- local engine (faster-whisper: the Transcriber on AWS, local mode): transcribe now, then answer the
  token; a video with more speech than one invocation hears answers its groups of speech parts instead
  (`split_transcription.py`, the "Transcribe parts" Map).
- Amazon Transcribe (AWS): upload a FLAC of the audio, start a job, park the token with the job name and
  return at once; the job's completion event (EventBridge) answers the token. No Lambda waits.
"""

import time
from datetime import timedelta
from typing import Any

from functions.domain import object_keys
from functions.domain.enums import Stage
from functions.domain.errors import TaskNotAwaited
from functions.domain.models import TranscriptionJob
from functions.domain.pipeline_contract import TranscriptionOutcome, VideoRef
from functions.domain.stage_results import StageOutcome
from functions.media import audio as audio_media
from functions.media.transcript import Transcript, from_amazon_transcribe
from functions.observability import tracer
from functions.services.context import Services
from functions.services.stages import StageContext, record_transcript, transcribe_video, transcription_blocker
from functions.services.stages.split_transcription import at_once, transcribe_or_plan

JOB_TTL_SECONDS = 2 * 24 * 3600


def job_name(ref: VideoRef, attempt: int) -> str:
    return f"reelflow-{ref.batch_id}-{ref.video_id}-{attempt}"


def transcript_key(ref: VideoRef, name: str) -> str:
    return object_keys.transcript_key(ref.batch_id, ref.video_id, name)


@tracer.capture_method
def start_transcription(ctx: Services, ref: VideoRef, task_token: str) -> TranscriptionOutcome:
    sc = StageContext(ctx, ref)
    if transcription_blocker(sc) is not None or ctx.config.transcription_engine == "local":
        result = transcribe_or_plan(ctx, ref)  # skipped, heard at once, or its groups for the Map
        ctx.workflow.send_success(task_token, result.as_output())
        return result
    sc.progress(Stage.TRANSCRIBING).begin()
    audio_uri = _upload_audio(sc)
    name = job_name(ref, sc.batch_video.retry_count + 1)
    # Parked before the job starts, so even an instant completion event finds the token.
    ctx.transcription_jobs.park(
        TranscriptionJob(
            job_name=name,
            batch_id=ref.batch_id,
            video_id=ref.video_id,
            token=task_token,
            expires_at=ctx.clock() + timedelta(seconds=JOB_TTL_SECONDS),
        )
    )
    _start_job(sc, name, audio_uri)
    return at_once(StageOutcome(stage=Stage.TRANSCRIBING.value, pending=True, job=name))


def _upload_audio(sc: StageContext) -> str:
    """A 16 kHz FLAC of the audio in the media bucket (Transcribe cannot read MOV or AVI): its S3 URI."""
    ctx, ref = sc.ctx, sc.ref
    flac = sc.workspace.path("audio.flac")
    audio_media.extract_audio(str(sc.source()), flac, sc.probe_result().duration, codec="flac")
    audio_key = object_keys.work_key(ref.batch_id, ref.video_id, "audio.flac")
    ctx.storage.upload(flac, ctx.config.media_bucket, audio_key, "audio/flac")
    return f"s3://{ctx.config.media_bucket}/{audio_key}"


def _start_job(sc: StageContext, name: str, audio_uri: str) -> None:
    sc.ctx.transcriber.start(
        name, audio_uri, sc.settings.language.value, sc.ctx.config.media_bucket, transcript_key(sc.ref, name)
    )


def _read_transcript(sc: StageContext, name: str, job: dict[str, Any]) -> Transcript:
    data = sc.ctx.storage.get_json(sc.ctx.config.media_bucket, transcript_key(sc.ref, name))
    return from_amazon_transcribe(
        data, sc.settings.language.value, sc.probe_result().duration, job.get("LanguageCode")
    )


@tracer.capture_method
def finish_transcription(ctx: Services, name: str, status: str) -> str:
    """Handle a 'Transcribe Job State Change' event. Returns what happened (for logs and tests)."""
    parked = ctx.transcription_jobs.get(name)
    if parked is None:
        return "unknown-or-already-handled"
    outcome = _answer_transcription(ctx, parked, name, status)
    # Removed only now: an error above leaves the record, so the event's retry finds it.
    ctx.transcription_jobs.remove(name)
    return outcome


def _answer_transcription(ctx: Services, parked: TranscriptionJob, name: str, status: str) -> str:
    ref = VideoRef(batch_id=parked.batch_id, video_id=parked.video_id)
    job = ctx.transcriber.job(name)
    try:
        if status != "COMPLETED":
            reason = str(job.get("FailureReason") or f"Amazon Transcribe ended with status {status}")
            ctx.workflow.send_failure(parked.token, "TranscriptionFailed", reason)
            return "failed"
        sc = StageContext(ctx, ref)
        transcript = _read_transcript(sc, name, job)
        started, finished = job.get("StartTime"), job.get("CompletionTime")
        seconds = (finished - started).total_seconds() if started and finished else 0.0
        record_transcript(ctx, ref, transcript, seconds, requested=sc.settings.language.value)
        answer = at_once(StageOutcome(stage=Stage.TRANSCRIBING.value))
        ctx.workflow.send_success(parked.token, answer.as_output())
    except TaskNotAwaited:  # answered by an earlier delivery, or the execution ended
        return "no-longer-awaited"
    return "completed"


@tracer.capture_method
def transcribe_and_wait(
    ctx: Services, ref: VideoRef, poll_seconds: int = 15, max_polls: int = 480
) -> dict[str, Any]:
    """Synchronous transcription for the Fargate worker, where waiting costs little: the local engine,
    or an Amazon Transcribe job awaited with botocore's waiter."""
    sc = StageContext(ctx, ref)
    if transcription_blocker(sc) is not None or ctx.config.transcription_engine == "local":
        return transcribe_video(ctx, ref).as_output()
    name = job_name(ref, sc.batch_video.retry_count + 1) + "-fargate"
    started = time.monotonic()
    _start_job(sc, name, _upload_audio(sc))
    job = ctx.transcriber.wait(name, poll_seconds, max_polls)
    if job["TranscriptionJobStatus"] == "FAILED":
        raise TranscriptionFailed(str(job.get("FailureReason") or "Amazon Transcribe failed"))
    transcript = _read_transcript(sc, name, job)
    record_transcript(ctx, ref, transcript, time.monotonic() - started, sc.settings.language.value)
    return {"stage": Stage.TRANSCRIBING.value}


class TranscriptionFailed(Exception):
    pass
