"""The export of a long video as a Map over its parts (statemachines/batch.asl.json, "Render parts").

On Lambda the export task first decides: a video whose edit is one part long renders at once, as on
every other route; a longer one only answers its parts. Each part's picture, and the sound of the whole
kept timeline, is then one Media invocation that uploads what it rendered to the work prefix and
answers its key; the stitch task joins them without re-encoding and publishes as the one render does.
Every task rebuilds the same render plan from what the earlier stages recorded, so the state carries
part numbers and keys only. The parts read the source by URL in byte ranges, each only its own
intervals, and move the video's bar as they finish (parts_progress.py). The Fargate worker keeps the
one render (its own pool over the parts).
"""

import time
from dataclasses import replace
from pathlib import Path

from functions.domain import object_keys
from functions.domain.capacity import parts_at_once
from functions.domain.enums import Stage, VideoStatus
from functions.domain.errors import MediaError
from functions.domain.map_results import each_planned_once
from functions.domain.pipeline_contract import (
    ExportOutcome,
    PartItem,
    RenderedPart,
    RenderPartInput,
    StitchInput,
    VideoRef,
)
from functions.domain.stage_results import StageOutcome
from functions.media import render as render_media
from functions.media.ffmpeg_run import watched
from functions.media.parts import Part, longest_first
from functions.media.ranged_input import input_options
from functions.services.capacity import capacity_in_force
from functions.services.context import Services
from functions.services.stages.exporting import base_plan, export_video, prepare_render, publish
from functions.services.stages.parts_progress import PartsProgress
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, timed_stage, video_stop_check

PARTS_TIMING = "rendering_parts"  # the parts' Lambda seconds, beside the stages' own in `timings`


class PartsMissingError(MediaError):
    """The stitch was handed other parts than the plan has (a part failed without failing the Map)."""


def _parts(sc: StageContext, plan: render_media.RenderPlan) -> tuple[Part, ...]:
    return plan.parts(sc.ctx.config.render_part_seconds)


def plan_export(ctx: Services, ref: VideoRef) -> ExportOutcome:
    """Render a short video at once; answer a long one's pieces (its sound, then its pictures)."""
    sc = StageContext(ctx, ref)
    plan = base_plan(sc, sc.video.s3_key)  # only its parts are read: no download
    parts = _parts(sc, plan)
    if len(parts) <= 1:
        outcome = export_video(ctx, ref)
        return ExportOutcome(**outcome.model_dump(), split=False, parts=[], part_concurrency=1)
    video = ref.video().model_dump()
    # The sound first: it is the one piece as long as the whole edit, so it starts while the pictures
    # render instead of after them, when the Map has fewer slots than pieces; then the pictures,
    # longest first, so the last round is short.
    items = [PartItem(**video, kind="sound", index=0)] if plan.has_audio else []
    items += [PartItem(**video, kind="picture", index=part.index) for part in longest_first(parts)]
    # a retry starts the parts over: none rendered yet, the bar free to move at once
    fresh = {"rendered_parts": None, "progress_written_at": None}
    ctx.batch_videos.update(
        ref.batch_id, ref.video_id, ctx.clock(), set_fields=fresh, only_if=VideoStatus.PROCESSING
    )
    sc.progress(Stage.EXPORTING).begin()
    # The video's parts hold at most its share of the media function's slots (issue 22: parts count as
    # work in flight; docs/scale.md), so every admitted video splitting at once still fits them.
    concurrency = parts_at_once(len(items), ctx.config.render_part_concurrency, capacity_in_force(ctx))
    return ExportOutcome(stage=Stage.EXPORTING.value, split=True, parts=items, part_concurrency=concurrency)


def part_key(ref: VideoRef, kind: str, index: int, extension: str) -> str:
    return object_keys.work_key(ref.batch_id, ref.video_id, f"parts/{kind}{index:04d}.{extension}")


def render_part(ctx: Services, item: RenderPartInput) -> RenderedPart:
    """One piece of the split render, uploaded to the work prefix. ffmpeg reads the pinned source by a
    presigned URL: a picture part fetches its own intervals in ranges, not the whole file (no download
    into /tmp); the sound streams the whole file once, in one GET. A finished picture part moves the
    video's bar."""
    started = time.monotonic()
    sc = StageContext(ctx, item.video())
    read = sc.source_read()
    prepared = prepare_render(sc, source=read.url)
    ranges = ctx.config.source_request_bytes if item.kind == "picture" else None  # the sound reads it all
    plan = replace(prepared.plan, source_options=input_options(read, ranges))
    parts = _parts(sc, plan)
    bar = PartsProgress(
        ctx,
        item.video(),
        sc.progress(Stage.EXPORTING).span,
        parts,
        prepared.main_share,
        sc.batch_video.rendered_parts or (),
    )
    folder = sc.workspace.path("parts")
    folder.mkdir(exist_ok=True)
    with sc.pinned_reads(), watched(should_stop=video_stop_check(ctx, item.video())):
        if item.kind == "sound":
            file = render_media.render_sound(plan, folder)
        else:
            part = parts[item.index]
            destination = render_media.part_file(folder, part, plan.export_format)
            file = render_media.render_part(plan, part, destination, bar.rendering(part.index))
    key = part_key(item, item.kind, item.index, file.suffix.lstrip("."))
    ctx.storage.upload(file, ctx.config.media_bucket, key)
    if item.kind == "picture":
        bar.finished(item.index)
    seconds = round(time.monotonic() - started, 3)
    return RenderedPart(kind=item.kind, index=item.index, key=key, seconds=seconds)


def _stitch(sc: StageContext, rendered: list[RenderedPart]) -> StageResult:
    prepared = prepare_render(sc)
    plan = prepared.plan
    parts = _parts(sc, plan)
    wanted = [("picture", part.index) for part in parts] + ([("sound", 0)] if plan.has_audio else [])
    pieces = each_planned_once(rendered, lambda piece: (piece.kind, piece.index), wanted)
    if pieces is None:
        raise PartsMissingError(
            f"The split render has {len(rendered)} rendered pieces, not the {len(wanted)} its plan has"
        )
    folder = sc.workspace.path("parts")
    folder.mkdir(exist_ok=True)

    def fetch(kind: str, index: int) -> Path:
        key = pieces[(kind, index)].key
        return sc.ctx.storage.download(sc.ctx.config.media_bucket, key, folder / Path(key).name)

    pictures = [fetch("picture", part.index) for part in parts]
    sound = fetch("sound", 0) if plan.has_audio else None
    render_media.join_parts(plan, pictures, sound)
    return publish(sc, prepared)


def stitch_parts(ctx: Services, item: StitchInput) -> StageOutcome:
    """Join the rendered pieces and publish the output, recorded as the export stage (its own seconds);
    the parts' seconds are recorded beside it, as `timings.rendering_parts`."""
    rendered = item.rendered
    outcome = timed_stage(Stage.EXPORTING.value, lambda sc: _stitch(sc, rendered))(ctx, item.video())
    ctx.batch_videos.update(
        item.batch_id,
        item.video_id,
        ctx.clock(),
        set_fields={f"processing_result.timings.{PARTS_TIMING}": round(sum(p.seconds for p in rendered), 3)},
    )
    return outcome
