"""`reelflow bench export` (alias `bench-export`) end to end on tiny sizes: it measures the exporter
in a child process."""

import argparse
import io
from unittest.mock import patch

from rich.console import Console

from reelflow.cli import build_parser


def test_bench_export_reports_a_bounded_peak_for_each_batch_size():
    args = build_parser().parse_args(["bench", "export", "--counts", "2,4", "--video-mb", "1"])
    assert isinstance(args, argparse.Namespace)
    alias = build_parser().parse_args(["bench-export", "--counts", "2,4", "--video-mb", "1"])
    assert (alias.counts, alias.video_mb) == (args.counts, args.video_mb)
    out = io.StringIO()
    with patch("reelflow.cli.console", Console(file=out, width=200)):
        code = args.func(args)
    text = out.getvalue()
    assert code == 0, text
    assert "Peak RSS stays under 200 MB" in text
    rows = [line for line in text.splitlines() if line.strip().startswith(("│", "|"))]
    assert [row.split("│")[1].strip() for row in rows] == ["2", "4"]
