"""ZIP export: S3 objects streamed into one ZIP that is streamed into an S3 multipart upload.

Nothing is held whole, on disk or in memory: sources are read as ordered byte ranges with a window of
`concurrency` GETs in flight (the next entries' first ranges are fetched while the current entry is
still being written), and the archive leaves in parts as soon as one is full. Memory is therefore
about `concurrency × chunk_size + (upload_concurrency + 1) × part_size`, whatever the batch size.

Entries are STORED (videos do not compress), so the archive size is known before the first byte
(`zip_size`): sum of sources + headers. zipstream-ng writes data descriptors and switches to ZIP64
per entry and for the central directory when sizes or offsets pass 4 GiB.
"""

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from zipstream import ZipStream

from functions.adapters import aws
from functions.domain.exports import ExportProgress, adding
from functions.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

MiB = 1024 * 1024
CHUNK_SIZE = 4 * MiB  # one ranged GET
CONCURRENCY = 5  # GETs in flight (seed 2.8: five parallel reads)
MIN_PART_SIZE = 8 * MiB  # S3 requires ≥ 5 MiB for every part but the last
MAX_PARTS = 9_000  # S3 allows 10 000; keep a margin
UPLOAD_CONCURRENCY = 2
READ_ATTEMPTS = 3

ProgressCallback = Callable[[ExportProgress], None]


@dataclass(frozen=True)
class ZipSource:
    """One entry: the S3 object to copy and its name inside the archive. Without `size` the
    object is HEADed first."""

    bucket: str
    key: str
    arcname: str
    size: int | None = None
    etag: str | None = None


@dataclass(frozen=True)
class ZipResult:
    bucket: str
    key: str
    size: int
    entries: int
    parts: int


def part_size_for(total: int, minimum: int = MIN_PART_SIZE) -> int:
    """The smallest whole-MiB part size ≥ minimum that fits `total` bytes in MAX_PARTS parts."""
    needed = math.ceil(total / MAX_PARTS)
    return max(minimum, math.ceil(needed / MiB) * MiB)


class RangeReader:
    """Reads sources in order as byte ranges of `chunk_size`, keeping `concurrency` requests in
    flight ahead of the consumer. `chunks(i)` must be consumed for i = 0, 1, 2… in order."""

    def __init__(
        self,
        client: "S3Client",
        sources: Sequence[ZipSource],
        chunk_size: int = CHUNK_SIZE,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self._client = client
        self._sources = sources
        self._window: deque[tuple[int, Future[bytes]]] = deque()
        self._concurrency = concurrency
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="zip-read")
        self._ranges = self._all_ranges(chunk_size)

    def _all_ranges(self, chunk_size: int) -> Iterator[tuple[int, int, int]]:
        for index, source in enumerate(self._sources):
            size = source.size or 0
            for start in range(0, size, chunk_size):
                yield index, start, min(size, start + chunk_size)

    def _fill(self) -> None:
        while len(self._window) < self._concurrency:
            nxt = next(self._ranges, None)
            if nxt is None:
                return
            index, start, end = nxt
            self._window.append((index, self._pool.submit(self._fetch, self._sources[index], start, end)))

    def _fetch(self, source: ZipSource, start: int, end: int) -> bytes:
        extra: dict[str, Any] = {"IfMatch": source.etag} if source.etag else {}
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                response = self._client.get_object(
                    Bucket=source.bucket, Key=source.key, Range=f"bytes={start}-{end - 1}", **extra
                )
                data = response["Body"].read()
            except BotoCoreError:  # a connection dropped mid-body: read the range again
                if attempt == READ_ATTEMPTS:
                    raise
                continue
            if len(data) != end - start:
                raise RuntimeError(
                    f"s3://{source.bucket}/{source.key} returned {len(data)} bytes for range "
                    f"{start}-{end - 1}: the object changed during the export"
                )
            return data
        raise AssertionError("unreachable")

    def chunks(self, index: int) -> Iterator[bytes]:
        self._fill()
        while self._window and self._window[0][0] == index:
            _, future = self._window.popleft()
            data = future.result()
            self._fill()
            yield data

    def close(self) -> None:
        for _, future in self._window:
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)


class MultipartWriter:
    """File-like sink that uploads what it is given as S3 multipart parts of `part_size`,
    `upload_concurrency` at a time. `complete()` finishes the object; `abort()` discards it."""

    def __init__(
        self,
        client: "S3Client",
        bucket: str,
        key: str,
        part_size: int,
        content_type: str = "application/zip",
        upload_concurrency: int = UPLOAD_CONCURRENCY,
    ) -> None:
        self._client, self.bucket, self.key, self.part_size = client, bucket, key, part_size
        created = client.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type)
        self.upload_id = created["UploadId"]
        self._buffer = bytearray()
        self._pool = ThreadPoolExecutor(max_workers=upload_concurrency, thread_name_prefix="zip-upload")
        self._pending: deque[Future[CompletedPartTypeDef]] = deque()
        self._upload_concurrency = upload_concurrency
        self._parts: list[CompletedPartTypeDef] = []
        self.bytes_written = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.bytes_written += len(data)
        while len(self._buffer) >= self.part_size:
            with memoryview(self._buffer) as view:
                part = bytes(view[: self.part_size])
            del self._buffer[: self.part_size]
            self._submit(part)

    def _submit(self, data: bytes) -> None:
        # Back-pressure: never more than upload_concurrency parts waiting in memory.
        while len(self._pending) >= self._upload_concurrency:
            self._parts.append(self._pending.popleft().result())
        number = len(self._parts) + len(self._pending) + 1
        self._pending.append(self._pool.submit(self._upload, number, data))

    def _upload(self, number: int, data: bytes) -> "CompletedPartTypeDef":
        response = self._client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    def complete(self) -> int:
        """Upload the rest, finish the object; returns the number of parts."""
        if self._buffer or not (self._parts or self._pending):
            self._submit(bytes(self._buffer))
            self._buffer.clear()
        while self._pending:
            self._parts.append(self._pending.popleft().result())
        self._pool.shutdown(wait=True)
        self._client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self._parts}
        )
        return len(self._parts)

    def abort(self) -> None:
        """Discard the parts. Never raises: the error that led here is the one worth reporting (an
        upload left behind is removed by the bucket's abort-incomplete-multipart lifecycle rule)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        try:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)
        except (BotoCoreError, ClientError):
            logger.warning(
                "could not abort multipart upload %s of s3://%s/%s", self.upload_id, self.bucket, self.key
            )


def with_sizes(
    client: "S3Client", sources: Sequence[ZipSource], concurrency: int = CONCURRENCY
) -> list[ZipSource]:
    """Fill in size and ETag with HEAD requests where they are missing."""

    def head(source: ZipSource) -> ZipSource:
        if source.size is not None:
            return source
        found = client.head_object(Bucket=source.bucket, Key=source.key)
        return ZipSource(source.bucket, source.key, source.arcname, found["ContentLength"], found.get("ETag"))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(head, sources))


def build_zip(
    entries: Sequence[tuple[str, int, Iterable[bytes]]], extra: Mapping[str, bytes] | None = None
) -> ZipStream:
    """A sized, STORED ZipStream of (name, size, chunks) entries followed by small in-memory files."""
    stream = ZipStream(sized=True)
    for name, size, chunks in entries:
        stream.add(chunks, name, size=size)
    for name, data in (extra or {}).items():
        stream.add(data, name)
    return stream


def zip_size(sizes: Mapping[str, int], extra: Mapping[str, bytes] | None = None) -> int:
    """The exact size of the archive `export_zip` writes for entries of these names and sizes."""
    return len(build_zip([(name, size, iter(())) for name, size in sizes.items()], extra))


def export_zip(
    sources: Sequence[ZipSource],
    bucket: str,
    key: str,
    *,
    extra: Mapping[str, bytes] | None = None,
    client: "S3Client | None" = None,
    chunk_size: int = CHUNK_SIZE,
    concurrency: int = CONCURRENCY,
    min_part_size: int = MIN_PART_SIZE,
    on_progress: ProgressCallback | None = None,
) -> ZipResult:
    """Write the sources (in order, under their arcnames) and `extra` files to s3://bucket/key."""
    s3 = client or aws.s3()
    sized = with_sizes(s3, sources, concurrency)
    total_bytes = sum(s.size or 0 for s in sized)
    count = len(sized)
    reader = RangeReader(s3, sized, chunk_size, concurrency)
    done = 0

    def report(index: int, operation: str) -> None:
        if on_progress is not None:
            on_progress(ExportProgress(index, count, done, total_bytes, operation))

    def entry(index: int) -> Iterator[bytes]:
        nonlocal done
        report(index, adding(index + 1, count))
        for chunk in reader.chunks(index):
            done += len(chunk)
            yield chunk
            report(index, adding(index + 1, count))

    stream = build_zip([(s.arcname, s.size or 0, entry(i)) for i, s in enumerate(sized)], extra)
    expected = len(stream)
    writer = MultipartWriter(s3, bucket, key, part_size_for(expected, min_part_size))
    try:
        for data in stream:
            writer.write(data)
        parts = writer.complete()
    except BaseException:
        writer.abort()
        raise
    finally:
        reader.close()
    if writer.bytes_written != expected:  # pragma: no cover - zipstream raises first
        raise RuntimeError(f"wrote {writer.bytes_written} bytes, expected {expected}")
    report(count, "finishing archive")
    return ZipResult(bucket=bucket, key=key, size=expected, entries=count + len(extra or {}), parts=parts)
