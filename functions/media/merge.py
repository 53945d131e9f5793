"""Merged export: every clip normalised to one format, joined in order, with a chapter per clip.

A concat of mixed inputs with `-c copy` exits 0 and writes a corrupt file, so every clip goes through
the same filters first: scale to fit + pad to one canvas, one frame rate, yuv420p, SAR 1, 48 kHz stereo
(a silent track for a clip without audio), each stream padded/trimmed to the clip's duration so
picture and sound stay together at every boundary.

Two ways to run it, same filters, same result:
- `single`: one ffmpeg with every clip as an input and one concat filter, one encode. Fastest on 2
  cores for a few clips, but ffmpeg opens every input at once: memory grows ~8 MB per input.
- `per_clip`: one encode per clip into a Matroska part (final video codec, PCM audio), then the concat
  demuxer copies the video and encodes the audio once (no AAC priming gaps between parts). Memory
  stays flat whatever the count, and progress can say which clip is being normalised.
`merge()` uses `single` up to SINGLE_PASS_MAX_CLIPS clips and `per_clip` beyond (see docs/exports.md
for the measurements).
"""

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from functions.domain.enums import ExportFormat, ExportQuality
from functions.domain.media_values import ProbeResult
from functions.media.ffmpeg_run import run_ffmpeg

SINGLE_PASS_MAX_CLIPS = 8
SAMPLE_RATE = 48000
DEFAULT_FPS = 30
Strategy = Literal["single", "per_clip"]
MergeProgress = Callable[[float, str], None]  # fraction done, current operation

_VIDEO = {
    ExportFormat.WEBM: [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-row-mt",
        "1",
        "-crf",
        "33",
        "-b:v",
        "0",
    ],
    ExportFormat.MP4: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high"],
    ExportFormat.MOV: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high"],
}
_AUDIO = {
    ExportFormat.WEBM: ["-c:a", "libopus", "-b:a", "128k"],
    ExportFormat.MP4: ["-c:a", "aac", "-b:a", "128k"],
    ExportFormat.MOV: ["-c:a", "aac", "-b:a", "128k"],
}
_CONTAINER = {
    ExportFormat.WEBM: ["-f", "webm"],
    ExportFormat.MP4: ["-movflags", "+faststart", "-f", "mp4"],
    ExportFormat.MOV: ["-movflags", "+faststart", "-f", "mov"],
}


@dataclass(frozen=True)
class MergeClip:
    source: str  # a local path (or any URL ffmpeg reads)
    title: str  # the chapter name
    probe: ProbeResult


@dataclass(frozen=True)
class MergeTarget:
    width: int
    height: int
    fps: int
    export_format: ExportFormat


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float
    end: float


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def merge_target(
    clips: Sequence[ProbeResult], quality: ExportQuality, export_format: ExportFormat, fps: int | None = None
) -> MergeTarget:
    """One canvas for every clip: the first clip's orientation and aspect ratio, its short side the
    quality's height but never more than the largest clip's (no upscaling of a whole batch of small
    videos); the highest input frame rate (capped at 60) unless `fps` is given."""
    if not clips:
        raise ValueError("nothing to merge: no clips")
    first = clips[0]
    short = min(quality.height, max(min(c.width, c.height) for c in clips))
    if first.width >= first.height:
        width, height = _even(short * first.width / first.height), _even(short)
    else:
        width, height = _even(short), _even(short * first.height / first.width)
    rate = fps or min(60, max(round(c.frame_rate) for c in clips)) or DEFAULT_FPS
    return MergeTarget(width=width, height=height, fps=rate, export_format=export_format)


def chapters(clips: Sequence[MergeClip]) -> list[Chapter]:
    found, cursor = [], 0.0
    for clip in clips:
        found.append(Chapter(clip.title, round(cursor, 3), round(cursor + clip.probe.duration, 3)))
        cursor += clip.probe.duration
    return found


def _escape(value: str) -> str:
    for char in ("\\", "=", ";", "#", "\n"):
        value = value.replace(char, "\\" + char)
    return value


def ffmetadata(items: Sequence[Chapter], title: str = "") -> str:
    """The FFMETADATA1 text that gives the output its chapters (in milliseconds)."""
    lines = [";FFMETADATA1"] + ([f"title={_escape(title)}"] if title else [])
    for chapter in items:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start * 1000)}",
            f"END={round(chapter.end * 1000)}",
            f"title={_escape(chapter.title)}",
        ]
    return "\n".join(lines) + "\n"


def normalise_filters(index: int, clip: MergeClip, target: MergeTarget) -> tuple[str, str]:
    """Filter chains for input `index`: its video → [v{index}], its audio (or silence) → [a{index}],
    both exactly the clip's duration."""
    w, h, d = target.width, target.height, clip.probe.duration
    video = (
        f"[{index}:v:0]scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bicubic,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps={target.fps},format=yuv420p,"
        f"tpad=stop_mode=clone:stop_duration={d:.3f},trim=duration={d:.3f},setpts=PTS-STARTPTS[v{index}]"
    )
    layout = f"aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=stereo"
    source = (
        f"[{index}:a:0]aresample={SAMPLE_RATE},{layout}"
        if clip.probe.has_audio
        else f"anullsrc=r={SAMPLE_RATE}:cl=stereo,{layout}"
    )
    audio = f"{source},apad,atrim=duration={d:.3f},asetpts=PTS-STARTPTS[a{index}]"
    return video, audio


def single_pass_args(
    clips: Sequence[MergeClip], target: MergeTarget, metadata: Path, destination: Path
) -> list[str]:
    inputs: list[str] = []
    graph: list[str] = []
    for i, clip in enumerate(clips):
        inputs += ["-i", clip.source]
        graph += normalise_filters(i, clip, target)
    n = len(clips)
    graph.append("".join(f"[v{i}][a{i}]" for i in range(n)) + f"concat=n={n}:v=1:a=1[v][a]")
    fmt = target.export_format
    return [
        *inputs,
        "-f",
        "ffmetadata",
        "-i",
        str(metadata),
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[v]",
        "-map",
        "[a]",
        "-map_metadata",
        str(n),
        "-map_chapters",
        str(n),
        *_VIDEO[fmt],
        *_AUDIO[fmt],
        "-ar",
        str(SAMPLE_RATE),
        *_CONTAINER[fmt],
        str(destination),
    ]


def part_args(clip: MergeClip, target: MergeTarget, destination: Path) -> list[str]:
    video, audio = normalise_filters(0, clip, target)
    return [
        "-i",
        clip.source,
        "-filter_complex",
        f"{video};{audio}",
        "-map",
        "[v0]",
        "-map",
        "[a0]",
        *_VIDEO[target.export_format],
        "-c:a",
        "pcm_s16le",
        "-f",
        "matroska",
        str(destination),
    ]


def join_args(concat_list: Path, target: MergeTarget, metadata: Path, destination: Path) -> list[str]:
    fmt = target.export_format
    return [
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(concat_list),
        "-f",
        "ffmetadata",
        "-i",
        str(metadata),
        "-map",
        "0:v",
        "-map",
        "0:a",
        "-map_metadata",
        "1",
        "-map_chapters",
        "1",
        "-c:v",
        "copy",
        *_AUDIO[fmt],
        "-ar",
        str(SAMPLE_RATE),
        *_CONTAINER[fmt],
        str(destination),
    ]


def merge(
    clips: Sequence[MergeClip],
    target: MergeTarget,
    destination: Path,
    *,
    title: str = "",
    strategy: Strategy | None = None,
    on_progress: MergeProgress | None = None,
) -> list[Chapter]:
    """Write the merged video to `destination`; returns its chapters. Temporary files (metadata,
    parts) live in a directory removed on return, whatever happens."""
    if not clips:
        raise ValueError("nothing to merge: no clips")
    chosen = strategy or ("single" if len(clips) <= SINGLE_PASS_MAX_CLIPS else "per_clip")
    marks = chapters(clips)
    total = marks[-1].end
    destination.parent.mkdir(parents=True, exist_ok=True)

    def report(fraction: float, operation: str) -> None:
        if on_progress is not None:
            on_progress(min(1.0, fraction), operation)

    with tempfile.TemporaryDirectory(prefix="merge-") as tmp:
        work = Path(tmp)
        metadata = work / "chapters.txt"
        metadata.write_text(ffmetadata(marks, title), encoding="utf-8")
        if chosen == "single":
            run_ffmpeg(
                single_pass_args(clips, target, metadata, destination),
                expected_seconds=total,
                on_progress=lambda f: report(f, f"merging {len(clips)} videos"),
            )
        else:
            parts = []
            for i, (clip, mark) in enumerate(zip(clips, marks, strict=True)):
                part = work / f"part{i:04d}.mkv"
                operation = f"normalising video {i + 1}/{len(clips)}"
                start, length = mark.start, mark.end - mark.start

                def part_progress(
                    f: float, start: float = start, length: float = length, op: str = operation
                ) -> None:
                    report(0.95 * (start + f * length) / total, op)

                run_ffmpeg(
                    part_args(clip, target, part),
                    expected_seconds=clip.probe.duration,
                    on_progress=part_progress,
                )
                parts.append(part)
            concat_list = work / "parts.txt"
            concat_list.write_text("".join(f"file '{p}'\n" for p in parts), encoding="utf-8")
            report(0.95, "joining videos")
            run_ffmpeg(join_args(concat_list, target, metadata, destination), expected_seconds=total)
        report(1.0, "merged")
    return marks
