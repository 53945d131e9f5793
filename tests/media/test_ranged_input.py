"""ffmpeg reading a source over HTTP in bounded ranges, as a part of a split render reads S3: it is sent
the stretch it seeks to (and the file's header and index), not the file, with the pinning header on
every request; the frames it decodes are the ones asked for."""

import re
import subprocess
from pathlib import Path

import pytest

from functions.domain.links import SignedRead
from functions.media.binaries import ffmpeg
from functions.media.ffmpeg_run import run_ffmpeg
from functions.media.probe import probe
from functions.media.ranged_input import input_options
from reelflow.ranged_server import serve_ranges

SECONDS, FPS = 30, 25
ETAG = '"0123456789abcdef0123456789abcdef"'


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ranged") / "source.mp4"
    subprocess.run(
        [
            ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=s=320x240:r={FPS}:d={SECONDS}",
            "-f", "lavfi", "-i", f"sine=f=440:d={SECONDS}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", str(FPS), "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return path


def test_a_seeking_reader_is_sent_its_stretch_and_the_pin_on_every_range(source, tmp_path):
    size = source.stat().st_size
    out = tmp_path / "slice.mp4"
    with serve_ranges(source) as served:
        options = input_options(SignedRead(served.url, (("If-Match", ETAG),)), 64 * 1024)
        args = ["-ss", "20", "-t", "3", "-an", *options, "-i", served.url]
        run_ffmpeg([*args, "-c:v", "libx264", "-preset", "ultrafast", "-an", str(out)])
    assert 0 < served.sent < size / 4  # 3 s of 30 (and up to a second's lead-in), the header and index
    assert served.requests and all(r.get("If-Match") == ETAG for r in served.requests)
    ranges = [re.fullmatch(r"bytes=(\d+)-(\d+)", r.get("Range", "")) for r in served.requests]
    assert all(m is not None and int(m.group(2)) - int(m.group(1)) < 64 * 1024 for m in ranges)
    assert probe(str(out)).duration == pytest.approx(3.0, abs=1 / FPS)


def test_a_local_file_is_read_as_it_is_and_a_whole_file_reader_streams_it_with_its_pin():
    assert input_options(SignedRead("/tmp/source.mp4"), 1024 * 1024) == ()
    whole = input_options(SignedRead("https://bucket.s3.amazonaws.com/k", (("If-Match", ETAG),)), None)
    assert whole == ("-headers", f"If-Match: {ETAG}\r\n")
