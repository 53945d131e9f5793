"""What the export stage adds around the one render: captions (before it: they may go into it), then
the poster and thumbnail, the cut lists and the removed-parts preview (after it).

    plan = plan_render(source, destination, probe, fmt, quality, keep)
    plan, captions = prepare_captions(plan, probe.duration, words, mode, folder, stem, language)
    render(plan)
    extras = finish_extras(plan, probe, source_name, folder, stem, highlight_starts, cut_lists, ...)
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from functions.domain.enums import CaptionsMode, ExportQuality
from functions.domain.media_values import ProbeResult, Word
from functions.media.burn import write_bands
from functions.media.captions import MAX_LINE_CHARS, CaptionFiles, Interval, build_cues, write_captions
from functions.media.posters import make_posters, poster_time
from functions.media.render import CONTENT_TYPES, RenderPlan, render
from functions.media.subtitles import SubtitleTrack, can_burn, effective_mode
from functions.media.timelines import plan_removed_parts, write_cut_lists

EXTRA_CONTENT_TYPES = {
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".edl": "text/plain",
    ".txt": "text/plain; charset=utf-8",
    ".fcpxml": "application/xml",
    **{f".{fmt.value}": content_type for fmt, content_type in CONTENT_TYPES.items()},
}


def content_type(path: Path) -> str:
    return EXTRA_CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def kept_intervals(plan: RenderPlan, source_duration: float) -> tuple[Interval, ...]:
    """The source intervals the render keeps, frame-snapped (the whole video when nothing is cut)."""
    return plan.keep or ((0.0, source_duration),)


@dataclass(frozen=True)
class PreparedCaptions:
    files: CaptionFiles
    mode: CaptionsMode  # what is delivered: a burn becomes soft where ffmpeg has no libass
    note: str | None = None


def prepare_captions(
    plan: RenderPlan,
    source_duration: float,
    words: Sequence[Word],
    mode: CaptionsMode,
    folder: Path,
    stem: str,
    language: str | None = None,
    max_chars: int = MAX_LINE_CHARS,
) -> tuple[RenderPlan, PreparedCaptions | None]:
    """Write `stem`.srt and `stem`.vtt timed to the plan's edit (lines of at most `max_chars`); for
    `burn` or `soft`, the plan carries the subtitle track into the same render. `off` leaves the plan
    as it is."""
    if mode is CaptionsMode.OFF:
        return plan, None
    files = write_captions(words, kept_intervals(plan, source_duration), folder, stem, max_chars)
    if mode is CaptionsMode.SIDECAR:
        return plan, PreparedCaptions(files, mode)
    if files.cue_count == 0:  # ffmpeg cannot read an empty subtitle file, and there is nothing to show
        silent = "No words were heard: the (empty) captions are published as files only"
        return plan, PreparedCaptions(files, CaptionsMode.SIDECAR, silent)
    if mode is CaptionsMode.BURN and not can_burn():  # no libass: overlay caption bands drawn beforehand
        cues = build_cues(words, kept_intervals(plan, source_duration), max_chars=max_chars)
        bands = write_bands(cues, plan.width, plan.height, plan.expected_duration, folder / f"{stem}.bands")
        track = SubtitleTrack(files.srt, "burn", language, bands)
        return replace(plan, subtitles=track), PreparedCaptions(files, CaptionsMode.BURN)
    delivered, note = effective_mode("burn" if mode is CaptionsMode.BURN else "soft")
    track = SubtitleTrack(files.srt, delivered, language)
    return replace(plan, subtitles=track), PreparedCaptions(files, CaptionsMode(delivered), note)


@dataclass(frozen=True)
class Extras:
    files: dict[str, Path] = field(default_factory=dict)  # output name (poster, thumbnail, edl, …) → file


def published_files(captions: PreparedCaptions | None, extras: Extras) -> dict[str, Path]:
    """Every file to publish beside the video, by output name (captions_srt, captions_vtt, poster,
    thumbnail, edl, fcpxml, removed_parts)."""
    files = {"captions_srt": captions.files.srt, "captions_vtt": captions.files.vtt} if captions else {}
    return {**files, **extras.files}


def finish_extras(
    plan: RenderPlan,
    probe: ProbeResult,
    source_name: str,
    folder: Path,
    stem: str,
    highlight_starts: Sequence[float] = (),
    cut_lists: bool = False,
    removed_parts_preview: bool = False,
    removed_piece_seconds: float | None = 3.0,
) -> Extras:
    """After the render: poster and thumbnail of the output; with `cut_lists`, an EDL and an FCPXML of
    the kept intervals against `source_name`; with `removed_parts_preview`, a video of what was cut."""
    keep = kept_intervals(plan, probe.duration)
    posters = make_posters(
        plan.destination, poster_time(plan.expected_duration, highlight_starts, keep), folder, stem
    )
    files = {"poster": posters.poster, "thumbnail": posters.thumbnail}
    if cut_lists:
        lists = write_cut_lists(keep, probe, source_name, folder, stem)
        files.update(edl=lists.edl, fcpxml=lists.fcpxml)
    if removed_parts_preview:
        destination = folder / f"{stem}.removed{plan.destination.suffix}"
        preview = plan_removed_parts(
            plan.source,
            destination,
            probe,
            keep,
            plan.export_format,
            ExportQuality.Q720P,  # a preview to watch, not to publish
            max_piece_seconds=removed_piece_seconds,
        )
        if preview is not None:
            files["removed_parts"] = render(preview)
    return Extras(files)
