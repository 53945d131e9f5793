"""Upload limits that S3 enforces itself (issue 10 items 1–2): the multipart plan of a large file, what a
single presigned PUT signs, and the checks on a `complete` request.

File-level checks (extension, content type, the 2 GB cap) stay in `functions/domain/uploads.py` and are
reused here. Nothing here signs anything: the storage adapter turns these values into presigned URLs.

- Files over `MULTIPART_THRESHOLD` (100 MiB) are uploaded in parts of `DEFAULT_PART_SIZE` (64 MiB; S3
  needs ≥ 5 MiB for every part but the last and at most 10,000 parts). The part size is chosen once,
  stored with the upload, and every part URL signs its exact Content-Length, so S3 refuses a part of
  another size.
- A single PUT signs `Content-Length` (exact) and `Content-Type`: a body larger than declared (or than
  2 GB, which no declaration can pass) is refused by S3 with 403 SignatureDoesNotMatch. An upload with
  no declared size cannot be signed (the client must say how big the file is).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from functions.domain.errors import InvalidRequest
from functions.domain.uploads import MAX_FILE_SIZE, CheckedFile, check_file

MiB = 1024**2
MULTIPART_THRESHOLD = 100 * MiB  # larger files go in parts
MIN_PART_SIZE = 5 * MiB  # S3: every part but the last
MAX_PART_SIZE = 5 * 1024**3  # S3
MAX_PARTS = 10_000  # S3
DEFAULT_PART_SIZE = 64 * MiB


def needs_multipart(size: int) -> bool:
    return size > MULTIPART_THRESHOLD


@dataclass(frozen=True)
class PartSpec:
    number: int  # 1-based, as S3 numbers parts
    offset: int  # first byte of the part in the file
    size: int


@dataclass(frozen=True)
class MultipartPlan:
    size: int
    part_size: int
    parts: tuple[PartSpec, ...]

    def part(self, number: int) -> PartSpec:
        if not 1 <= number <= len(self.parts):
            raise InvalidRequest(
                f"Part {number} does not exist; this upload has parts 1 to {len(self.parts)}"
            )
        return self.parts[number - 1]


def choose_part_size(size: int, preferred: int = DEFAULT_PART_SIZE) -> int:
    """`preferred`, raised (in whole MiB) when the file would need more than 10,000 parts."""
    if not MIN_PART_SIZE <= preferred <= MAX_PART_SIZE:
        raise ValueError(f"part size must be between {MIN_PART_SIZE} and {MAX_PART_SIZE} bytes")
    smallest = -(-size // MAX_PARTS)  # ceil
    if preferred >= smallest:
        return preferred
    return -(-smallest // MiB) * MiB


def plan_multipart(size: int, part_size: int = DEFAULT_PART_SIZE) -> MultipartPlan:
    """Split `size` bytes into parts: all `part_size` but the last, which holds the rest."""
    if size <= 0:
        raise InvalidRequest("A multipart upload needs the file's size in bytes")
    if size > MAX_FILE_SIZE:
        raise InvalidRequest(f"The file is {size} bytes; the limit is {MAX_FILE_SIZE} bytes (2 GB)")
    chosen = choose_part_size(size, part_size)
    count = -(-size // chosen)
    parts = tuple(
        PartSpec(number=n, offset=(n - 1) * chosen, size=min(chosen, size - (n - 1) * chosen))
        for n in range(1, count + 1)
    )
    return MultipartPlan(size=size, part_size=chosen, parts=parts)


@dataclass(frozen=True)
class SignedPut:
    """The headers a presigned single PUT signs; the client must send exactly these."""

    content_type: str
    content_length: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.content_length)}


def signed_put(name: str, size: int | None, content_type: str | None) -> SignedPut:
    """What a single presigned PUT for this file signs (after the file checks of uploads.py)."""
    checked: CheckedFile = check_file(name, size, content_type)
    if checked.size is None:
        raise InvalidRequest(
            f"'{name}' has no declared size; give the file's size in bytes so the upload URL can sign it"
        )
    if needs_multipart(checked.size):
        raise InvalidRequest(
            f"'{name}' is {checked.size} bytes; files over {MULTIPART_THRESHOLD} bytes are uploaded in parts"
        )
    return SignedPut(content_type=checked.content_type, content_length=checked.size)


# ---- complete / resume --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletedPart:
    """A part as the client reports it in `complete`, or as S3's ListParts returns it (with its size)."""

    part_number: int
    etag: str
    size: int | None = None


def _normal_etag(etag: str) -> str:
    stripped = etag.strip()
    if not stripped.strip('"'):
        return ""
    return stripped if stripped.startswith('"') else f'"{stripped}"'


def validate_complete(plan: MultipartPlan, parts: Sequence[CompletedPart]) -> list[CompletedPart]:
    """Check a `complete` request against the upload's plan; return the parts for CompleteMultipartUpload.

    Parts must be in ascending order without repeats, every part of the plan must be there with an
    ETag, and a reported size must be the plan's. ETags come back quoted, as S3 expects them.
    """
    if not parts:
        raise InvalidRequest("No parts given; list every part with its ETag")
    numbers = [p.part_number for p in parts]
    for previous, current in pairwise(numbers):
        if current <= previous:
            raise InvalidRequest(
                f"Parts must be in ascending order without repeats: part {current} follows part {previous}"
            )
    expected = len(plan.parts)
    outside = [n for n in numbers if not 1 <= n <= expected]
    if outside:
        raise InvalidRequest(f"Part {outside[0]} does not exist; this upload has parts 1 to {expected}")
    missing = sorted(set(range(1, expected + 1)) - set(numbers))
    if missing:
        raise InvalidRequest(f"{len(missing)} of {expected} parts are missing: {_ranges(missing)}")
    result = []
    for part in parts:
        etag = _normal_etag(part.etag)
        if not etag:
            raise InvalidRequest(f"Part {part.part_number} has no ETag")
        want = plan.part(part.part_number).size
        if part.size is not None and part.size != want:
            raise InvalidRequest(f"Part {part.part_number} is {part.size} bytes; it must be {want} bytes")
        result.append(CompletedPart(part.part_number, etag, part.size))
    return result


def missing_parts(plan: MultipartPlan, uploaded: Iterable[CompletedPart]) -> list[PartSpec]:
    """The parts a resumed upload still has to send: absent from S3's ListParts, or of the wrong size."""
    have = {p.part_number for p in uploaded if p.etag and (p.size is None or p.size == _size_of(plan, p))}
    return [spec for spec in plan.parts if spec.number not in have]


def _size_of(plan: MultipartPlan, part: CompletedPart) -> int | None:
    return plan.parts[part.part_number - 1].size if 1 <= part.part_number <= len(plan.parts) else None


def _ranges(numbers: Sequence[int]) -> str:
    """[1, 2, 3, 7, 9, 10] → "1-3, 7, 9-10" (sorted input)."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
