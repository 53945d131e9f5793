"""`reelflow bench-export`: peak memory of a streaming ZIP export against the size of the batch.

An embedded S3 (moto server, in this process) holds synthetic "videos"; each export runs in a child
process that reports its own peak RSS, so the figure is the exporter alone (Python, boto3, the read
window and the upload parts), not the fake S3. Run with 10 and 50 videos of the same size: the peak
should be the same (bounded by the window and part sizes), whatever the total.
"""

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
from typing import Any

from rich.console import Console
from rich.table import Table

BUCKET = "bench-exports"
MiB = 1024 * 1024
TARGET_PEAK_MB = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--video-mb", type=float, default=16.0, help="export: size of each synthetic video (16 MB)"
    )
    parser.add_argument(
        "--counts", default="10,50", help="export: batch sizes to export, comma-separated (10,50)"
    )


def _environment(endpoint: str) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def _seed(endpoint: str, count: int, size: int) -> list[str]:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    s3.create_bucket(Bucket=BUCKET)
    block = os.urandom(MiB)
    body = (block * (size // MiB + 1))[:size]
    keys = [f"outputs/bench/{i:03d}_video.mp4" for i in range(1, count + 1)]
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return keys


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own address space; the
    rusage maximum would also count the parent's memory at fork time (it survives exec on Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


def child(count: int) -> None:
    """Export the first `count` seeded videos; print the result and this process's peak RSS."""
    from functions.adapters.aws import s3
    from functions.adapters.zip_export import ZipSource, export_zip

    keys = sorted(o["Key"] for o in s3().list_objects_v2(Bucket=BUCKET, Prefix="outputs/bench/")["Contents"])
    sources = [ZipSource(BUCKET, key, key.rsplit("/", 1)[-1]) for key in keys[:count]]
    started = time.perf_counter()
    result = export_zip(sources, BUCKET, f"exports/bench/{count}.zip", extra={"results.json": b"{}"})
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    print(json.dumps({"count": count, "size": result.size, "seconds": seconds, "peak_mb": peak_mb}))


def measure(endpoint: str, count: int) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "reelflow.bench_export", "--child", str(count)],
        env=_environment(endpoint),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run_export_benchmark(console: Console, args: argparse.Namespace) -> int:
    from moto.server import ThreadedMotoServer

    from reelflow.local.cloud import free_port

    counts = sorted(int(c) for c in str(args.counts).split(",") if c.strip())
    size = int(args.video_mb * MiB)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        with console.status(f"Putting {max(counts)} synthetic videos of {args.video_mb:g} MB in S3 (moto)…"):
            _seed(endpoint, max(counts), size)
        rows = []
        for count in counts:
            with console.status(f"Exporting {count} videos as one ZIP…"):
                rows.append(measure(endpoint, count))
    finally:
        server.stop()
    table = Table(title="Streaming ZIP export (S3 → ZIP → S3 multipart), exporter process only")
    for column in ("videos", "ZIP size", "wall", "throughput", "peak RSS"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            str(row["count"]),
            f"{row['size'] / 1e6:,.0f} MB",
            f"{row['seconds']:.1f} s",
            f"{row['size'] / 1e6 / row['seconds']:.0f} MB/s",
            f"{row['peak_mb']:.0f} MB",
        )
    console.print(table)
    peaks = [row["peak_mb"] for row in rows]
    bounded = max(peaks) < TARGET_PEAK_MB
    growth = max(peaks) - min(peaks)
    console.print(
        f"Peak RSS {'stays under' if bounded else 'EXCEEDS'} {TARGET_PEAK_MB} MB; "
        f"it differs by {growth:.0f} MB between {counts[0]} and {counts[-1]} videos while the archive grows "
        f"{rows[-1]['size'] / max(rows[0]['size'], 1):.1f}x."
    )
    return 0 if bounded else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        parser = argparse.ArgumentParser(prog="reelflow bench-export")
        add_arguments(parser)
        sys.exit(run_export_benchmark(Console(), parser.parse_args()))
