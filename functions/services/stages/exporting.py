"""Export: the one render of a video, with the cut plan, size, format and captions applied together;
then the files published beside it (captions, poster, thumbnail, cut lists, removed-parts preview)."""

from pathlib import Path

from functions.domain import object_keys
from functions.domain.enums import CaptionsMode, Stage
from functions.domain.models import BatchVideo
from functions.domain.stage_results import ExportSummary, HighlightsSummary, TranscriptSummary
from functions.domain.uploads import safe_name
from functions.media import export_extras
from functions.media import render as render_media
from functions.media.export_extras import PreparedCaptions
from functions.media.probe import probe
from functions.services.stages.chaptering import add_chapters
from functions.services.stages.removing_silence import kept_intervals
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, timed_stage
from functions.services.stages.transcribing import transcript_words

EXTRAS_STEM = "output"  # local names: output.srt, output.poster.jpg, …; published as {position}_{name}…


def output_key(batch_video: BatchVideo, extension: str) -> str:
    return object_keys.output_key(
        batch_video.batch_job_id, batch_video.position, safe_name(batch_video.original_name), extension
    )


def extra_key(batch_video: BatchVideo, local: Path) -> str:
    """Where a file made beside the output is published: the output's key with the file's own suffix."""
    suffix = local.name.removeprefix(EXTRAS_STEM)
    return object_keys.output_extra_key(
        batch_video.batch_job_id, batch_video.position, safe_name(batch_video.original_name), suffix
    )


def highlight_starts(sc: StageContext) -> list[float]:
    summary = sc.result.detecting_highlights
    return [h.start for h in summary.highlights] if isinstance(summary, HighlightsSummary) else []


def spoken_language(sc: StageContext) -> str | None:
    summary = sc.result.transcribing
    return summary.language if isinstance(summary, TranscriptSummary) else None


def base_plan(sc: StageContext, source: str) -> render_media.RenderPlan:
    """The render of the video's edit, before captions: where it splits into parts."""
    settings = sc.settings
    destination = sc.workspace.path(f"output.{settings.export_format.value}")
    return render_media.plan_render(
        source,
        destination,
        sc.probe_result(),
        settings.export_format,
        settings.export_quality,
        kept_intervals(sc),
    )


def prepare_render(sc: StageContext) -> tuple[render_media.RenderPlan, PreparedCaptions | None]:
    """The whole render plan, captions included; every task of a split render makes the same one."""
    settings = sc.settings
    words = transcript_words(sc) if settings.captions is not CaptionsMode.OFF else []
    return export_extras.prepare_captions(
        base_plan(sc, str(sc.source())),
        sc.probe_result().duration,
        words,
        settings.captions,
        sc.workspace.path("extras"),
        EXTRAS_STEM,
        spoken_language(sc),
    )


def _export(sc: StageContext) -> StageResult:
    plan, captions = prepare_render(sc)
    progress = sc.progress(Stage.EXPORTING)
    progress.begin()
    render_media.render(plan, on_progress=progress)
    return publish(sc, plan, captions)


def publish(
    sc: StageContext, plan: render_media.RenderPlan, captions: PreparedCaptions | None
) -> StageResult:
    """After the render: chapters, the upload of the output and of the files beside it, the record."""
    settings = sc.settings
    info = sc.probe_result()
    extension = settings.export_format.value
    destination = plan.destination
    folder = sc.workspace.path("extras")
    progress = sc.progress(Stage.EXPORTING)
    chapters = add_chapters(sc, destination, plan.expected_duration, plan.keep, folder, EXTRAS_STEM)
    output = probe(str(destination))
    key = output_key(sc.batch_video, extension)
    bucket = sc.ctx.config.media_bucket
    sc.ctx.storage.upload(destination, bucket, key, render_media.CONTENT_TYPES[settings.export_format])
    extras = export_extras.finish_extras(
        plan,
        info,
        sc.batch_video.original_name,
        folder,
        EXTRAS_STEM,
        highlight_starts(sc),
        cut_lists=settings.cut_lists,
        removed_parts_preview=settings.removed_parts_preview,
    )
    outputs: dict[str, str] = {}
    for name, local in {**export_extras.published_files(captions, extras), **chapters}.items():
        outputs[name] = extra_key(sc.batch_video, local)
        sc.ctx.storage.upload(local, bucket, outputs[name], export_extras.content_type(local))
    progress.finish()
    sc.ctx.batch_videos.update(
        sc.ref.batch_id,
        sc.ref.video_id,
        sc.ctx.clock(),
        set_fields={"output_key": key, "output_video_url": f"s3://{bucket}/{key}"},
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
        outputs=outputs,
        captions=captions.mode if captions else None,
        captions_note=captions.note if captions else None,
    )
    return summary, None


export_video = timed_stage(Stage.EXPORTING.value, _export)
