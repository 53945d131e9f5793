"""Export: the one render of a video, with the cut plan, size and format applied together."""

from functions.domain import object_keys
from functions.domain.enums import Stage
from functions.domain.models import BatchVideo
from functions.domain.stage_results import ExportSummary
from functions.domain.uploads import safe_name
from functions.media import render as render_media
from functions.media.probe import probe
from functions.services.stages.removing_silence import kept_intervals
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, timed_stage


def output_key(batch_video: BatchVideo, extension: str) -> str:
    return object_keys.output_key(
        batch_video.batch_job_id, batch_video.position, safe_name(batch_video.original_name), extension
    )


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
    summary = ExportSummary(
        key=key,
        format=settings.export_format,
        quality=settings.export_quality,
        duration=output.duration,
        expected_duration=plan.expected_duration,
        width=output.width,
        height=output.height,
        video_codec=output.video_codec,
        audio_codec=output.audio_codec,
        size=destination.stat().st_size,
        cuts=max(0, len(plan.keep) - 1),
    )
    return summary, None


export_video = timed_stage(Stage.EXPORTING.value, _export)
