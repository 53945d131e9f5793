"""Export: the one render of a video, with the cut plan, size, format and captions applied together;
then the files published beside it (captions, chapters, poster, thumbnail, cut lists, removed-parts
preview, highlight clips)."""

from dataclasses import dataclass
from pathlib import Path

from functions.domain import object_keys
from functions.domain.enums import CaptionsMode, ClipAspect, Stage
from functions.domain.media_values import Highlight, Highlights, Word
from functions.domain.models import BatchVideo
from functions.domain.stage_results import ClipSummary, ExportSummary, HighlightsSummary, TranscriptSummary
from functions.domain.uploads import safe_name
from functions.media import export_extras
from functions.media import render as render_media
from functions.media.clips import ClipWindow, HighlightClip, clip_windows, make_clips
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


def all_highlights(sc: StageContext) -> list[Highlight]:
    """Every highlight found (the summary holds only the first ones; the artifact holds them all)."""
    summary = sc.result.detecting_highlights
    if not isinstance(summary, HighlightsSummary):
        return []
    stored = sc.artifact(summary.artifact_key, Highlights)
    return stored.highlights if stored else summary.highlights


def clip_outputs(clips: list[HighlightClip]) -> tuple[list[ClipSummary], dict[str, Path]]:
    """Each clip's record (best first) and its files by output name: clip_1, clip_1_poster, …"""
    summaries: list[ClipSummary] = []
    files: dict[str, Path] = {}
    for number, clip in enumerate(clips, start=1):
        window = clip.window
        summary = ClipSummary(
            name=f"clip_{number}",
            poster=f"clip_{number}_poster",
            start=round(window.start, 3),
            end=round(window.end, 3),
            score=window.score,
        )
        summaries.append(summary)
        files.update({summary.name: clip.video, summary.poster: clip.poster})
    return summaries, files


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


@dataclass(frozen=True)
class PreparedRender:
    """The whole render plan, captions included, and the clips to cut after it."""

    plan: render_media.RenderPlan
    captions: PreparedCaptions | None
    words: list[Word]
    windows: list[ClipWindow]

    @property
    def main_share(self) -> float:
        """The output's share of the progress bar, by seconds rendered: the output, then the clips
        (counted as whole frames, though cropped)."""
        expected = self.plan.expected_duration
        return expected / (expected + sum(w.duration for w in self.windows))


def prepare_render(sc: StageContext, source: str | None = None) -> PreparedRender:
    """What the render needs; every task of a split render makes the same one. The source is the
    downloaded file unless `source` names another place to read it (a URL)."""
    settings = sc.settings
    info = sc.probe_result()
    clips_on = settings.highlight_clips is not ClipAspect.OFF
    words = transcript_words(sc) if settings.captions is not CaptionsMode.OFF or clips_on else []
    plan, captions = export_extras.prepare_captions(
        base_plan(sc, source if source is not None else str(sc.source())),
        info.duration,
        words,
        settings.captions,
        sc.workspace.path("extras"),
        EXTRAS_STEM,
        spoken_language(sc),
    )
    windows = (
        clip_windows(
            all_highlights(sc), plan.expected_duration, settings.highlight_clip_seconds, info.frame_rate
        )
        if clips_on
        else []
    )
    return PreparedRender(plan, captions, list(words), windows)


def _export(sc: StageContext) -> StageResult:
    prepared = prepare_render(sc)
    progress = sc.progress(Stage.EXPORTING)
    progress.begin()
    render_media.render(prepared.plan, on_progress=lambda fraction: progress(prepared.main_share * fraction))
    return publish(sc, prepared)


def publish(sc: StageContext, prepared: PreparedRender) -> StageResult:
    """After the render: chapters, clips, the upload of the output and of the files beside it, the
    record."""
    settings = sc.settings
    info = sc.probe_result()
    plan, captions, words, windows = prepared.plan, prepared.captions, prepared.words, prepared.windows
    clips_on = settings.highlight_clips is not ClipAspect.OFF
    extension = settings.export_format.value
    destination = plan.destination
    folder = sc.workspace.path("extras")
    progress = sc.progress(Stage.EXPORTING)
    main_share = prepared.main_share
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
    clips = make_clips(
        plan,
        info,
        windows,
        words,
        settings.highlight_clips,
        folder,
        EXTRAS_STEM,
        spoken_language(sc),
        on_progress=lambda fraction: progress(main_share + (1 - main_share) * fraction),
    )
    clip_summaries, clip_files = clip_outputs(clips)
    outputs: dict[str, str] = {}
    published = {**export_extras.published_files(captions, extras), **chapters, **clip_files}
    for name, local in published.items():
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
        clips=clip_summaries if clips_on else None,
    )
    return summary, None


export_video = timed_stage(Stage.EXPORTING.value, _export)
