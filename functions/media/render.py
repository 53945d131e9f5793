"""The encode of a video: cuts, size and format applied together, in parts that stitch exactly.

The picture is rendered in parts (`functions/media/parts.py`), each an ffmpeg whose inputs seek straight
to the part's kept intervals, so the work grows with the frames kept, not with frames × cuts; the parts
run in parallel and are joined by the concat demuxer without re-encoding. The sound is rendered once
for the whole kept timeline (`audio_track.py`), sample-exact, so a join between two parts is only ever
a join between two frames: no AAC priming gap, no click. A short video is one part.
"""

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from functions.domain.enums import ExportFormat, ExportQuality
from functions.domain.media_values import Interval, ProbeResult
from functions.media.audio_track import output_channels, render_kept_audio
from functions.media.burn import finish_label, overlay_input
from functions.media.ffmpeg_run import ProgressCallback, in_context, run_ffmpeg
from functions.media.parts import PART_SECONDS, Part, longest_first, split_parts
from functions.media.stitch import stitch
from functions.media.subtitles import SubtitleTrack, burn_filter

CONTENT_TYPES = {
    ExportFormat.MP4: "video/mp4",
    ExportFormat.MOV: "video/quicktime",
    ExportFormat.WEBM: "video/webm",
}


@dataclass(frozen=True)
class Crop:
    """The part of the source frame kept before scaling (a highlight clip's 9:16 or square window)."""

    width: int
    height: int
    x: int
    y: int

    def filter(self) -> str:
        return f"crop={self.width}:{self.height}:{self.x}:{self.y},"


@dataclass(frozen=True)
class RenderPlan:
    source: str
    destination: Path
    export_format: ExportFormat
    quality: ExportQuality
    width: int
    height: int
    keep: tuple[Interval, ...]  # empty: the whole video
    has_audio: bool
    expected_duration: float
    audio_channels: int = 2  # of the rendered sound (audio_track.output_channels of the source's)
    subtitles: SubtitleTrack | None = None  # captions burnt in or muxed as a track, in the same encode
    frame_rate: float = 0.0
    source_duration: float = 0.0
    crop: Crop | None = None  # None: the whole frame, scaled to width × height
    source_options: tuple[str, ...] = ()  # ffmpeg's options before each `-i source` (a ranged read)

    def kept(self) -> tuple[Interval, ...]:
        """The source intervals rendered, frame-aligned (the whole video when nothing is cut)."""
        return self.keep or ((0.0, self.source_duration or self.expected_duration),)

    def parts(self, target_seconds: float = PART_SECONDS) -> tuple[Part, ...]:
        return split_parts(self.kept(), self.frame_rate, target_seconds)


def even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def output_size(width: int, height: int, quality: ExportQuality) -> tuple[int, int]:
    """Fit the shorter side to the quality's height, never upscaling, keeping the aspect ratio."""
    short, target = min(width, height), quality.height
    scale = min(1.0, target / short)
    return even(width * scale), even(height * scale)


def snap_to_frames(intervals: Sequence[Interval], frame_rate: float, duration: float) -> tuple[Interval, ...]:
    """Move cut points onto frame boundaries so each kept piece has as much audio as video:
    this keeps sound and picture in sync however many cuts there are."""
    fps = frame_rate if frame_rate > 0 else 30.0
    snapped: list[Interval] = []
    for start, end in intervals:
        a = round(max(0.0, start) * fps) / fps
        b = min(round(min(end, duration) * fps) / fps, duration)
        if b - a >= 1 / fps:
            snapped.append((round(a, 6), round(b, 6)))
    return tuple(snapped)


def plan_render(
    source: str,
    destination: Path,
    probe: ProbeResult,
    export_format: ExportFormat,
    quality: ExportQuality,
    keep: Sequence[Interval] | None = None,
    subtitles: SubtitleTrack | None = None,
) -> RenderPlan:
    width, height = output_size(probe.width, probe.height, quality)
    intervals = snap_to_frames(keep, probe.frame_rate, probe.duration) if keep is not None else ()
    whole = len(intervals) == 1 and intervals[0][0] <= 0 and intervals[0][1] >= probe.duration - 1e-3
    if keep is not None and not intervals:
        raise ValueError("nothing to keep: every part of the video was cut")
    intervals = () if whole else intervals
    expected = sum(b - a for a, b in intervals) if intervals else probe.duration
    return RenderPlan(
        source=source,
        destination=destination,
        export_format=export_format,
        quality=quality,
        width=width,
        height=height,
        keep=intervals,
        has_audio=probe.has_audio,
        audio_channels=output_channels(probe.audio_channels),
        expected_duration=round(expected, 3),
        subtitles=subtitles,
        frame_rate=probe.frame_rate,
        source_duration=probe.duration,
    )


def video_codec_args(export_format: ExportFormat) -> list[str]:
    """The picture's encoder: the same settings in every part, so the parts join as one stream."""
    if export_format is ExportFormat.WEBM:
        return ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-crf", "33"]
    return ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high"]


def part_container(export_format: ExportFormat) -> str:
    return "webm" if export_format is ExportFormat.WEBM else "mp4"


def _seconds(value: float) -> str:
    return f"{max(0.0, value):.6f}"


MERGE_GAP = 2.0  # seconds: decoding through a short cut costs less than seeking again (a keyframe away)
MAX_GROUP = 8  # pieces read from one input: each frame visits at most this many trims


def input_groups(pieces: Sequence[Interval]) -> list[list[Interval]]:
    """Consecutive pieces read from one input: a new input (a seek) only after a long cut."""
    groups: list[list[Interval]] = []
    for piece in pieces:
        if groups and piece[0] - groups[-1][-1][1] <= MERGE_GAP and len(groups[-1]) < MAX_GROUP:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups


def part_args(plan: RenderPlan, part: Part, destination: Path) -> list[str]:
    """One part's picture: an input per group of kept intervals, seeking straight to it (decoding from
    the keyframe before it) and trimmed to its pieces, all concatenated, scaled and encoded. Every cut
    point sits a quarter frame early, so frame k (at k/fps, give or take timestamp rounding) is kept
    exactly when a ≤ k/fps < b."""
    fps = plan.frame_rate if plan.frame_rate > 0 else 30.0
    early = 0.25 / fps
    source_end = plan.source_duration or float("inf")
    inputs: list[str] = []
    chains: list[str] = []
    labels: list[str] = []
    for i, group in enumerate(input_groups(part.pieces)):
        first, last = group[0][0], group[-1][1]
        inputs += ["-ss", _seconds(first - early) if first > 0 else "0"]
        if last < source_end - 0.5 / fps:
            inputs += ["-t", _seconds(last - first)]
        inputs += ["-an", "-sn", "-dn", *plan.source_options, "-i", plan.source]
        # the input's first frame sits a quarter frame after its seek point: restart its clock at zero
        # (else the offsets add up to a dropped frame slot every few cuts)
        if len(group) == 1:
            chains.append(f"[{i}:v:0]setpts=PTS-STARTPTS[p{len(labels)}]")
            labels.append(f"[p{len(labels)}]")
            continue
        chains.append(
            f"[{i}:v:0]setpts=PTS-STARTPTS,split={len(group)}"
            + "".join(f"[g{i}s{m}]" for m in range(len(group)))
        )
        for m, (a, b) in enumerate(group):
            trim = f"start={_seconds(a - first - early)}:end={_seconds(b - first - early)}"
            chains.append(f"[g{i}s{m}]trim={trim},setpts=PTS-STARTPTS[p{len(labels)}]")
            labels.append(f"[p{len(labels)}]")
    finish = (plan.crop.filter() if plan.crop else "") + (
        f"scale={plan.width}:{plan.height}:flags=bicubic,setsar=1,format=yuv420p"
    )
    bands = plan.subtitles.bands if plan.subtitles is not None and plan.subtitles.mode == "burn" else None
    if plan.subtitles is not None and plan.subtitles.mode == "burn" and bands is None:
        # the captions are timed on the output timeline: the part is drawn at its place in it
        finish += (
            f",setpts=PTS-STARTPTS+{part.offset:.6f}/TB,{burn_filter(plan.subtitles)},setpts=PTS-STARTPTS"
        )
    n = len(labels)
    joined = "".join(labels) + (f"concat=n={n}:v=1:a=0," if n > 1 else "null,")
    return [
        *inputs,
        *(overlay_input(bands) if bands else []),
        "-filter_complex",
        ";".join(chains)
        + f";{joined}{finish}{finish_label(bands, len(input_groups(part.pieces)), part.offset)}",
        "-map",
        "[vout]",
        *video_codec_args(plan.export_format),
        "-an",
        "-f",
        part_container(plan.export_format),
        str(destination),
    ]


def part_file(folder: Path, part: Part, export_format: ExportFormat) -> Path:
    return folder / f"part{part.index:04d}.{part_container(export_format)}"


def render_part(
    plan: RenderPlan, part: Part, destination: Path, on_progress: ProgressCallback | None = None
) -> Path:
    """One part's picture, on its own: what a pool thread runs locally and one Lambda runs on AWS."""
    run_ffmpeg(part_args(plan, part, destination), expected_seconds=part.duration, on_progress=on_progress)
    return destination


def render_sound(plan: RenderPlan, folder: Path) -> Path:
    """The sound of the whole kept timeline, rendered once (sample-exact across the parts' joins)."""
    return render_kept_audio(
        plan.source, plan.kept(), folder, plan.export_format, plan.source_options, plan.audio_channels
    )


def join_parts(plan: RenderPlan, pictures: Sequence[Path], sound: Path | None) -> Path:
    """The parts' pictures and the sound into the destination, without re-encoding."""
    return stitch(pictures, sound, plan.destination, plan.export_format, _soft(plan))


def render(
    plan: RenderPlan,
    on_progress: ProgressCallback | None = None,
    workers: int | None = None,
    part_seconds: float = PART_SECONDS,
) -> Path:
    """Render the plan: picture parts in parallel (a pool of `workers`, the cores by default) and the
    sound once, at the same time; then stitch them into the destination without re-encoding."""
    plan.destination.parent.mkdir(parents=True, exist_ok=True)
    folder = plan.destination.parent / f".{plan.destination.name}.parts"
    folder.mkdir(exist_ok=True)
    parts = plan.parts(part_seconds)
    tracker = _PartProgress(parts, on_progress)
    files = [part_file(folder, part, plan.export_format) for part in parts]
    pool_size = max(1, min(len(parts) + 1, workers or os.cpu_count() or 1))
    with ThreadPoolExecutor(pool_size, thread_name_prefix="render") as pool:
        audio = pool.submit(in_context(render_sound), plan, folder) if plan.has_audio else None
        jobs = [
            pool.submit(in_context(render_part), plan, part, files[part.index], tracker.callback(part.index))
            for part in longest_first(parts)
        ]
        for job in jobs:
            job.result()
        audio_file = audio.result() if audio is not None else None
    join_parts(plan, files, audio_file)
    for file in [*files, *([audio_file] if audio_file else [])]:
        file.unlink(missing_ok=True)
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    return plan.destination


def _soft(plan: RenderPlan) -> SubtitleTrack | None:
    return plan.subtitles if plan.subtitles is not None and plan.subtitles.mode == "soft" else None


class _PartProgress:
    """Fraction of the whole render from each part's own fraction, weighted by its length."""

    def __init__(self, parts: Sequence[Part], on_progress: ProgressCallback | None) -> None:
        self._weights = [part.duration for part in parts]
        self._done = [0.0] * len(parts)
        self._total = sum(self._weights) or 1.0
        self._on_progress = on_progress
        self._lock = threading.Lock()

    def callback(self, index: int) -> ProgressCallback | None:
        if self._on_progress is None:
            return None

        def report(fraction: float) -> None:
            with self._lock:
                self._done[index] = fraction * self._weights[index]
                done = sum(self._done) / self._total
            if self._on_progress is not None:
                self._on_progress(min(1.0, done))

        return report
