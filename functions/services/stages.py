"""The media stages of one video. Analysis stages record data; only export renders.

Each stage records a compact summary in the BatchVideo's processing_result and, when it has bulk data
(a transcript, every kept interval, every highlight), an artifact JSON under results/ in the media
bucket, whose key the summary carries.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from functions.domain import object_keys
from functions.domain.enums import Stage, UploadStatus
from functions.domain.errors import InvalidMediaError, UnsupportedSettingError
from functions.domain.models import BatchJob, BatchVideo, Video
from functions.domain.routing import choose_route
from functions.domain.settings import BatchSettings
from functions.domain.stages import stage_spans
from functions.domain.uploads import safe_name
from functions.media import audio as audio_media
from functions.media import highlights as highlight_media
from functions.media import render as render_media
from functions.media import silence as silence_media
from functions.media.probe import ProbeResult, probe
from functions.media.scenes import detect_scene_cuts
from functions.media.transcript import Transcript
from functions.services.access import require_batch
from functions.services.batch_lifecycle import VideoRef, record_stage_result
from functions.services.context import Services
from functions.services.progress import StageProgress
from functions.services.workspace import Workspace

StageResult = tuple[dict[str, Any], dict[str, Any] | None]  # (summary, artifact)


class StageContext:
    """Everything a stage reads about its video, loaded once."""

    def __init__(self, ctx: Services, ref: VideoRef) -> None:
        self.ctx = ctx
        self.ref = ref
        self.batch: BatchJob = require_batch(ctx, ref.batch_id)
        batch_video = ctx.batch_videos.get(ref.batch_id, ref.video_id)
        video = ctx.videos.get(ref.video_id)
        if batch_video is None or video is None:
            raise InvalidMediaError(f"Video {ref.video_id} is not part of batch {ref.batch_id}")
        self.batch_video: BatchVideo = batch_video
        self.video: Video = video
        self.workspace = Workspace(ctx, ref.batch_id, ref.video_id)

    @property
    def settings(self) -> BatchSettings:
        return self.batch.settings

    @property
    def result(self) -> dict[str, Any]:
        return self.batch_video.processing_result or {}

    def probe_result(self) -> ProbeResult:
        data = self.result.get("probe")
        if not data:
            raise InvalidMediaError("The video was not probed before this stage")
        return ProbeResult(**{k: data[k] for k in ProbeResult.__dataclass_fields__})

    def progress(self, stage: Stage) -> StageProgress:
        return StageProgress(
            self.ctx, self.ref.batch_id, self.ref.video_id, stage_spans(self.settings)[stage]
        )

    def source_url(self) -> str:
        return self.ctx.storage.presigned_get(self.ctx.config.ingest_bucket, self.video.s3_key, 3600)

    def source(self) -> Path:
        return self.workspace.source(self.video)

    def audio(self, on_progress: Callable[[float], None] | None = None) -> Path:
        """16 kHz mono WAV of the video, extracted once per workspace."""
        wav = self.workspace.path("audio.wav")
        if not wav.exists():
            partial = self.workspace.path("audio.part.wav")
            audio_media.extract_audio(str(self.source()), partial, self.probe_result().duration, on_progress)
            partial.replace(wav)
        return wav

    def loudness(self) -> np.ndarray:
        cached = self.workspace.path("loudness.npy")
        if cached.exists():
            loaded: np.ndarray = np.load(cached)
            return loaded
        frames = audio_media.loudness_frames(self.audio())
        np.save(cached, frames)
        return frames

    def artifact(self, stage: Stage) -> dict[str, Any] | None:
        key = (self.result.get(stage.value) or {}).get("artifact_key")
        if not key:
            return None
        data: dict[str, Any] = self.ctx.storage.get_json(self.ctx.config.media_bucket, key)
        return data


def store_stage(
    ctx: Services, ref: VideoRef, name: str, summary: dict[str, Any], artifact: Any, seconds: float
) -> dict[str, Any]:
    """Write the artifact (if any) to S3 and the summary, with its key and timing, to the BatchVideo."""
    if artifact is not None:
        key = object_keys.artifact_key(ref.batch_id, ref.video_id, name)
        ctx.storage.put_json(ctx.config.media_bucket, key, artifact)
        summary = {**summary, "artifact_key": key}
    record_stage_result(ctx, ref, name, summary, seconds)
    return summary


def timed_stage(
    stage: Stage | str, work: Callable[[StageContext], StageResult]
) -> Callable[..., dict[str, Any]]:
    """Run one stage, store its summary (and artifact), and time it."""

    def run(ctx: Services, ref: VideoRef) -> dict[str, Any]:
        stage_ctx = StageContext(ctx, ref)
        started = time.monotonic()
        summary, artifact = work(stage_ctx)
        name = stage.value if isinstance(stage, Stage) else stage
        summary = store_stage(ctx, ref, name, summary, artifact, time.monotonic() - started)
        return {"stage": name, **{k: v for k, v in summary.items() if k in {"skipped", "route"}}}

    return run


def _skipped(reason: str) -> StageResult:
    return {"skipped": True, "reason": reason}, None


# ---- probe ------------------------------------------------------------------------------------------


def _probe(sc: StageContext) -> StageResult:
    video = sc.video
    if video.status is UploadStatus.INVALID:
        raise InvalidMediaError(video.error_message or "The upload is not a decodable video")
    if video.duration is not None and video.width and video.height and video.video_codec:
        info = ProbeResult(
            duration=video.duration,
            width=video.width,
            height=video.height,
            video_codec=video.video_codec,
            audio_codec=video.audio_codec,
            container=video.container or "unknown",
            frame_rate=video.frame_rate or 0.0,
            size=video.size,
        )
    else:
        info = probe(sc.source_url())
    settings = sc.settings
    route = choose_route(
        duration=info.duration,
        size=info.size or video.size or 0,
        height=min(info.width, info.height),
        quality=settings.export_quality,
        fmt=settings.export_format,
        lambda_max_seconds=sc.ctx.config.lambda_max_media_seconds,
        lambda_max_bytes=sc.ctx.config.lambda_max_file_bytes,
    )
    sc.ctx.batch_videos.update(
        sc.ref.batch_id, sc.ref.video_id, sc.ctx.clock(), set_fields={"duration": info.duration}
    )
    return {**info.as_fields(), "route": route}, None


# ---- transcription -----------------------------------------------------------------------------------


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
        return _skipped(reason)
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
    return transcript.summary(), transcript.model_dump()


def record_transcript(ctx: Services, ref: VideoRef, transcript: Transcript, seconds: float) -> None:
    """Store a transcript that arrived asynchronously (Amazon Transcribe's completion event)."""
    store_stage(ctx, ref, Stage.TRANSCRIBING.value, transcript.summary(), transcript.model_dump(), seconds)


def transcript_words(sc: StageContext) -> list[dict[str, Any]]:
    data = sc.artifact(Stage.TRANSCRIBING)
    if not data:
        return []
    return [w.model_dump() for w in Transcript.model_validate(data).words]


# ---- silence -------------------------------------------------------------------------------------------


def silence_plan(sc: StageContext) -> dict[str, Any]:
    settings = sc.settings
    frames = sc.loudness()
    plan = silence_media.plan_cuts(
        frames,
        sc.probe_result().duration,
        settings.silence_threshold,
        settings.min_silence_duration,
        settings.margin,
    )
    if not plan["keep"]:  # all quiet: nothing is speech, so cutting would leave nothing
        duration = sc.probe_result().duration
        plan.update(
            keep=[[0.0, duration]],
            kept_seconds=duration,
            removed_seconds=0.0,
            cuts=0,
            note="No sound above the threshold: nothing was cut",
        )
    return plan


def _remove_silence(sc: StageContext) -> StageResult:
    if not sc.settings.remove_silence:
        return _skipped("silence removal is not enabled in this batch's settings")
    if not sc.probe_result().has_audio:
        return _skipped("the video has no audio stream")
    progress = sc.progress(Stage.REMOVING_SILENCE)
    progress.begin()
    sc.audio(on_progress=progress)
    plan = silence_plan(sc)
    progress.finish()
    summary = {k: v for k, v in plan.items() if k not in {"silences", "keep"}}
    if len(plan["keep"]) <= 50:
        summary["keep"] = plan["keep"]
    return summary, plan


# ---- highlights ----------------------------------------------------------------------------------------


def _detect_highlights(sc: StageContext) -> StageResult:
    settings = sc.settings
    if not settings.detect_highlights:
        return _skipped("highlight detection is not enabled in this batch's settings")
    info = sc.probe_result()
    progress = sc.progress(Stage.DETECTING_HIGHLIGHTS)
    progress.begin()
    events: list[highlight_media.Event] = []
    if info.has_audio:
        events += highlight_media.loudness_peaks(sc.loudness())
    progress(0.3)
    if settings.keywords:
        events += highlight_media.keyword_events(transcript_words(sc), settings.keywords)
    cuts = detect_scene_cuts(str(sc.source()))
    events += highlight_media.scene_events([(c.time, c.strength) for c in cuts])
    progress(0.9)
    chosen = highlight_media.build_highlights(events, info.duration, settings.highlight_sensitivity)
    progress.finish()
    highlights = [h.as_dict() for h in chosen]
    summary = {
        "sensitivity": settings.highlight_sensitivity.value,
        "count": len(highlights),
        "highlights": highlights[:20],
        "scene_cuts": [c.time for c in cuts][:100],
    }
    return summary, {"highlights": highlights, "events": [e.__dict__ for e in events]}


# ---- export -------------------------------------------------------------------------------------------


def output_key(batch_video: BatchVideo, extension: str) -> str:
    return object_keys.output_key(
        batch_video.batch_job_id, batch_video.position, safe_name(batch_video.original_name), extension
    )


def kept_intervals(sc: StageContext) -> list[tuple[float, float]] | None:
    summary = sc.result.get(Stage.REMOVING_SILENCE.value) or {}
    if summary.get("skipped") or not summary:
        return None
    keep = summary.get("keep")
    if keep is None:
        plan = sc.artifact(Stage.REMOVING_SILENCE) or {}
        keep = plan.get("keep")
    return [(float(a), float(b)) for a, b in keep] if keep is not None else None


def _export(sc: StageContext) -> StageResult:
    settings = sc.settings
    info = sc.probe_result()
    source = sc.source()
    extension = settings.export_format.value
    destination = sc.workspace.path(f"output.{extension}")
    plan = render_media.plan_render(
        str(source), destination, info, settings.export_format, settings.export_quality, kept_intervals(sc)
    )
    progress = sc.progress(Stage.EXPORTING)
    progress.begin()
    render_media.render(plan, on_progress=progress)
    output = probe(str(destination))
    key = output_key(sc.batch_video, extension)
    sc.ctx.storage.upload(
        destination, sc.ctx.config.media_bucket, key, render_media.CONTENT_TYPES[settings.export_format]
    )
    progress.finish()
    sc.ctx.batch_videos.update(
        sc.ref.batch_id,
        sc.ref.video_id,
        sc.ctx.clock(),
        set_fields={"output_key": key, "output_video_url": f"s3://{sc.ctx.config.media_bucket}/{key}"},
    )
    summary = {
        "key": key,
        "format": extension,
        "quality": settings.export_quality.value,
        "duration": output.duration,
        "expected_duration": plan.expected_duration,
        "width": output.width,
        "height": output.height,
        "video_codec": output.video_codec,
        "audio_codec": output.audio_codec,
        "size": destination.stat().st_size,
        "cuts": max(0, len(plan.keep) - 1),
    }
    return summary, None


probe_video = timed_stage("probe", _probe)
transcribe_video = timed_stage(Stage.TRANSCRIBING, transcribe_locally)
remove_silence = timed_stage(Stage.REMOVING_SILENCE, _remove_silence)
detect_highlights = timed_stage(Stage.DETECTING_HIGHLIGHTS, _detect_highlights)
export_video = timed_stage(Stage.EXPORTING, _export)

STAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "probe": probe_video,
    Stage.TRANSCRIBING.value: transcribe_video,
    Stage.REMOVING_SILENCE.value: remove_silence,
    Stage.DETECTING_HIGHLIGHTS.value: detect_highlights,
    Stage.EXPORTING.value: export_video,
}
# The order a Fargate worker runs them in, after probing.
PIPELINE = (Stage.TRANSCRIBING, Stage.REMOVING_SILENCE, Stage.DETECTING_HIGHLIGHTS, Stage.EXPORTING)
