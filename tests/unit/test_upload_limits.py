from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.domain.errors import InvalidRequest
from functions.domain.upload_limits import (
    DEFAULT_PART_SIZE,
    MAX_PARTS,
    MIN_PART_SIZE,
    MULTIPART_THRESHOLD,
    CompletedPart,
    MiB,
    choose_part_size,
    missing_parts,
    needs_multipart,
    plan_multipart,
    signed_put,
    validate_complete,
)
from functions.domain.uploads import MAX_FILE_SIZE


def test_threshold():
    assert not needs_multipart(MULTIPART_THRESHOLD)
    assert needs_multipart(MULTIPART_THRESHOLD + 1)


def test_plan_of_a_150_mib_file():
    plan = plan_multipart(150 * MiB)
    assert plan.part_size == DEFAULT_PART_SIZE == 64 * MiB
    assert [(p.number, p.offset, p.size) for p in plan.parts] == [
        (1, 0, 64 * MiB),
        (2, 64 * MiB, 64 * MiB),
        (3, 128 * MiB, 22 * MiB),
    ]


def test_plan_of_the_largest_file():
    plan = plan_multipart(MAX_FILE_SIZE)
    assert len(plan.parts) == 32
    assert plan.parts[-1].size == DEFAULT_PART_SIZE
    with pytest.raises(InvalidRequest, match="2 GB"):
        plan_multipart(MAX_FILE_SIZE + 1)
    with pytest.raises(InvalidRequest, match="size"):
        plan_multipart(0)


@given(st.integers(1, MAX_FILE_SIZE), st.integers(MIN_PART_SIZE, 256 * MiB))
def test_parts_cover_the_file_exactly_within_s3_rules(size, preferred):
    plan = plan_multipart(size, preferred)
    assert 1 <= len(plan.parts) <= MAX_PARTS
    assert sum(p.size for p in plan.parts) == size
    assert [p.number for p in plan.parts] == list(range(1, len(plan.parts) + 1))
    assert all(p.size == plan.part_size >= MIN_PART_SIZE for p in plan.parts[:-1])
    assert 0 < plan.parts[-1].size <= plan.part_size
    assert all(b.offset == a.offset + a.size for a, b in pairwise(plan.parts))


def test_part_size_grows_only_when_ten_thousand_parts_would_not_do():
    assert choose_part_size(10 * 1024**3, MIN_PART_SIZE) == MIN_PART_SIZE  # 10 GiB / 5 MiB < 10,000
    huge = 100 * 1024**3  # beyond our cap, but the rule is S3's
    size = choose_part_size(huge, MIN_PART_SIZE)
    assert size % MiB == 0 and -(-huge // size) <= MAX_PARTS and size >= MIN_PART_SIZE
    assert choose_part_size(MAX_FILE_SIZE, DEFAULT_PART_SIZE) == DEFAULT_PART_SIZE
    with pytest.raises(ValueError, match="part size"):
        choose_part_size(1, MIN_PART_SIZE - 1)


def test_plan_part_lookup():
    plan = plan_multipart(150 * MiB)
    assert plan.part(3).size == 22 * MiB
    with pytest.raises(InvalidRequest, match="Part 4 does not exist"):
        plan.part(4)


# ---- single PUT ----------------------------------------------------------------------------------------


def test_single_put_signs_length_and_type():
    put = signed_put("clip.MOV", 1234, None)
    assert put.headers == {"Content-Type": "video/quicktime", "Content-Length": "1234"}
    assert signed_put("a.mp4", MULTIPART_THRESHOLD, "video/mp4").content_length == MULTIPART_THRESHOLD


@pytest.mark.parametrize(
    ("name", "size", "content_type", "reason"),
    [
        ("a.mp4", None, None, "no declared size"),
        ("a.mp4", MAX_FILE_SIZE + 1, None, "2 GB"),
        ("a.mp4", MULTIPART_THRESHOLD + 1, None, "uploaded in parts"),
        ("a.mp4", 0, None, "empty"),
        ("a.txt", 10, None, "not an accepted video file"),
        ("a.mp4", 10, "video/quicktime", "does not match its extension"),
    ],
)
def test_single_put_refusals(name, size, content_type, reason):
    with pytest.raises(InvalidRequest, match=reason):
        signed_put(name, size, content_type)


# ---- complete and resume -----------------------------------------------------------------------------

PLAN = plan_multipart(150 * MiB)  # parts 1-3


def parts(*numbers: int, etag: str = "abc") -> list[CompletedPart]:
    return [CompletedPart(n, f"{etag}{n}") for n in numbers]


def test_complete_accepts_every_part_and_quotes_etags():
    done = validate_complete(PLAN, [*parts(1, 2), CompletedPart(3, '"q3"', 22 * MiB)])
    assert [(p.part_number, p.etag) for p in done] == [(1, '"abc1"'), (2, '"abc2"'), (3, '"q3"')]


@pytest.mark.parametrize(
    ("given_parts", "reason"),
    [
        ([], "No parts given"),
        (parts(2, 1, 3), "ascending order without repeats: part 1 follows part 2"),
        (parts(1, 1, 2, 3), "part 1 follows part 1"),
        (parts(1, 3), "1 of 3 parts are missing: 2"),
        (parts(1), "2 of 3 parts are missing: 2-3"),
        (parts(1, 2, 3, 4), "Part 4 does not exist"),
        (parts(0, 1, 2, 3), "Part 0 does not exist"),
        ([*parts(1, 2), CompletedPart(3, " ")], "Part 3 has no ETag"),
        ([*parts(1, 2), CompletedPart(3, '""')], "Part 3 has no ETag"),
        ([CompletedPart(1, "e", 5 * MiB), *parts(2, 3)], f"Part 1 is {5 * MiB} bytes; it must be {64 * MiB}"),
    ],
)
def test_complete_refusals(given_parts, reason):
    with pytest.raises(InvalidRequest, match=reason):
        validate_complete(PLAN, given_parts)


def test_missing_ranges_are_compact():
    plan = plan_multipart(20 * 64 * MiB)
    with pytest.raises(InvalidRequest, match="6 of 20 parts are missing: 2-4, 10, 19-20"):
        validate_complete(plan, parts(1, *range(5, 10), *range(11, 19)))


def test_missing_parts_for_a_resumed_upload():
    uploaded = [CompletedPart(1, '"e1"', 64 * MiB), CompletedPart(3, '"e3"', 1), CompletedPart(9, '"x"', 1)]
    assert [p.number for p in missing_parts(PLAN, uploaded)] == [2, 3]
    assert [p.number for p in missing_parts(PLAN, [])] == [1, 2, 3]
    assert missing_parts(PLAN, [CompletedPart(n, f'"e{n}"') for n in (1, 2, 3)]) == []
