"""`reelflow bench export` (alias `bench-export`) end to end on tiny sizes: it measures the exporter
in a child process. Run as a user runs it, in a fresh process: the session's embedded AWS enforces each
function's IAM role on every moto server of this process, which the benchmark's own moto never needs."""

import argparse
import os
import subprocess
import sys

from reelflow.cli import build_parser


def test_bench_export_reports_a_bounded_peak_for_each_batch_size(tmp_path):
    args = build_parser().parse_args(["bench", "export", "--counts", "2,4", "--video-mb", "1"])
    assert isinstance(args, argparse.Namespace)
    alias = build_parser().parse_args(["bench-export", "--counts", "2,4", "--video-mb", "1"])
    assert (alias.counts, alias.video_mb) == (args.counts, args.video_mb)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "REELFLOW_", "MOTO_"))},
        "REELFLOW_HOME": str(tmp_path),
        "COLUMNS": "200",
        "PYTHONIOENCODING": "utf-8",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "reelflow.cli", "bench", "export", "--counts", "2,4", "--video-mb", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    text = completed.stdout + completed.stderr
    assert completed.returncode == 0, text
    assert "Peak RSS stays under 200 MB" in text
    rows = [line for line in text.splitlines() if line.strip().startswith(("│", "|"))]
    assert [row.split("│")[1].strip() for row in rows] == ["2", "4"]
