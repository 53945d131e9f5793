"""`reelflow cuts FILE`: what silence removal would cut, without rendering (for tuning thresholds)."""

import argparse
import itertools
import tempfile
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from functions.domain.settings import BatchSettings
from functions.media.audio import extract_audio, loudness_frames
from functions.media.probe import probe
from functions.media.silence import plan_cuts


def print_cuts(console: Console, args: argparse.Namespace) -> int:
    try:
        settings = BatchSettings(
            silence_threshold=args.silence_threshold,
            min_silence_duration=args.min_silence_duration,
            margin=args.margin,
        )
    except ValidationError as error:
        raise SystemExit(f"Invalid settings: {error.errors()[0]['msg']}") from error
    info = probe(str(args.file))
    if not info.has_audio:
        raise SystemExit(f"{args.file} has no audio: nothing to cut")
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
