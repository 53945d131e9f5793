"""The streaming ZIP export against S3 (moto): entries, bytes, results.json, ZIP64, progress, failure."""

import io
import json
import os
import struct
import threading
import zipfile
from pathlib import Path

import boto3
import pytest
import zipstream.ng
from botocore.exceptions import BotoCoreError, ClientError
from moto import mock_aws

from functions.adapters.zip_export import (
    MiB,
    RangeReader,
    ZipSource,
    build_zip,
    export_zip,
    part_size_for,
    zip_size,
)
from functions.domain.exports import ExportItem, ExportOptions, ExportProgress, entry_names, results_document

pytestmark = pytest.mark.own_moto

BUCKET = "media"


@pytest.fixture
def s3():
    with mock_aws():
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def put_outputs(s3, contents: list[bytes]) -> list[str]:
    keys = []
    for i, body in enumerate(contents, start=1):
        key = f"outputs/b1/{i:03d}_v{i}.mp4"
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        keys.append(key)
    return keys


def read_zip(s3, key: str) -> zipfile.ZipFile:
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return zipfile.ZipFile(io.BytesIO(body))


def test_three_outputs_are_numbered_named_and_byte_identical(s3):
    contents = [os.urandom(3 * MiB + 17), os.urandom(11), os.urandom(2 * MiB)]
    keys = put_outputs(s3, contents)
    items = [
        ExportItem(position=i, original_name=name, stored_name=f"v{i}.mp4", key=key, size=len(body))
        for i, (name, key, body) in enumerate(
            zip(["Привет мир.mov", "🎬 clip.mp4", "intro.webm"], keys, contents, strict=True), start=1
        )
    ]
    names = entry_names(items, ExportOptions(custom_naming="{position} - {name}.{ext}"), "Launch")
    summary = results_document("b1", "Launch", {"total_videos": 3}, items, names)
    extra = {"results.json": json.dumps(summary, ensure_ascii=False).encode()}
    seen: list[ExportProgress] = []

    result = export_zip(
        [ZipSource(BUCKET, item.key, name) for item, name in zip(items, names, strict=True)],
        BUCKET,
        "exports/b1/e1.zip",
        extra=extra,
        client=s3,
        chunk_size=1 * MiB,  # several ranges per entry, so ordering across the window is exercised
        min_part_size=5 * MiB,
        on_progress=seen.append,
    )

    archive = read_zip(s3, "exports/b1/e1.zip")
    assert archive.namelist() == [
        "001 - Привет мир.mp4",
        "002 - 🎬 clip.mp4",
        "003 - intro.mp4",
        "results.json",
    ]
    assert archive.testzip() is None  # every CRC checks out
    for name, body in zip(archive.namelist(), contents, strict=False):
        assert archive.read(name) == body
        assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED
        if not name.isascii():  # UTF-8 flag set, so unzip tools show the letters
            assert archive.getinfo(name).flag_bits & 0x800
    results = json.loads(archive.read("results.json"))
    assert [e["file"] for e in results["entries"]] == names
    assert results["summary"] == {"total_videos": 3}
    head = s3.head_object(Bucket=BUCKET, Key="exports/b1/e1.zip")
    assert (
        result.size
        == head["ContentLength"]
        == zip_size(dict(zip(names, map(len, contents), strict=True)), extra)
    )
    assert head["ContentType"] == "application/zip"
    assert result.parts == 2  # 5 MiB + the rest
    assert result.entries == 4
    operations = [p.operation for p in seen]
    assert operations[0] == "adding video 1/3"
    assert "adding video 3/3" in operations
    assert operations[-1] == "finishing archive"
    assert seen[-1].percent == 100
    assert [p.bytes_done for p in seen] == sorted(p.bytes_done for p in seen)


def test_an_empty_source_and_a_single_part_archive(s3):
    keys = put_outputs(s3, [b"", b"x" * 100])
    result = export_zip(
        [ZipSource(BUCKET, keys[0], "a.mp4"), ZipSource(BUCKET, keys[1], "b.mp4")], BUCKET, "e.zip", client=s3
    )
    archive = read_zip(s3, "e.zip")
    assert archive.read("a.mp4") == b""
    assert archive.read("b.mp4") == b"x" * 100
    assert result.parts == 1


def test_a_missing_source_aborts_the_upload_and_leaves_nothing(s3):
    keys = put_outputs(s3, [b"a" * 10])
    sources = [ZipSource(BUCKET, keys[0], "a.mp4"), ZipSource(BUCKET, "outputs/b1/gone.mp4", "b.mp4", size=5)]
    with pytest.raises(Exception, match=r"NoSuchKey|Not Found|404"):
        export_zip(sources, BUCKET, "broken.zip", client=s3)
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="broken.zip")
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_a_source_that_shrinks_mid_export_fails_loudly(s3):
    keys = put_outputs(s3, [b"a" * 100])
    with pytest.raises(RuntimeError, match="changed during the export"):
        export_zip([ZipSource(BUCKET, keys[0], "a.mp4", size=200)], BUCKET, "e.zip", client=s3)


def test_reads_prefetch_the_next_entries_within_a_window_of_five(s3):
    keys = put_outputs(s3, [os.urandom(2000) for _ in range(6)])
    sources = [ZipSource(BUCKET, k, f"{i}.mp4", size=2000) for i, k in enumerate(keys)]
    reader = RangeReader(s3, sources, chunk_size=1000, concurrency=5)
    try:
        first = next(reader.chunks(0))
        assert len(first) == 1000
        # entry 0 is being written; the first ranges of entries 1 and 2 are already requested, no more
        assert [index for index, _ in reader._window] == [0, 1, 1, 2, 2]
    finally:
        reader.close()


class CountingClient:
    """The real moto client, counting how many GETs run at once. The first GETs wait until five run
    together (sequential reads never get there and the count says so), so no timing decides the test."""

    def __init__(self, client, together=5):
        self.client = client
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.together = together
        self.reached = threading.Event()

    def get_object(self, **kwargs):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            if self.running >= self.together:
                self.reached.set()
        try:
            self.reached.wait(5)
            return self.client.get_object(**kwargs)
        finally:
            with self.lock:
                self.running -= 1

    def __getattr__(self, name):
        return getattr(self.client, name)


def test_five_reads_run_in_parallel_and_output_stays_in_order(s3):
    contents = [os.urandom(3000) for _ in range(8)]
    keys = put_outputs(s3, contents)
    counting = CountingClient(s3)
    sources = [ZipSource(BUCKET, k, f"{i}.mp4") for i, k in enumerate(keys)]
    export_zip(sources, BUCKET, "par.zip", client=counting, chunk_size=1000)
    assert counting.most == 5  # five at once, never more
    archive = read_zip(s3, "par.zip")
    assert [archive.read(f"{i}.mp4") for i in range(8)] == contents


def test_part_size_grows_so_100_gb_fits_in_the_part_limit():
    assert part_size_for(10 * MiB) == 8 * MiB
    total = 50 * 2 * 1024**3
    size = part_size_for(total)
    assert size % MiB == 0
    assert total / size <= 9_000


def test_zip64_is_written_when_sizes_and_offsets_pass_the_limit(s3, monkeypatch):
    """Small data, with zipstream's ZIP64 threshold lowered: every ZIP64 path (per-entry extra
    fields, offsets in the central directory, the ZIP64 end record) is written and read back."""
    monkeypatch.setattr(zipstream.ng, "ZIP64_LIMIT", 1000)
    contents = [os.urandom(5000), os.urandom(3000), os.urandom(4000)]
    keys = put_outputs(s3, contents)
    sources = [ZipSource(BUCKET, k, f"{i}.mp4") for i, k in enumerate(keys)]
    export_zip(sources, BUCKET, "z64.zip", extra={"results.json": b"{}"}, client=s3, chunk_size=1024)
    body = s3.get_object(Bucket=BUCKET, Key="z64.zip")["Body"].read()
    assert b"PK\x06\x06" in body  # ZIP64 end of central directory record
    assert b"PK\x06\x07" in body  # and its locator
    archive = zipfile.ZipFile(io.BytesIO(body))
    for i, data in enumerate(contents):
        info = archive.getinfo(f"{i}.mp4")
        assert struct.unpack("<H", info.extra[:2])[0] == 1  # ZIP64 extra field
        assert archive.read(info) == data
    assert archive.read("results.json") == b"{}"


def test_a_real_archive_past_4_gib(tmp_path: Path):
    """Two 2.2 GB entries of zeros (one shared buffer, written as a sparse file): the third entry
    starts past 4 GiB and is found through the ZIP64 central directory."""
    zeros = bytes(8 * MiB)
    per_entry = 2_200_000_000

    def chunks() -> list[bytes]:
        full, rest = divmod(per_entry, len(zeros))
        return [zeros] * full + [zeros[:rest]]

    stream = build_zip(
        [("a.mp4", per_entry, chunks()), ("b.mp4", per_entry, chunks())], {"results.json": b"[]"}
    )
    expected = len(stream)
    target = tmp_path / "big.zip"
    with target.open("wb") as out:
        for data in stream:
            if data is zeros:
                out.seek(len(data), io.SEEK_CUR)  # keep the file sparse
            else:
                out.write(data)
        out.truncate()
    assert target.stat().st_size == expected > 4 * 1024**3
    with zipfile.ZipFile(target) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        assert infos["b.mp4"].file_size == per_entry
        assert infos["results.json"].header_offset > 4 * 1024**3
        assert archive.read("results.json") == b"[]"


class FailingAbortClient(CountingClient):
    def abort_multipart_upload(self, **kwargs):
        raise BotoCoreError()


def test_a_failing_abort_does_not_hide_the_original_error(s3):
    keys = put_outputs(s3, [b"a" * 10])
    sources = [ZipSource(BUCKET, keys[0], "a.mp4", size=10), ZipSource(BUCKET, "gone.mp4", "b.mp4", size=5)]
    with pytest.raises(ClientError, match="NoSuchKey"):
        export_zip(sources, BUCKET, "broken.zip", client=FailingAbortClient(s3))
