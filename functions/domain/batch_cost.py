"""What one batch used, from what its videos recorded, and what that costs (functions/domain/pricing.py).

Each video records its stage seconds (`processing_result.timings`, measured in the function that ran the
stage), where it ran (`probe.route`), the engine that transcribed it and the size of its output. From
those: Lambda GB-seconds by function (the media function's memory × its stage seconds; the control
function's calls; the Transcriber's memory × the transcribing seconds of a video faster-whisper transcribed
on Lambda), Fargate vCPU- and GB-seconds for videos routed to the worker, Transcribe seconds for
videos Amazon Transcribe transcribed (billed per second, 15 s minimum), Step Functions transitions (the
states one video and one batch pass through in statemachines/batch.asl.json, counted once per attempt),
and S3 byte-seconds of the outputs kept for the retention period plus the bytes sent when they are
downloaded once.
"""

from dataclasses import dataclass

from functions.domain.models import BatchVideo
from functions.domain.pricing import Usage
from functions.domain.stage_results import ProcessingResult, TranscriptSummary

AMAZON_TRANSCRIBE = "amazon-transcribe"  # TranscriptSummary.engine of Amazon Transcribe
WHISPER = "faster-whisper"  # TranscriptSummary.engine of faster-whisper (the Transcriber on AWS)


@dataclass(frozen=True)
class Footprint:
    """What the deployment gives each piece of work (the caller passes the deployed values)."""

    media_memory_gb: float = 4.0
    transcriber_memory_gb: float = 3538 / 1024  # functions/deployment.py TRANSCRIBER: two vCPUs
    control_memory_gb: float = 0.5
    control_calls_per_video: int = 5  # gate, begin, finish, progress, ETA
    control_call_seconds: float = 0.2
    worker_vcpus: float = 2.0
    worker_memory_gb: float = 8.0
    transitions_per_video: int = 14  # gate → stages → record result, the Lambda path
    transitions_per_batch: int = 6  # prepare, map, complete
    kept_seconds: float = 7 * 24 * 3600  # outputs kept a week
    downloads: int = 1  # each output downloaded once


# The Transcriber's seconds: one invocation's, or a long video's plan, groups and join (the groups' sum
# recorded as `transcribing_parts`, functions/services/stages/split_transcription.py).
WHISPER_TIMINGS = ("transcribing", "transcribing_parts")


def batch_usage(videos: list[BatchVideo], footprint: Footprint = Footprint()) -> Usage:
    media_gb_s = transcriber_gb_s = control_gb_s = vcpu_s = worker_gb_s = transcribe_s = byte_seconds = 0.0
    requests = transitions = sent = 0
    for video in videos:
        result = ProcessingResult.model_validate(video.processing_result or {})
        attempts = 1 + video.retry_count
        seconds = sum(result.timings.values())
        if result.probe is not None and result.probe.route == "fargate":
            vcpu_s += footprint.worker_vcpus * seconds
            worker_gb_s += footprint.worker_memory_gb * seconds
        else:
            # faster-whisper on Lambda runs in the Transcriber (its own memory), every other stage in
            # the media function; Amazon Transcribe's start call is a media-function stage.
            whisper_s = (
                sum(result.timings.get(name, 0.0) for name in WHISPER_TIMINGS)
                if _engine(result) == WHISPER
                else 0.0
            )
            transcriber_gb_s += footprint.transcriber_memory_gb * whisper_s
            media_gb_s += footprint.media_memory_gb * (seconds - whisper_s)
            requests += len(result.timings)
        calls = footprint.control_calls_per_video * attempts
        control_gb_s += calls * footprint.control_call_seconds * footprint.control_memory_gb
        requests += calls
        transitions += footprint.transitions_per_video * attempts
        if _engine(result) == AMAZON_TRANSCRIBE:
            transcribe_s += max(video.duration or 0.0, 15.0)
        if result.exporting is not None:
            byte_seconds += result.exporting.size * footprint.kept_seconds
            sent += result.exporting.size * footprint.downloads
    return Usage(
        lambda_gb_seconds={
            "media": round(media_gb_s, 3),
            "transcriber": round(transcriber_gb_s, 3),
            "control": round(control_gb_s, 3),
        },
        lambda_requests=requests,
        fargate_vcpu_seconds=round(vcpu_s, 3),
        fargate_gb_seconds=round(worker_gb_s, 3),
        transcribe_seconds=round(transcribe_s, 3),
        state_transitions=transitions + (footprint.transitions_per_batch if videos else 0),
        s3_byte_seconds=byte_seconds,
        s3_bytes_sent=sent,
    )


def _engine(result: ProcessingResult) -> str | None:
    transcript = result.transcribing
    return transcript.engine if isinstance(transcript, TranscriptSummary) else None
