"""`reelflow bench local` measures a real local stack: memory marks, latencies and the run overhead."""

import re
from pathlib import Path

from tests.e2e.test_cli import reelflow


def test_bench_local_prints_memory_latency_and_overhead(tmp_path: Path) -> None:
    result = reelflow(
        "bench",
        "local",
        "--creations",
        "4",
        "--videos",
        "5",
        "--reads",
        "3",
        "--clip-seconds",
        "1",
        home=tmp_path,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    for row in ("create (5 videos)", "GET one batch (5 videos)", "list, limit 20 (4 batches)"):
        assert re.search(re.escape(row) + r" │? ?\d+ │? ?\d+", text), text
    marks = re.search(r"RSS MB after N creations: ((?:\d+: \d+,? ?)+)", text)
    assert marks and len(marks.group(1).split(",")) == 5, text
    overhead = re.search(
        r"wall ([\d.]+) s, ffmpeg/ffprobe ([\d.]+) s \((\d+) processes\), orchestration overhead ([\d.]+) s",
        text,
    )
    assert overhead, text
    wall, media, processes, rest = (float(g) for g in overhead.groups())
    assert processes >= 2 and 0 < media < wall and abs(wall - media - rest) < 0.02
