"""The one encode of a video: cuts, size and format applied together."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from functions.domain.enums import ExportFormat, ExportQuality
from functions.domain.media_values import Interval, ProbeResult
from functions.media.burn import finish_label, overlay_input
from functions.media.ffmpeg_run import ProgressCallback, run_ffmpeg
from functions.media.subtitles import SubtitleTrack, burn_filter, soft_track_input, soft_track_output

CONTENT_TYPES = {
    ExportFormat.MP4: "video/mp4",
    ExportFormat.MOV: "video/quicktime",
    ExportFormat.WEBM: "video/webm",
}


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
    subtitles: SubtitleTrack | None = None  # captions burnt in or muxed as a track, in the same encode


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def output_size(width: int, height: int, quality: ExportQuality) -> tuple[int, int]:
    """Fit the shorter side to the quality's height, never upscaling, keeping the aspect ratio."""
    short, target = min(width, height), quality.height
    scale = min(1.0, target / short)
    return _even(width * scale), _even(height * scale)


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
        expected_duration=round(expected, 3),
        subtitles=subtitles,
    )


def _codec_args(export_format: ExportFormat, has_audio: bool) -> list[str]:
    if export_format is ExportFormat.WEBM:
        video = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"]
        video += ["-crf", "33", "-b:v", "0"]
        audio = ["-c:a", "libopus", "-b:a", "96k", "-ar", "48000"]
        container = ["-f", "webm"]
    else:
        video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high"]
        audio = ["-c:a", "aac", "-b:a", "128k", "-ar", "48000"]
        container = ["-movflags", "+faststart", "-f", "mp4" if export_format is ExportFormat.MP4 else "mov"]
    return video + (audio if has_audio else ["-an"]) + container


def build_filtergraph(plan: RenderPlan) -> tuple[str, list[str]]:
    """A filter_complex and the -map arguments for its outputs."""
    finish = f"scale={plan.width}:{plan.height}:flags=bicubic,setsar=1,format=yuv420p"
    bands = plan.subtitles.bands if plan.subtitles is not None and plan.subtitles.mode == "burn" else None
    if plan.subtitles is not None and plan.subtitles.mode == "burn" and bands is None:
        finish += "," + burn_filter(plan.subtitles)
    if not plan.keep:
        graph = f"[0:v:0]{finish}{finish_label(bands)}"
        maps = ["-map", "[vout]"] + (["-map", "0:a:0"] if plan.has_audio else [])
        return graph, maps
    n = len(plan.keep)
    parts = [f"[0:v:0]split={n}" + "".join(f"[vs{i}]" for i in range(n))]
    if plan.has_audio:
        parts.append(f"[0:a:0]asplit={n}" + "".join(f"[as{i}]" for i in range(n)))
    concat_inputs = []
    for i, (start, end) in enumerate(plan.keep):
        parts.append(f"[vs{i}]trim=start={start}:end={end},setpts=PTS-STARTPTS[v{i}]")
        concat_inputs.append(f"[v{i}]")
        if plan.has_audio:
            parts.append(f"[as{i}]atrim=start={start}:end={end},asetpts=PTS-STARTPTS[a{i}]")
            concat_inputs.append(f"[a{i}]")
    audio_count = 1 if plan.has_audio else 0
    outputs = "[vc][aout]" if plan.has_audio else "[vc]"
    parts.append("".join(concat_inputs) + f"concat=n={n}:v=1:a={audio_count}{outputs}")
    parts.append(f"[vc]{finish}{finish_label(bands)}")
    maps = ["-map", "[vout]"] + (["-map", "[aout]"] if plan.has_audio else [])
    return ";".join(parts), maps


def render_args(plan: RenderPlan) -> list[str]:
    graph, maps = build_filtergraph(plan)
    soft = plan.subtitles if plan.subtitles is not None and plan.subtitles.mode == "soft" else None
    bands = plan.subtitles.bands if plan.subtitles is not None else None
    return [
        "-i",
        plan.source,
        *(soft_track_input(soft) if soft else []),
        *(overlay_input(bands) if bands else []),
        "-filter_complex",
        graph,
        *maps,
        *(soft_track_output(soft, plan.export_format) if soft else []),
        *_codec_args(plan.export_format, plan.has_audio),
        str(plan.destination),
    ]


def render(plan: RenderPlan, on_progress: ProgressCallback | None = None) -> Path:
    plan.destination.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(render_args(plan), expected_seconds=plan.expected_duration, on_progress=on_progress)
    return plan.destination
