"""The AWS model of `reelflow bench long`: critical path and cost from measured part times."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from functions.config import RuntimeConfig
from functions.media import parts, speech_parts
from reelflow import bench_long
from reelflow.bench_long import Measured, aws_model
from reelflow.bench_overhead import run_watching_cpu


def measured(**changes: object) -> Measured:
    values: dict[str, object] = {
        "minutes": 10.0,
        "duration": 600.0,
        "kept": 0.8,
        "baseline": 70.0,
        "run": 60.0,
        "analysis": 1.0,
        "one_cpu": 120.0,
        "split_cpu": 125.0,
        "split_wall": 62.0,
        "part_seconds": [14.0, 15.0, 16.0, 13.0],
        "part_media": [120.0, 120.0, 120.0, 120.0],
        "stitch": 0.5,
        "output_mb": 40.0,
        "source_mb": 80.0,
        "whisper_rate": 30.0,
    }
    values.update(changes)
    return Measured(**values)


def test_the_bench_uses_the_renders_part_length_and_the_transcriptions_group():
    assert bench_long.PART_SECONDS == parts.PART_SECONDS
    assert bench_long.GROUP_SECONDS == speech_parts.GROUP_SECONDS
    assert RuntimeConfig.model_fields["transcription_group_seconds"].default == speech_parts.GROUP_SECONDS


def test_critical_path_is_analysis_slowest_speech_group_slowest_render_part_stitch_and_transfers():
    model = aws_model(measured(), s3_mbps=80.0)
    # 480 s of speech: two groups of at most 300 s, one Transcriber each, reading the 16 kHz audio
    transfers = (80 + 2 * 10 + 2 * 40) / 80 + 2 * 600 * 32_000 / 1e6 / 80
    assert model.transfers == pytest.approx(transfers)
    assert model.critical == pytest.approx(1.0 + 300 / 30 + 16.0 + 0.5 + transfers)


def test_the_slowest_group_not_the_whole_speech_is_on_the_critical_path():
    """An hour of speech is heard by twelve Transcribers at once, not one: the path holds one group."""
    long = aws_model(measured(kept=1.0), 80.0, scale_minutes=60)
    whole_speech = 3600 / 30
    assert long.critical < whole_speech / 2
    short = aws_model(measured(duration=120.0, kept=0.5), 80.0)  # 60 s of speech: one invocation
    assert short.critical == pytest.approx(1.0 + 60 / 30 + 16.0 + 0.5 + short.transfers)
    assert short.transfers == pytest.approx((80 + 2 * 10 + 2 * 40) / 80)  # no audio handed around


def test_scaling_to_a_longer_talk_adds_parts_not_part_time():
    short, long = aws_model(measured(), 80.0), aws_model(measured(), 80.0, scale_minutes=60)
    assert long.critical > short.critical
    assert long.critical - long.transfers < 6 * (short.critical - short.transfers)  # parts run side by side
    assert long.cost_whisper == pytest.approx(short.cost_whisper, rel=0.1)  # cost per minute stays flat


def test_transcribe_costs_its_list_price_per_kept_minute_on_top():
    model = aws_model(measured(), 80.0)
    # whisper: its GB-seconds, the plan, two groups and the join, and the Map's transitions
    whisper = (600 * 0.8 / 30) * 3.0 * 0.0000166667 + 4 * 0.0000002 + (4 * 2 + 3) * 0.000025
    assert model.cost_transcribe - model.cost_whisper == pytest.approx(0.8 * 0.024 - whisper / 10, rel=1e-6)


def test_a_measured_1080p_part_sets_the_slowest_part_and_the_sizes():
    from reelflow.bench_long import HdPart

    hd = HdPart(seconds=40.0, source_mb_per_minute=60.0, output_mb_per_minute=30.0)
    plain, scaled = aws_model(measured(), 80.0, 60), aws_model(measured(), 80.0, 60, hd)
    audio = 2 * 3600 * 32_000 / 1e6 / 80  # the speech groups' audio, uploaded once and read by each group
    transfers = (60 * 60 + 2 * 30 * 60 * 0.8 / 24 + 2 * 30 * 60 * 0.8) / 80 + audio
    assert scaled.transfers == pytest.approx(transfers)
    # the slowest part 16 → 40 s; the stitch (a remux) follows the bytes: 240 MB → 1,440 MB
    stitch_growth = 0.5 * 6 * (1440 / 240) - 0.5 * 6
    assert scaled.critical - scaled.transfers == pytest.approx(
        plain.critical - plain.transfers + 24.0 + stitch_growth
    )
    assert scaled.cost_whisper > plain.cost_whisper  # 1080p parts take longer than 720p ones


def test_parts_held_to_the_videos_share_of_the_slots_run_in_rounds_of_the_slowest():
    one_each, three = aws_model(measured(), 80.0), aws_model(measured(), 80.0, part_slots=3)
    assert three.critical - one_each.critical == pytest.approx(16.0)  # 4 parts, 3 at a time: two rounds
    # two speech groups, one slot: two rounds of the slowest group too
    one_slot = aws_model(measured(), 80.0, part_slots=1)
    assert one_slot.critical - one_each.critical == pytest.approx(3 * 16.0 + 300 / 30)
    assert three.cost_whisper == one_each.cost_whisper  # the same pieces, billed alike
    assert aws_model(measured(), 80.0, part_slots=4).critical == one_each.critical


def test_a_fresh_process_cpu_is_read_until_it_exits() -> None:
    burn = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.3:\n    pass\n"
    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc here: the bench prints wall times only")
    used = run_watching_cpu([sys.executable, "-c", burn], dict(os.environ))
    assert used is not None and used >= 0.25  # the last reading is at most a few milliseconds old
    with pytest.raises(subprocess.CalledProcessError):
        run_watching_cpu([sys.executable, "-c", "raise SystemExit(2)"], dict(os.environ))


def test_repeated_overheads_print_their_median_and_range() -> None:
    from io import StringIO

    from rich.console import Console

    from reelflow.bench_overhead import Overhead, print_overheads, spread

    assert spread([0.5, 0.3, 0.9]) == "0.50 s (0.30–0.90)"
    out = StringIO()
    costs = [
        Overhead(3.0, first, last, 0.4, 2.0, cpu) for first, last, cpu in ((2.0, 0.4, 0.3), (2.4, 0.6, 0.5))
    ]
    print_overheads(Console(file=out, width=400), costs, "any later one")
    text = out.getvalue()
    assert "2 runs" in text and "2.20 s (2.00–2.40)" in text and "0.50 s (0.40–0.60)" in text
    assert "after the last ffmpeg: 0.40 s (0.30–0.50)" in text
