"""Transcribe: a transcript with word times. This module runs the local engine (faster-whisper);
Amazon Transcribe jobs start and finish in functions/services/transcription.py."""

from functions.domain.enums import Stage
from functions.domain.errors import UnsupportedSettingError
from functions.domain.media_values import Transcript, Word
from functions.domain.stage_results import TranscriptSummary
from functions.services.batch_lifecycle import VideoRef
from functions.services.context import Services
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, skipped, store_stage, timed_stage


def transcription_blocker(sc: StageContext) -> str | None:
    if not sc.settings.transcribe:
        return "transcription is not enabled in this batch's settings"
    if not sc.probe_result().has_audio:
        return "the video has no audio stream"
    return None


def transcribe_locally(sc: StageContext) -> StageResult:
    """faster-whisper in this process (local mode and the Fargate worker); skipped when the settings or
    the video leave nothing to transcribe, whatever the engine."""
    from functions.media.whisper import WhisperEngine

    reason = transcription_blocker(sc)
    if reason:
        return skipped(reason)
    if sc.ctx.config.transcription_engine != "local":
        raise UnsupportedSettingError(
            "This stage runs the local engine only; Amazon Transcribe jobs start from the transcription task"
        )
    engine = WhisperEngine(sc.ctx.config.whisper_model_path, beam_size=sc.ctx.config.whisper_beam_size)
    language = sc.settings.language.value
    engine.check_language(language)
    progress = sc.progress(Stage.TRANSCRIBING)
    progress.begin()
    wav = sc.audio()
    transcript = engine.transcribe(
        wav, language, sc.probe_result().duration, sc.loudness(), on_progress=progress
    )
    progress.finish()
    return TranscriptSummary.of(transcript), transcript


def record_transcript(ctx: Services, ref: VideoRef, transcript: Transcript, seconds: float) -> None:
    """Store a transcript that arrived asynchronously (Amazon Transcribe's completion event)."""
    store_stage(ctx, ref, Stage.TRANSCRIBING.value, TranscriptSummary.of(transcript), transcript, seconds)


def transcript_words(sc: StageContext) -> list[Word]:
    """The words of the transcript an earlier stage stored; none when it was skipped."""
    summary = sc.result.transcribing
    if not isinstance(summary, TranscriptSummary):
        return []
    transcript = sc.artifact(summary.artifact_key, Transcript)
    return transcript.words if transcript else []


transcribe_video = timed_stage(Stage.TRANSCRIBING.value, transcribe_locally)
