"""Transcribe: a transcript with word times. This module runs the local engine (faster-whisper);
Amazon Transcribe jobs start and finish in functions/services/transcription.py."""

from typing import TYPE_CHECKING

from functions.domain.enums import Stage
from functions.domain.errors import UnsupportedSettingError
from functions.domain.media_values import Transcript, Word
from functions.domain.pipeline_contract import VideoRef
from functions.domain.stage_results import TranscriptSummary
from functions.services.context import Services
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, skipped, store_stage, timed_stage

if TYPE_CHECKING:  # faster-whisper is imported only where the local engine runs
    from functions.media.whisper import WhisperEngine


def transcription_blocker(sc: StageContext) -> str | None:
    if not sc.settings.transcribe:
        return "transcription is not enabled in this batch's settings"
    if not sc.probe_result().has_audio:
        return "the video has no audio stream"
    return None


def local_engine(sc: StageContext) -> "WhisperEngine":
    """The faster-whisper engine with the model for the batch's language: tiny.en for English, whisper
    base (multilingual, rebuilt from its packages and hash-checked) for es/ru/de/fr and `auto`."""
    from functions.media.whisper import WhisperEngine
    from functions.media.whisper_models import MissingModelError

    config = sc.ctx.config
    try:
        return WhisperEngine.for_language(
            sc.settings.language.value,
            explicit_path=config.whisper_model_path,
            english_model=config.whisper_english_model,
            cache_dir=config.model_cache_dir,
            beam_size=config.whisper_beam_size,
        )
    except MissingModelError as error:  # retrying cannot install a package: fail this video clearly
        raise UnsupportedSettingError(str(error)) from error


def transcribe_locally(sc: StageContext) -> StageResult:
    """faster-whisper in this process (local mode and the Fargate worker); skipped when the settings or
    the video leave nothing to transcribe, whatever the engine."""
    reason = transcription_blocker(sc)
    if reason:
        return skipped(reason)
    if sc.ctx.config.transcription_engine != "local":
        raise UnsupportedSettingError(
            "This stage runs the local engine only; Amazon Transcribe jobs start from the transcription task"
        )
    language = sc.settings.language.value
    engine = local_engine(sc)
    engine.check_language(language)  # an English-only model named by REELFLOW_WHISPER_MODEL_PATH
    progress = sc.progress(Stage.TRANSCRIBING)
    progress.begin()
    wav = sc.audio()
    transcript = engine.transcribe(
        wav, language, sc.probe_result().duration, sc.loudness(), on_progress=progress
    )
    progress.finish()
    return TranscriptSummary.of(transcript, requested=language), transcript


def record_transcript(
    ctx: Services, ref: VideoRef, transcript: Transcript, seconds: float, requested: str | None = None
) -> None:
    """Store a transcript that arrived asynchronously (Amazon Transcribe's completion event)."""
    summary = TranscriptSummary.of(transcript, requested=requested)
    store_stage(ctx, ref, Stage.TRANSCRIBING.value, summary, transcript, seconds)


def transcript_words(sc: StageContext) -> list[Word]:
    """The words of the transcript an earlier stage stored; none when it was skipped."""
    summary = sc.result.transcribing
    if not isinstance(summary, TranscriptSummary):
        return []
    transcript = sc.artifact(summary.artifact_key, Transcript)
    return transcript.words if transcript else []


transcribe_video = timed_stage(Stage.TRANSCRIBING.value, transcribe_locally)
