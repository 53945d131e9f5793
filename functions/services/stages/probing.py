"""Probe: validate the upload, record what it holds, and choose the route (one Lambda render, a Lambda
render in parts, or Fargate: functions/domain/routing.py)."""

from functions.domain.enums import UploadStatus
from functions.domain.errors import InvalidMediaError
from functions.domain.media_values import ProbeResult
from functions.domain.routing import choose_route
from functions.domain.stage_plan import PROBE
from functions.domain.stage_results import ProbeSummary
from functions.media.probe import probe
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, timed_stage


def known_probe(sc: StageContext) -> ProbeResult | None:
    """What ingestion already learned about the upload, when it learned enough."""
    video = sc.video
    if video.duration is None or not video.width or not video.height or not video.video_codec:
        return None
    return ProbeResult(
        duration=video.duration,
        width=video.width,
        height=video.height,
        video_codec=video.video_codec,
        audio_codec=video.audio_codec,
        audio_channels=video.audio_channels,
        container=video.container or "unknown",
        frame_rate=video.frame_rate or 0.0,
        size=video.size,
    )


def _probe(sc: StageContext) -> StageResult:
    video = sc.video
    if video.status is UploadStatus.INVALID:
        raise InvalidMediaError(video.error_message or "The upload is not a decodable video")
    info = known_probe(sc) or probe(sc.source_url())
    settings = sc.settings
    route = choose_route(
        duration=info.duration,
        size=info.size or video.size or 0,
        height=min(info.width, info.height),
        quality=settings.export_quality,
        fmt=settings.export_format,
        lambda_max_seconds=sc.ctx.config.lambda_max_media_seconds,
        lambda_max_bytes=sc.ctx.config.lambda_max_file_bytes,
        part_seconds=sc.ctx.config.render_part_seconds,
        clip_seconds=settings.clip_seconds(info.duration),
    )
    sc.ctx.batch_videos.update(
        sc.ref.batch_id, sc.ref.video_id, sc.ctx.clock(), set_fields={"duration": info.duration}
    )
    return ProbeSummary(**info.model_dump(), route=route), None


probe_video = timed_stage(PROBE, _probe)
