"""`reelflow bench long`: long talks, run the way a user runs them, and what the split render buys.

For each length (minutes), on a generated 720p30 talk cached in `--dir`:

- **run / plain re-encode**: the wall time of `reelflow run` (a fresh process: silence removal and the
  720p export, the way a user runs it) against a plain ffmpeg 720p re-encode of the same file, compared
  with the kept fraction × 1.10 (a run should cost what the media it keeps costs); and the same run with
  `--on-serve` on a `reelflow serve` started once for the whole bench (no local AWS started per run);
- **CPU of the split render against one render**: the CPU seconds of the ffmpeg children of both;
- **AWS critical path** from the measured time of each part rendered alone (as one Lambda would):
  analysis + transcription of the slowest group of speech parts (one Transcriber invocation each, the
  "Transcribe parts" Map) + the slowest part + stitch + S3 transfers at `--s3-mbps`; and the same model
  scaled to a 60-minute talk with the measured rates;
- **cost per media minute** at list prices: Lambda GB-seconds for the analysis, the parts, the stitch
  and whisper on Lambda, or Amazon Transcribe per minute instead of whisper.
"""

import argparse
import json
import math
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console
from rich.table import Table

from functions.domain.capacity import NEW_ACCOUNT, RAISED_ACCOUNT, derived_capacity
from reelflow.bench_overhead import measure_overheads, reelflow_command, running_serve

if TYPE_CHECKING:
    import numpy as np

    from functions.media.render import RenderPlan

T = TypeVar("T")

# List prices, us-east-1 (x86): Lambda per GB-second and per request; Transcribe standard per minute;
# Step Functions standard per state transition; S3 PUT/GET per request.
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.0000002
TRANSCRIBE_MINUTE = 0.024
SFN_TRANSITION = 0.000025
S3_PUT, S3_GET = 0.000005, 0.0000004
PART_SECONDS = 120.0  # functions.media.parts.PART_SECONDS (checked by the bench's test); kept light here
GROUP_SECONDS = 300.0  # functions.media.speech_parts.GROUP_SECONDS: speech one Transcriber invocation hears
WAV_BYTES_PER_SECOND = 32_000  # the 16 kHz mono WAV the groups read (uploaded once, read by each group)
PART_MEMORY_GB = 3.5  # 2 vCPU (Lambda gives one vCPU per 1,769 MB): the 2 cores measured here
WHISPER_MEMORY_GB = 3.0
TRANSITIONS_PER_PART = 4  # Map iteration: enter, task, succeed, leave
FIXED_TRANSITIONS = 20


@dataclass
class Measured:
    minutes: float
    duration: float
    kept: float
    baseline: float
    run: float
    analysis: float
    one_cpu: float
    split_cpu: float
    split_wall: float
    part_seconds: list[float]
    part_media: list[float]
    stitch: float
    output_mb: float
    source_mb: float
    whisper_rate: float | None  # media seconds per wall second on one part
    part_read_mb: list[float] = field(default_factory=list)  # of the source, each part by URL in ranges
    baselines: list[float] = field(default_factory=list)  # each plain re-encode; `baseline` the fastest
    run_on_serve: float | None = None  # `reelflow run --on-serve` on a serve already running


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_and_wall(work: Callable[[], T]) -> tuple[T, float, float]:
    cpu, wall = children_cpu(), time.perf_counter()
    result = work()
    return result, children_cpu() - cpu, time.perf_counter() - wall


def fresh_run(source: Path, work: Path, serve_home: Path | None = None) -> float:
    """`reelflow run` in a new process on a folder holding only `source`: wall seconds. With
    `serve_home`, `--on-serve` on that running serve (bench_overhead.running_serve)."""
    folder = work / "run-in"
    folder.mkdir(exist_ok=True)
    link = folder / source.name
    if not link.exists():
        link.symlink_to(source.resolve())
    settings = ["--no-transcribe", "--no-detect-highlights", "--remove-silence", "--export-quality", "720p"]
    with tempfile.TemporaryDirectory(prefix="reelflow-bench-home-") as home:
        started = time.perf_counter()
        subprocess.run(
            [
                reelflow_command(),
                "run",
                str(folder),
                "--out",
                str(work / "run-out"),
                *settings,
                *(["--on-serve"] if serve_home else []),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "REELFLOW_HOME": str(serve_home or home)},
        )
        return time.perf_counter() - started


def parts_one_by_one(plan: "RenderPlan", folder: Path) -> tuple[list[Path], list[float], list[int]]:
    """Each part rendered alone, one after another, reading the source over HTTP in ranges as a part on
    Lambda reads S3: its wall time is what one Lambda would take, and the bytes it was sent what it
    read of the source."""
    from dataclasses import replace

    from functions.config import RuntimeConfig
    from functions.domain.links import SignedRead
    from functions.media.ffmpeg_run import run_ffmpeg
    from functions.media.ranged_input import input_options
    from functions.media.render import part_args
    from reelflow.ranged_server import serve_ranges

    request_bytes = RuntimeConfig.model_fields["source_request_bytes"].default
    files, seconds, read = [], [], []
    with serve_ranges(Path(plan.source)) as served:
        remote = replace(
            plan, source=served.url, source_options=input_options(SignedRead(served.url), request_bytes)
        )
        for part in remote.parts():
            file = folder / f"part{part.index:04d}.mp4"
            before = served.sent
            started = time.perf_counter()
            run_ffmpeg(part_args(remote, part, file), expected_seconds=part.duration)
            seconds.append(time.perf_counter() - started)
            read.append(served.sent - before)
            files.append(file)
    return files, seconds, read


def whisper_speed(audio: Path, seconds: float, frames: "np.ndarray") -> float | None:
    """x realtime of faster-whisper (tiny.en int8, beam 1) on the first `seconds` of the talk."""
    from functions.media.ffmpeg_run import run_ffmpeg

    try:
        from functions.media.whisper import WhisperEngine
    except ImportError:
        return None
    clip = audio.with_name("whisper-part.wav")
    run_ffmpeg(["-i", str(audio), "-t", f"{seconds}", str(clip)])
    started = time.perf_counter()
    WhisperEngine(beam_size=1).transcribe(clip, "en", seconds, frames[: round(seconds * 100)])
    return seconds / (time.perf_counter() - started)


def measure(
    console: Console, folder: Path, minutes: float, with_whisper: bool, serve_home: Path | None = None
) -> Measured:
    from functions.domain.enums import ExportFormat, ExportQuality
    from functions.media.probe import probe
    from functions.media.render import plan_render, render
    from functions.media.stitch import stitch
    from reelflow.bench import analyse, baseline_encode, talk_video

    with console.status(f"Generating (or reusing) a {minutes:g}-minute 720p talk in {folder}…"):
        video, _ = talk_video(folder, minutes)
    info = probe(str(video))
    work = folder / f"long-{minutes:g}"
    work.mkdir(exist_ok=True)

    def plain() -> float:
        started = time.perf_counter()
        baseline_encode(video, work / "baseline.mp4")
        return time.perf_counter() - started

    # The plain re-encode's own time moves by ±10 % between runs here: it runs before and after the
    # run, and the faster is the baseline, so a slow one never flatters the ratio.
    with console.status(f"{minutes:g} min: plain re-encode (baseline), before the run…"):
        before = plain()
    with console.status(f"{minutes:g} min: reelflow run, fresh process…"):
        run = fresh_run(video, work)
    run_on_serve = None
    if serve_home is not None:
        with console.status(f"{minutes:g} min: reelflow run --on-serve, fresh process…"):
            run_on_serve = fresh_run(video, work, serve_home)
    with console.status(f"{minutes:g} min: plain re-encode (baseline), after the run…"):
        baselines = [before, plain()]
    with console.status(f"{minutes:g} min: analysis…"):
        started = time.perf_counter()
        cut_plan, frames = analyse(video, work, info.duration)
        analysis = time.perf_counter() - started
    plan = plan_render(
        str(video), work / "one.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, cut_plan.keep
    )
    with console.status(f"{minutes:g} min: one render…"):
        _, one_cpu, _ = cpu_and_wall(lambda: render(plan, part_seconds=1e9, workers=1))
    split_plan = plan_render(
        str(video), work / "split.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, cut_plan.keep
    )
    with console.status(f"{minutes:g} min: split render ({len(split_plan.parts())} parts, pool of cores)…"):
        _, split_cpu, split_wall = cpu_and_wall(lambda: render(split_plan))
    with console.status(f"{minutes:g} min: each part alone (one Lambda each)…"):
        parts_dir = work / "parts"
        parts_dir.mkdir(exist_ok=True)
        files, part_seconds, part_read = parts_one_by_one(split_plan, parts_dir)
        started = time.perf_counter()
        stitch(files, None, work / "stitched.mp4", ExportFormat.MP4)
        stitch_seconds = time.perf_counter() - started
    whisper_rate = None
    if with_whisper:
        with console.status(f"{minutes:g} min: whisper on one 2-minute speech part…"):
            whisper_rate = whisper_speed(work / "audio.wav", min(PART_SECONDS, info.duration), frames)
    return Measured(
        minutes=minutes,
        duration=info.duration,
        kept=plan.expected_duration / info.duration,
        baseline=min(baselines),
        baselines=baselines,
        run=run,
        analysis=analysis,
        one_cpu=one_cpu,
        split_cpu=split_cpu,
        split_wall=split_wall,
        part_seconds=part_seconds,
        part_media=[p.duration for p in split_plan.parts()],
        stitch=stitch_seconds,
        output_mb=(work / "split.mp4").stat().st_size / 1e6,
        source_mb=(info.size or 0) / 1e6,
        whisper_rate=whisper_rate,
        part_read_mb=[size / 1e6 for size in part_read],
        run_on_serve=run_on_serve,
    )


@dataclass
class HdPart:
    """One 120-second part rendered at 1080p from a 1080p source, as one Lambda would: `seconds` is the
    render's wall time scaled to a part of exactly `PART_SECONDS` of output."""

    seconds: float
    source_mb_per_minute: float
    output_mb_per_minute: float
    picture: str = "talk"


HD_PICTURES = {
    "talk": "the bench's talk generator at 1080p (slides, a speaker, scene changes)",
    "noise": "testsrc2 at 1080p: a busy picture, the worst case for the encoder and the transfers",
}


def hd_source(folder: Path, picture: str) -> Path:
    """A 1080p30 source of about `PART_SECONDS`, generated once into `folder`."""
    from functions.media.ffmpeg_run import run_ffmpeg
    from reelflow.local.samples import make_sample, talk_script

    source = folder / f"part-1080p-{picture}.mp4"
    if source.exists():
        return source
    if picture == "talk":
        segments, scenes = talk_script(PART_SECONDS / 60)
        make_sample(source, segments, width=1920, height=1080, fps=30, scene_seconds=scenes)
        return source
    size = f"1920x1080:rate=30:duration={PART_SECONDS:g}"
    sources = ["-f", "lavfi", "-i", f"testsrc2=size={size}", "-f", "lavfi", "-i", "sine=f=300:d=120"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    run_ffmpeg([*sources, *codecs, "-shortest", str(source)])
    return source


def hd_part(folder: Path, picture: str = "talk") -> HdPart:
    from functions.domain.enums import ExportFormat, ExportQuality
    from functions.media.ffmpeg_run import run_ffmpeg
    from functions.media.probe import probe
    from functions.media.render import part_args, plan_render

    source = hd_source(folder, picture)
    info = probe(str(source))
    output = folder / f"part-1080p-{picture}-out.mp4"
    plan = plan_render(str(source), output, info, ExportFormat.MP4, ExportQuality.Q1080P, None)
    (part,) = plan.parts(info.duration + 1)
    started = time.perf_counter()
    run_ffmpeg(part_args(plan, part, output), expected_seconds=part.duration)
    seconds = (time.perf_counter() - started) * PART_SECONDS / part.duration
    minutes = info.duration / 60
    return HdPart(seconds, (info.size or 0) / 1e6 / minutes, output.stat().st_size / 1e6 / minutes, picture)


@dataclass
class AwsModel:
    critical: float
    transfers: float
    cost_whisper: float
    cost_transcribe: float


def aws_model(
    m: Measured,
    s3_mbps: float,
    scale_minutes: float | None = None,
    hd: HdPart | None = None,
    part_slots: int | None = None,
) -> AwsModel:
    """The wall time with one Lambda per part, and the cost per media minute, from measured rates.
    With `scale_minutes`, the same rates applied to a talk of that length (parts stay the same size);
    with `hd`, its parts and sizes are those of the measured 1080p part; with `part_slots`, the parts run
    that many at a time (the video's share of the media function, `Capacity.part_slots`), in rounds of
    the slowest part."""
    factor = (scale_minutes * 60 / m.duration) if scale_minutes else 1.0
    duration = m.duration * factor
    part_count = max(1, round(len(m.part_seconds) * factor))
    analysis = m.analysis * factor
    stitch_s = m.stitch * factor
    slowest = max(m.part_seconds)
    part_times = [t * factor for t in m.part_seconds]
    source_mb, output_mb = m.source_mb * factor, m.output_mb * factor
    if hd is not None:
        slowest = max(slowest, hd.seconds)
        part_times = [hd.seconds * (media / PART_SECONDS) * factor for media in m.part_media]
        source_mb = hd.source_mb_per_minute * duration / 60
        output_mb = hd.output_mb_per_minute * duration * m.kept / 60
        stitch_s *= output_mb / (m.output_mb * factor)  # a remux: its time follows the bytes
    # the analysis Lambda reads the source; each part reads only its ranges (ranged GETs) and writes
    # its part; the stitch reads the parts and writes the output
    part_mb = output_mb / part_count
    transfers = (source_mb + 2 * part_mb + 2 * output_mb) / s3_mbps
    # whisper hears the speech in groups, one Transcriber each (a short talk: one group): the slowest is a
    # full group; a split one uploads its audio once and each group reads it
    speech = duration * m.kept
    groups = max(1, math.ceil(speech / GROUP_SECONDS))
    whisper_wall = (min(GROUP_SECONDS, speech) / m.whisper_rate) if m.whisper_rate else 0.0
    if m.whisper_rate and groups > 1:
        transfers += 2 * duration * WAV_BYTES_PER_SECOND / 1e6 / s3_mbps
    rounds = math.ceil(part_count / part_slots) if part_slots else 1
    group_rounds = math.ceil(groups / part_slots) if part_slots else 1
    critical = analysis + whisper_wall * group_rounds + slowest * rounds + stitch_s + transfers
    minutes = duration / 60
    render_gb_s = sum(part_times) * PART_MEMORY_GB
    fixed_gb_s = (analysis + stitch_s + transfers) * PART_MEMORY_GB
    whisper_gb_s = (duration * m.kept / m.whisper_rate) * WHISPER_MEMORY_GB if m.whisper_rate else 0.0
    base = (render_gb_s + fixed_gb_s) * LAMBDA_GB_SECOND + (part_count + 3) * LAMBDA_REQUEST
    base += (FIXED_TRANSITIONS + TRANSITIONS_PER_PART * part_count * 2) * SFN_TRANSITION
    base += (2 * part_count + 4) * (S3_PUT + S3_GET)
    with_whisper = base + whisper_gb_s * LAMBDA_GB_SECOND + (groups + 2) * LAMBDA_REQUEST  # + plan, join
    with_whisper += (TRANSITIONS_PER_PART * groups + 3) * SFN_TRANSITION if groups > 1 else 0.0
    with_transcribe = base + duration * m.kept / 60 * TRANSCRIBE_MINUTE
    return AwsModel(critical, transfers, with_whisper / minutes, with_transcribe / minutes)


def report(
    console: Console, results: list[Measured], s3_mbps: float, scale_to: float, hds: list[HdPart]
) -> None:
    table = Table(title=f"reelflow bench long: 720p30 talks, {os.cpu_count()} cores, S3 at {s3_mbps:g} MB/s")
    columns = ["minutes", "kept", "plain s", "run s", "run/plain", "≤ kept×1.10", "on serve/plain"]
    columns += ["one CPU s", "split CPU s"]
    columns += [
        "split/one",
        "parts",
        "slowest part s",
        "stitch s",
        "AWS path s",
        "$/min whisper",
        "$/min Transcribe",
    ]
    for column in columns:
        table.add_column(column)
    for m in results:
        model = aws_model(m, s3_mbps)
        ratio = m.run / m.baseline
        table.add_row(
            f"{m.minutes:g}",
            f"{m.kept:.2f}",
            f"{m.baseline:.1f}",
            f"{m.run:.1f}",
            f"{ratio:.2f}",
            f"{m.kept * 1.10:.2f} {'met' if ratio <= m.kept * 1.10 else 'NOT met'}",
            f"{m.run_on_serve / m.baseline:.2f}" if m.run_on_serve else "",
            f"{m.one_cpu:.1f}",
            f"{m.split_cpu:.1f}",
            f"{m.split_cpu / m.one_cpu:.2f}",
            str(len(m.part_seconds)),
            f"{max(m.part_seconds):.1f}",
            f"{m.stitch:.2f}",
            f"{model.critical:.0f}",
            f"{model.cost_whisper:.4f}",
            f"{model.cost_transcribe:.4f}",
        )
    console.print(table)
    for m in results:
        if m.part_read_mb and m.source_mb:
            reads, source = m.part_read_mb, m.source_mb
            console.print(
                f"{m.minutes:g} min: each part read {min(reads):.1f}–{max(reads):.1f} MB of the "
                f"{source:.1f} MB source by URL in ranges (at most {max(reads) / source:.2f} of it; all "
                f"{len(reads)} parts {sum(reads) / source:.2f}× it, a download per part {len(reads)}×)"
            )
    longest = max(results, key=lambda r: r.duration)
    scaled = aws_model(longest, s3_mbps, scale_to)
    console.print(
        f"{scale_to:g}-minute talk on AWS from the {longest.minutes:g}-minute rates (parts of "
        f"{PART_SECONDS:g} s, one Lambda of {PART_MEMORY_GB:g} GB each): critical path "
        f"[bold]{scaled.critical:.0f} s[/] (of which transfers {scaled.transfers:.0f} s); "
        f"cost per media minute [bold]${scaled.cost_whisper:.4f}[/] with whisper on Lambda, "
        f"${scaled.cost_transcribe:.4f} with Amazon Transcribe"
    )
    for hd in hds:
        model = aws_model(longest, s3_mbps, scale_to, hd)
        console.print(
            f"{scale_to:g}-minute [bold]1080p[/] talk on AWS, the picture {HD_PICTURES[hd.picture]}; a "
            f"120-second 1080p part measured at "
            f"{hd.seconds:.1f} s ({hd.source_mb_per_minute:.0f} MB/min in, "
            f"{hd.output_mb_per_minute:.0f} MB/min out): critical path [bold]{model.critical:.0f} s[/] "
            f"(target ≤ 120 s; transfers "
            f"{model.transfers:.0f} s); cost per media minute [bold]${model.cost_whisper:.4f}[/] with "
            f"whisper on Lambda (target ≤ $0.005), ${model.cost_transcribe:.4f} with Amazon Transcribe"
        )
        for account, quotas in (("new", NEW_ACCOUNT), ("raised", RAISED_ACCOUNT)):
            slots = derived_capacity(quotas).part_slots
            capped = aws_model(longest, s3_mbps, scale_to, hd, part_slots=slots)
            console.print(
                f"  the same under a {account} account's default caps ({slots} parts of a video at a time, "
                f"docs/scale.md): critical path [bold]{capped.critical:.0f} s[/]"
            )


def run_long_benchmark(console: Console, args: argparse.Namespace) -> int:
    lengths = [float(x) for x in str(args.lengths).split(",") if x.strip()]
    results = []
    # one serve for the whole bench, started with the overhead's ffmpeg wrappers (they log, nothing more)
    console.print("Starting a reelflow serve for `run --on-serve`…")
    with running_serve(args.dir / "overhead") as serve_home:
        measure_overheads(console, args.dir, serve_home)
        for minutes in lengths:
            results.append(measure(console, args.dir, minutes, not args.skip_transcription, serve_home))
            latest = results[-1]
            parts = ", ".join(f"{p:.1f}" for p in latest.part_seconds)
            on_serve = latest.run_on_serve or math.nan
            console.print(
                f"{minutes:g} min: run {latest.run:.1f} s / plain {latest.baseline:.1f} s (the faster of "
                f"{', '.join(f'{b:.1f}' for b in latest.baselines)} s) = "
                f"{latest.run / latest.baseline:.2f} (kept {latest.kept:.2f}); --on-serve {on_serve:.1f} s "
                f"= {on_serve / latest.baseline:.2f}; "
                f"split CPU {latest.split_cpu:.1f} s / one {latest.one_cpu:.1f} s; parts {parts} s"
            )
            if args.json:
                args.json.write_text(json.dumps([m.__dict__ for m in results], indent=2))
    hds = []
    for picture in () if args.skip_hd else HD_PICTURES:
        with console.status(f"a 120-second 1080p part ({picture}), as one Lambda would render it…"):
            hds.append(hd_part(args.dir, picture))
    report(console, results, args.s3_mbps, args.scale_to, hds)
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lengths", default="10,30,60", help="long: talk lengths in minutes (10,30,60)")
    parser.add_argument(
        "--s3-mbps", type=float, default=80.0, help="long: S3 throughput per Lambda, MB/s (80)"
    )
    parser.add_argument(
        "--scale-to", type=float, default=60.0, help="long: minutes of the modelled talk (60)"
    )
    parser.add_argument("--json", type=Path, default=None, help="long: also write the measurements here")
    parser.add_argument("--skip-hd", action="store_true", help="long: leave out the 1080p part")
