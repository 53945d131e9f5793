"""The media stages of one video. Analysis stages record data; only export renders."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from functions.domain.enums import Stage, UploadStatus
from functions.domain.errors import InvalidMediaError
from functions.domain.models import BatchJob, BatchVideo, Video
from functions.domain.routing import choose_route
from functions.domain.stages import stage_spans
from functions.domain.uploads import safe_name
from functions.media import render as render_media
from functions.media.probe import ProbeResult, probe
from functions.services.context import Services
from functions.services.pipeline import VideoRef, record_stage_result
from functions.services.progress import StageProgress
from functions.services.workspace import Workspace


class StageContext:
    """Everything a stage reads about its video, loaded once."""

    def __init__(self, ctx: Services, ref: VideoRef) -> None:
        self.ctx = ctx
        self.ref = ref
        self.batch: BatchJob = ctx.repo.require_batch(ref.batch_id)
        batch_video = ctx.repo.get_batch_video(ref.batch_id, ref.video_id)
        video = ctx.repo.get_video(ref.video_id)
        if batch_video is None or video is None:
            raise InvalidMediaError(f"Video {ref.video_id} is not part of batch {ref.batch_id}")
        self.batch_video: BatchVideo = batch_video
        self.video: Video = video
        self.workspace = Workspace(ctx, ref.batch_id, ref.video_id)

    @property
    def settings(self) -> Any:
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


def timed_stage(
    stage: Stage | str, work: Callable[[StageContext], dict[str, Any]]
) -> Callable[..., dict[str, Any]]:
    def run(ctx: Services, ref: VideoRef) -> dict[str, Any]:
        stage_ctx = StageContext(ctx, ref)
        started = time.monotonic()
        result = work(stage_ctx)
        record_stage_result(ctx, ref, stage, result, time.monotonic() - started)
        return {"stage": str(stage), **{k: v for k, v in result.items() if k in {"skipped", "route"}}}

    return run


def _probe(sc: StageContext) -> dict[str, Any]:
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
    sc.ctx.repo.update_batch_video(
        sc.ref.batch_id, sc.ref.video_id, sc.ctx.clock(), set_fields={"duration": info.duration}
    )
    return {**info.as_fields(), "route": route}


def output_key(batch_video: BatchVideo, extension: str) -> str:
    stem = Path(safe_name(batch_video.original_name)).stem
    return f"outputs/{batch_video.batch_job_id}/{batch_video.position:03d}_{stem}.{extension}"


def kept_intervals(result: dict[str, Any]) -> list[tuple[float, float]] | None:
    silence = result.get(Stage.REMOVING_SILENCE.value) or {}
    keep = silence.get("keep")
    if keep is None:
        return None
    return [(float(a), float(b)) for a, b in keep]


def _export(sc: StageContext) -> dict[str, Any]:
    settings = sc.settings
    info = sc.probe_result()
    source = sc.workspace.source(sc.video)
    extension = settings.export_format.value
    destination = sc.workspace.path(f"output.{extension}")
    plan = render_media.plan_render(
        str(source),
        destination,
        info,
        settings.export_format,
        settings.export_quality,
        kept_intervals(sc.result),
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
    sc.ctx.repo.update_batch_video(
        sc.ref.batch_id,
        sc.ref.video_id,
        sc.ctx.clock(),
        set_fields={"output_key": key, "output_video_url": f"s3://{sc.ctx.config.media_bucket}/{key}"},
    )
    return {
        "key": key,
        "format": extension,
        "quality": settings.export_quality.value,
        "duration": output.duration,
        "width": output.width,
        "height": output.height,
        "video_codec": output.video_codec,
        "audio_codec": output.audio_codec,
        "size": destination.stat().st_size,
        "cuts": max(0, len(plan.keep) - 1),
    }


def _not_enabled(stage: Stage) -> Callable[[StageContext], dict[str, Any]]:
    def skip(sc: StageContext) -> dict[str, Any]:
        return {"skipped": True, "reason": f"{stage.value} is not enabled in this batch's settings"}

    return skip


probe_video = timed_stage("probe", _probe)
export_video = timed_stage(Stage.EXPORTING, _export)

STAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "probe": probe_video,
    Stage.TRANSCRIBING.value: timed_stage(Stage.TRANSCRIBING, _not_enabled(Stage.TRANSCRIBING)),
    Stage.REMOVING_SILENCE.value: timed_stage(Stage.REMOVING_SILENCE, _not_enabled(Stage.REMOVING_SILENCE)),
    Stage.DETECTING_HIGHLIGHTS.value: timed_stage(
        Stage.DETECTING_HIGHLIGHTS, _not_enabled(Stage.DETECTING_HIGHLIGHTS)
    ),
    Stage.EXPORTING.value: export_video,
}
