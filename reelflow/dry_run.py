"""`reelflow cuts FILE`: what silence removal would cut, without rendering (for tuning thresholds)."""

import argparse
import itertools
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from functions.domain.errors import MediaError
from functions.domain.media_values import ProbeResult
from functions.domain.settings import BatchSettings
from functions.media.audio import extract_audio, loudness_frames
from functions.media.probe import probe
from functions.media.silence import plan_cuts
from reelflow.errors import CliError, ExitCode


def probe_file(path: Path) -> ProbeResult:
    """The file's probe, or one line saying why it is not a video `cuts` can read."""
    if not path.exists():
        raise CliError(f"{path}: no such file")
    if path.is_dir():
        raise CliError(f"{path} is a folder; `reelflow cuts` takes one video file")
    if path.stat().st_size == 0:
        raise CliError(f"{path} is empty (0 bytes): nothing to cut")
    if not os.access(path, os.R_OK):
        raise CliError(f"{path}: cannot be read (permission denied)")
    try:
        return probe(str(path))
    except MediaError as error:
        raise CliError(f"{path}: {error}") from error


def print_cuts(console: Console, args: argparse.Namespace) -> int:
    try:
        settings = BatchSettings(
            silence_threshold=args.silence_threshold,
            min_silence_duration=args.min_silence_duration,
            margin=args.margin,
        )
    except ValidationError as error:
        raise CliError(f"invalid settings: {error.errors()[0]['msg']}", ExitCode.USAGE) from error
    info = probe_file(args.file)
    if not info.has_audio:
        raise CliError(f"{args.file} has no audio: nothing to cut")
    with tempfile.TemporaryDirectory() as tmp:
        frames = loudness_frames(extract_audio(str(args.file), Path(tmp) / "a.wav", info.duration))
    plan = plan_cuts(
        frames, info.duration, settings.silence_threshold, settings.min_silence_duration, settings.margin
    )
    if args.json:
        print(plan.model_dump_json(indent=2, exclude_none=True))
        return 0
    table = Table(title=f"{args.file.name}: {plan.cuts} cuts at {settings.silence_threshold:g} dBFS")
    for column in ("#", "silence", "cut", "length"):
        table.add_column(column)
    keep = plan.keep
    cuts = [(a[1], b[0]) for a, b in itertools.pairwise(keep)]
    if keep and keep[0][0] > 0:
        cuts.insert(0, (0.0, keep[0][0]))
    if keep and keep[-1][1] < info.duration:
        cuts.append((keep[-1][1], info.duration))
    for i, ((start, end), (cut_start, cut_end)) in enumerate(zip(plan.silences, cuts, strict=False), start=1):
        table.add_row(
            str(i), f"{start:.2f}–{end:.2f}", f"{cut_start:.2f}–{cut_end:.2f}", f"{cut_end - cut_start:.2f} s"
        )
    console.print(table)
    console.print(
        f"keeps {len(keep)} pieces: {plan.kept_seconds:.1f} s of {info.duration:.1f} s "
        f"({plan.removed_seconds:.1f} s removed)"
    )
    return 0
