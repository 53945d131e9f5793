"""`reelflow bench`: stage speeds on a generated talk, against a plain ffmpeg re-encode in the same run.

Figures: media seconds per wall second (x realtime) for each stage; the ratio of "analyse silence +
render once at 720p with the cuts" to "plain libx264 veryfast 720p re-encode" (target ≤ 0.95); and the
peak memory of the analysis on two lengths of the same talk (it should not grow with length).
"""

import argparse
import json
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.table import Table

from functions.domain.enums import ExportFormat, ExportQuality, HighlightSensitivity
from functions.domain.media_values import CutPlan
from functions.media import highlights
from functions.media.audio import extract_audio, loudness_frames
from functions.media.ffmpeg_run import run_ffmpeg
from functions.media.probe import probe
from functions.media.render import plan_render, render
from functions.media.scenes import detect_scene_cuts
from functions.media.silence import plan_cuts
from reelflow.local.samples import Truth, make_sample, talk_script

T = TypeVar("T")
THRESHOLD, MIN_SILENCE, MARGIN = -35.0, 1.0, 0.2


def timed(work: Callable[[], T]) -> tuple[T, float, float]:
    """(result, wall seconds, peak Python memory in MB)."""
    tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def talk_video(folder: Path, minutes: float) -> tuple[Path, Truth]:
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / f"talk-{minutes:g}min.mp4"
    truth_file = video.with_suffix(".truth.json")
    if video.exists() and truth_file.exists():
        return video, Truth(**json.loads(truth_file.read_text()))
    segments, scenes = talk_script(minutes)
    truth = make_sample(video, segments, width=1280, height=720, fps=30, scene_seconds=scenes)
    truth_file.write_text(json.dumps(asdict(truth)))
    return video, truth


def baseline_encode(source: Path, destination: Path) -> None:
    """What anyone would run without reelflow: a plain 720p re-encode of the whole video."""
    run_ffmpeg(
        [
            "-i",
            str(source),
            "-vf",
            "scale=-2:720",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            str(destination),
        ]
    )


def analyse(source: Path, work: Path, duration: float) -> tuple[CutPlan, Any]:
    """The cut plan, and the loudness frames it came from (highlights and whisper reuse them)."""
    wav = extract_audio(str(source), work / "audio.wav", duration)
    frames = loudness_frames(wav)
    return plan_cuts(frames, duration, THRESHOLD, MIN_SILENCE, MARGIN), frames


def highlight_analysis(source: Path, frames: Any, duration: float) -> tuple[list[Any], list[float]]:
    cuts = detect_scene_cuts(str(source))
    events = highlights.loudness_peaks(frames) + highlights.scene_events([(c.time, c.strength) for c in cuts])
    return highlights.build_highlights(events, duration, HighlightSensitivity.MEDIUM), [c.time for c in cuts]


def trimmed_copy(source: Path, seconds: float, destination: Path) -> Path:
    run_ffmpeg(["-i", str(source), "-t", f"{seconds}", "-c", "copy", str(destination)])
    return destination


def run_benchmark(console: Console, args: argparse.Namespace) -> int:
    folder: Path = args.dir
    with console.status(f"Generating (or reusing) a {args.minutes:g}-minute 720p talk in {folder}…"):
        video, truth = talk_video(folder, args.minutes)
    info = probe(str(video))
    duration = info.duration
    work = folder / "work"
    work.mkdir(exist_ok=True)
    console.print(
        f"Input: {video} ({duration:.0f} s, {info.width}x{info.height}, {(info.size or 0) / 1e6:.1f} MB); "
        f"speech from {'espeak-ng' if truth.has_speech else 'tones'}"
    )
    rows: list[tuple[str, float, str]] = []

    _, baseline_seconds, _ = timed(lambda: baseline_encode(video, work / "baseline.mp4"))
    rows.append(("baseline: ffmpeg libx264 veryfast 720p re-encode", baseline_seconds, ""))

    (plan, frames), silence_seconds, silence_mem = timed(lambda: analyse(video, work, duration))
    found = len(plan.silences)
    expected = sum(1 for s, e in truth.silences if e - s >= MIN_SILENCE)
    rows.append(
        (
            "removing_silence analysis (decode audio, loudness, cuts)",
            silence_seconds,
            f"{found} silences (truth {expected}), {plan.removed_seconds:.0f} s removed",
        )
    )

    render_plan = plan_render(
        str(video), work / "cut.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, plan.keep
    )
    _, render_seconds, _ = timed(lambda: render(render_plan))
    rendered = probe(str(render_plan.destination))
    rows.append(
        (
            "exporting: one render, 720p, with the cuts",
            render_seconds,
            f"{rendered.duration:.0f} s out (expected {render_plan.expected_duration:.0f} s)",
        )
    )

    (chosen, cuts), highlight_seconds, highlight_mem = timed(
        lambda: highlight_analysis(video, frames, duration)
    )
    matched = sum(1 for t in truth.scene_cuts if any(abs(t - c) <= 0.1 for c in cuts))
    rows.append(
        (
            "detecting_highlights analysis (peaks, keyframe+packet scene cuts)",
            highlight_seconds,
            f"{len(chosen)} highlights; scene cuts {len(cuts)} found, "
            f"{matched}/{len(truth.scene_cuts)} true cuts within 0.1 s",
        )
    )

    if not args.skip_transcription:
        from functions.media.whisper import WhisperEngine

        transcript, transcribe_seconds, _ = timed(
            lambda: WhisperEngine(beam_size=1).transcribe(work / "audio.wav", "en", duration, frames)
        )
        rows.append(
            (
                "transcribing (faster-whisper tiny.en int8, beam 1)",
                transcribe_seconds,
                f"{len(transcript.words)} words",
            )
        )

    table = Table(title=f"reelflow bench: {duration:.0f} s of 720p30 talk, {_cores()} cores")
    for column in ("step", "wall s", "x realtime", "notes"):
        table.add_column(column)
    for name, seconds, note in rows:
        table.add_row(name, f"{seconds:.2f}", f"{duration / seconds:.0f}x", note)
    console.print(table)

    ratio = (silence_seconds + render_seconds) / baseline_seconds
    console.print(
        f"[bold]remove silence + export 720p[/] / plain 720p re-encode = "
        f"({silence_seconds:.2f} + {render_seconds:.2f}) / {baseline_seconds:.2f} = [bold]{ratio:.2f}[/] "
        f"(target ≤ 0.95: {'met' if ratio <= 0.95 else 'NOT met'})"
    )
    slowest = min(duration / silence_seconds, duration / highlight_seconds)
    console.print(
        f"analysis stages: slowest {slowest:.0f}x realtime (target ≥ 300x: "
        f"{'met' if slowest >= 300 else 'NOT met'})"
    )

    short = trimmed_copy(video, duration / 3, work / "short.mp4")
    _, _, short_silence_mem = timed(lambda: analyse(short, work, duration / 3))
    console.print(
        f"peak Python memory of the silence analysis: {short_silence_mem:.1f} MB for {duration / 3:.0f} s, "
        f"{silence_mem:.1f} MB for {duration:.0f} s (loudness frames only: 100 floats per second); "
        f"highlight analysis {highlight_mem:.1f} MB; largest ffmpeg child "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB RSS"
    )
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 1
