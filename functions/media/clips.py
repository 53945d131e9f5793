"""Highlight clips a creator can post: a short vertical (9:16) or square clip around each of the top
highlights of a video, cut from the edited timeline (pauses already removed), with its captions burnt
into the picture and a poster of its own.

    windows = clip_windows(highlights, plan.expected_duration, seconds, probe.frame_rate)
    clips = make_clips(plan, probe, windows, words, aspect, folder, stem)

A window is `seconds` long (the whole output when that is shorter), centred on its highlight and moved
to stay inside the output; windows never overlap; the best-scored highlights come first, at most
`MAX_HIGHLIGHT_CLIPS` of them. A clip renders from the source (not from the output: no second
generation of compression, and no captions of the main render under its own), through the same render
as the output: its pieces of the source are the kept intervals that play inside its window, the picture
is cropped to the clip's shape around the centre of the frame, then scaled; its captions are the
transcript's words re-timed to the clip, in shorter lines for the narrower picture, and burnt in by the
same code as the output's (caption bands overlaid where ffmpeg has no libass). Clips are MP4 (H.264/AAC),
what every platform takes, whatever the batch's export format.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from functions.domain.enums import CaptionsMode, ClipAspect, ExportFormat, ExportQuality
from functions.domain.media_values import Highlight, Interval, ProbeResult, Word
from functions.domain.settings import MAX_HIGHLIGHT_CLIPS
from functions.media.captions import MAX_LINE_CHARS, TimeMap
from functions.media.export_extras import prepare_captions
from functions.media.ffmpeg_run import ProgressCallback
from functions.media.posters import make_posters, poster_time
from functions.media.render import Crop, RenderPlan, even, plan_render, render

RATIOS = {ClipAspect.VERTICAL: 9 / 16, ClipAspect.SQUARE: 1.0}  # width / height
WIDE = 16 / 9  # the picture MAX_LINE_CHARS is made for
MIN_LINE_CHARS = 16


@dataclass(frozen=True)
class ClipWindow:
    """Where a clip sits on the edited output (seconds), and the moment of its highlight inside it."""

    start: float
    end: float
    focus: float
    score: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def _focus(highlight: Highlight, start: float, end: float) -> float:
    """The first moment of the highlight that plays in the output (a keyword spoken, a peak), else its
    middle."""
    moments = [m.output_time for m in highlight.moments if m.output_time is not None]
    return moments[0] if moments else (start + end) / 2


def clip_windows(
    highlights: Sequence[Highlight],
    output_duration: float,
    seconds: float,
    frame_rate: float,
    max_clips: int = MAX_HIGHLIGHT_CLIPS,
) -> list[ClipWindow]:
    """Up to `max_clips` windows of `seconds` (whole frames; the whole output when shorter) around the
    best-scored highlights that survived the edit, each centred on its highlight and kept inside
    [0, output_duration]. A window that would overlap one chosen before it moves beside that one when it
    still holds its highlight (the span, or its moment when the span is longer than the window), else
    the highlight gets no clip. Best first."""
    fps = frame_rate if frame_rate > 0 else 30.0
    total = math.floor(output_duration * fps + 1e-6)
    length = min(max(1, round(seconds * fps)), total)
    if length <= 0:
        return []
    shown = [h for h in highlights if h.output_start is not None and h.output_end is not None]
    ranked = sorted(shown, key=lambda h: (-h.score, h.output_start))
    taken: list[tuple[int, int]] = []
    windows: list[ClipWindow] = []
    for highlight in ranked:
        if len(windows) >= max_clips:
            break
        assert highlight.output_start is not None and highlight.output_end is not None
        focus = _focus(highlight, highlight.output_start, highlight.output_end)
        need = (round(highlight.output_start * fps), round(highlight.output_end * fps))
        if need[1] - need[0] > length:
            need = (round(focus * fps), round(focus * fps))
        need = (min(need[0], total), min(need[1], total))  # a time rounded past the last whole frame
        centred = round((highlight.output_start + highlight.output_end) / 2 * fps) - length // 2
        first = _place(min(max(0, centred), total - length), length, need, taken, total)
        if first is None:
            continue
        taken.append((first, first + length))
        start, end = round(first / fps, 6), round((first + length) / fps, 6)
        windows.append(ClipWindow(start, end, round(min(max(focus, start), end), 6), highlight.score))
    return windows


def _place(
    first: int, length: int, need: tuple[int, int], taken: Sequence[tuple[int, int]], total: int
) -> int | None:
    """The first frame of a window of `length` frames nearest `first` that lies in [0, total], holds the
    frames `need` and overlaps nothing `taken`: where it is, or against a neighbour's side."""
    # `first` moved the least to hold `need` (centring on a span rounds it a frame off its edge)
    holding = min(max(first, need[1] - length, 0), need[0], total - length)
    candidates = [first, holding, *(b for _, b in taken), *(a - length for a, _ in taken)]
    fitting = [
        c
        for c in candidates
        if 0 <= c <= total - length
        and c <= need[0]
        and need[1] <= c + length
        and not any(c < b and a < c + length for a, b in taken)
    ]
    return min(fitting, key=lambda c: (abs(c - first), c)) if fitting else None


def clip_frame(width: int, height: int, aspect: ClipAspect, quality: ExportQuality) -> tuple[Crop, int, int]:
    """The centred part of a `width` × `height` frame with the clip's shape, and the clip's size: that
    part scaled so its short side (the width) is at most the quality's, never upscaled, even."""
    ratio = RATIOS[aspect]
    crop_width = min(width // 2 * 2, even(height * ratio))
    crop_height = min(height // 2 * 2, even(crop_width / ratio))
    crop = Crop(crop_width, crop_height, (width - crop_width) // 2, (height - crop_height) // 2)
    out_width = min(crop_width, even(quality.height))
    return crop, out_width, min(crop_height, even(out_width / ratio))


def line_chars(width: int, height: int) -> int:
    """Characters per caption line for a picture of this shape: fewer as it narrows."""
    return max(MIN_LINE_CHARS, min(MAX_LINE_CHARS, round(MAX_LINE_CHARS * (width / height) / WIDE)))


def plan_clip(
    source: str,
    destination: Path,
    probe: ProbeResult,
    keep: Sequence[Interval],
    window: ClipWindow,
    aspect: ClipAspect,
    quality: ExportQuality,
) -> RenderPlan:
    """The render of one clip: the source pieces that play inside `window` of the output that keeps
    `keep`, cropped to the clip's shape and scaled."""
    pieces = TimeMap(keep).source_pieces(window.start, window.end)
    plan = plan_render(source, destination, probe, ExportFormat.MP4, quality, pieces)
    crop, width, height = clip_frame(probe.width, probe.height, aspect, quality)
    return replace(plan, crop=crop, width=width, height=height)


@dataclass(frozen=True)
class HighlightClip:
    video: Path
    poster: Path
    window: ClipWindow


def make_clips(
    output: RenderPlan,
    probe: ProbeResult,
    windows: Sequence[ClipWindow],
    words: Sequence[Word],
    aspect: ClipAspect,
    folder: Path,
    stem: str,
    language: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[HighlightClip]:
    """`stem`.clip1.mp4 and `stem`.clip1.poster.jpg, … in `folder`: a clip and its poster for each
    window of the output that `output` rendered; `on_progress` hears the fraction of the clips' seconds
    rendered."""
    if aspect is ClipAspect.OFF or not probe.width or not probe.height:
        return []
    clips: list[HighlightClip] = []
    total = sum(w.duration for w in windows) or 1.0
    done = 0.0
    for number, window in enumerate(windows, start=1):
        name = f"{stem}.clip{number}"
        plan = plan_clip(
            output.source, folder / f"{name}.mp4", probe, output.kept(), window, aspect, output.quality
        )
        if words:  # captions drawn into the picture, as a burn of the output is
            plan, _ = prepare_captions(
                plan,
                probe.duration,
                words,
                CaptionsMode.BURN,
                folder / f"{name}.captions",
                name,
                language,
                line_chars(plan.width, plan.height),
            )
        render(plan, on_progress=_share(on_progress, done / total, window.duration / total))
        at = poster_time(plan.expected_duration, [window.focus - window.start])
        posters = make_posters(plan.destination, at, folder / f"{name}.posters", name)
        clips.append(HighlightClip(plan.destination, posters.poster, window))
        done += window.duration
    return clips


def _share(report: ProgressCallback | None, before: float, weight: float) -> ProgressCallback | None:
    if report is None:
        return None
    return lambda fraction: report(before + weight * fraction)
