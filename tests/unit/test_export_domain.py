"""Export requests, entry naming, cache keys and the export record: pure rules, no I/O."""

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from functions.domain.enums import BatchExportKind, ExportStatus, VideoStatus
from functions.domain.exports import (
    MAX_NAME_BYTES,
    RESULTS_ENTRY,
    BatchExport,
    ExportItem,
    ExportOptions,
    ExportProgress,
    ExportRequest,
    adding,
    cache_key,
    entry_names,
    results_document,
    safe_file_name,
    select_items,
)

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def item(position: int, name: str, ext: str = "mp4", **fields) -> ExportItem:
    return ExportItem(
        position=position,
        original_name=name,
        stored_name=f"stored_{position}.{ext}",
        key=f"outputs/b/{position:03d}_x.{ext}",
        **fields,
    )


def test_default_names_are_numbered_originals_with_the_output_extension():
    items = [item(1, "Intro.MOV"), item(2, "talk final.mp4"), item(12, "outro.webm", ext="webm")]
    assert entry_names(items, ExportOptions(), "b") == [
        "001_Intro.mp4",
        "002_talk final.mp4",
        "012_outro.webm",
    ]


def test_unicode_names_keep_their_letters():
    items = [item(1, "Привет мир.mp4"), item(2, "🎬 монтаж 👩‍👩‍👧.mov"), item(3, "日本語.mp4")]
    assert entry_names(items, ExportOptions(), "Партия") == [
        "001_Привет мир.mp4",
        "002_🎬 монтаж 👩‍👩‍👧.mp4",
        "003_日本語.mp4",
    ]


def test_custom_naming_fills_every_placeholder():
    options = ExportOptions(custom_naming="{batch} - {position} - {name}.{ext}")
    assert entry_names([item(3, "a.mp4")], options, "Spring launch") == ["Spring launch - 003 - a.mp4"]


def test_pattern_without_ext_gets_the_extension_and_prefix_adds_the_batch():
    options = ExportOptions(custom_naming="{name}", batch_name_prefix=True)
    assert entry_names([item(1, "clip.mov")], options, "Q4") == ["Q4_clip.mp4"]
    # the prefix is not added twice
    options = ExportOptions(custom_naming="{batch}-{name}", batch_name_prefix=True)
    assert entry_names([item(1, "clip.mov")], options, "Q4") == ["Q4-clip.mp4"]


def test_use_original_names_false_uses_the_stored_name():
    options = ExportOptions(use_original_names=False)
    assert entry_names([item(4, "Привет.mp4")], options, "b") == ["004_stored_4.mp4"]


def test_duplicates_are_numbered_case_insensitively_and_results_json_is_reserved():
    items = [item(1, "A.mp4"), item(2, "a.mp4"), item(3, "a.mp4"), item(4, "results.json")]
    options = ExportOptions(custom_naming="{name}.{ext}")
    names = entry_names(items, options, "b")
    assert names == ["A.mp4", "a (2).mp4", "a (3).mp4", "results.mp4"]
    # a custom pattern that would produce results.json itself is renamed
    clash = ExportItem(position=1, original_name="results", stored_name="r", key="o/r.json")
    assert entry_names([clash], ExportOptions(custom_naming="{name}.{ext}"), "b") == ["results (2).json"]


def test_unsafe_values_are_neutralised():
    items = [item(1, "../../etc/passwd.mp4"), item(2, "a\\b:c*d?.mp4"), item(3, "CON.mp4"), item(4, "...mp4")]
    names = entry_names(items, ExportOptions(custom_naming="{name}.{ext}"), "x/y")
    assert names == ["passwd.mp4", "b_c_d.mp4", "_CON.mp4", "video.mp4"]


def test_position_width_grows_past_999():
    names = entry_names([item(7, "a.mp4"), item(1234, "b.mp4")], ExportOptions(), "b")
    assert names == ["0007_a.mp4", "1234_b.mp4"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{foo}.{ext}", "unknown placeholder {foo}"),
        ("{}", "unknown placeholder {}"),
        ("{0}", "unknown placeholder {0}"),
        ("{name.upper}", "unknown placeholder {name.upper}"),
        ("{position:04d}", "takes no format spec"),
        ("{name!r}", "takes no format spec"),
        ("videos/{name}", "must not contain '/'"),
        ("{name}\n", "must not contain"),
        ("{name", "unbalanced braces"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_bad_patterns_are_rejected_with_a_clear_message(pattern, message):
    with pytest.raises(ValidationError, match="custom_naming") as raised:
        ExportRequest(format="zip", custom_naming=pattern)
    assert message in str(raised.value)


def test_braces_can_be_escaped_and_blank_patterns_mean_default():
    assert entry_names([item(1, "a.mp4")], ExportOptions(custom_naming="{{{name}}}.{ext}"), "b") == [
        "{a}.mp4"
    ]
    assert ExportOptions(custom_naming="  ").custom_naming is None


def test_request_rejects_unknown_fields_formats_and_hls_outside_playlists():
    with pytest.raises(ValidationError, match="format"):
        ExportRequest(format="tar")
    with pytest.raises(ValidationError, match="extra"):
        ExportRequest(format="zip", compress=True)
    with pytest.raises(ValidationError, match="hls applies to playlist exports only"):
        ExportRequest(format="zip", hls=True)
    assert ExportRequest(format="playlist", hls=True).options.hls


def test_select_items_orders_by_position_and_includes_failed_only_when_asked():
    items = [
        item(3, "c.mp4"),
        item(1, "a.mp4", status=VideoStatus.FAILED),
        item(2, "b.mp4"),
        item(4, "d.mp4", status=VideoStatus.CANCELLED),
    ]
    assert [i.position for i in select_items(items, include_failed=False)] == [2, 3]
    assert [i.position for i in select_items(items, include_failed=True)] == [1, 2, 3]


def test_cache_key_is_stable_and_changes_with_what_changes_the_file():
    base = cache_key("batch-1", ExportRequest(format="zip"))
    assert base == cache_key("batch-1", ExportRequest(format="zip", custom_naming="{position}_{name}.{ext}"))
    assert base == cache_key("batch-1", ExportRequest(format="zip", custom_naming="{position}_{name}"))
    assert len(base) == 64
    different = [
        cache_key("batch-2", ExportRequest(format="zip")),
        cache_key("batch-1", ExportRequest(format="merged")),
        cache_key("batch-1", ExportRequest(format="zip", include_failed=True)),
        cache_key("batch-1", ExportRequest(format="zip", custom_naming="{name}")),
        cache_key("batch-1", ExportRequest(format="zip", batch_name_prefix=True)),
        cache_key("batch-1", ExportRequest(format="zip", use_original_names=False)),
    ]
    assert len({base, *different}) == len(different) + 1
    # the naming pattern names ZIP entries only
    assert cache_key("b", ExportRequest(format="playlist")) == cache_key(
        "b", ExportRequest(format="playlist", custom_naming="{name}")
    )
    assert cache_key("b", ExportRequest(format="playlist")) != cache_key(
        "b", ExportRequest(format="playlist", hls=True)
    )


def test_a_pinned_cache_key_does_not_drift_between_processes_or_releases():
    # Changing how keys are computed silently disables the cache: bump CACHE_KEY_VERSION on purpose.
    assert cache_key("b", ExportRequest(format="zip")) == (
        "a368b54b38c8ba5ebc099d626f0dec22907808787e5692bf7accfd548f833400"
    )


def test_export_record_expires_after_24_hours_with_a_matching_ttl():
    record = BatchExport.create("e1", "b1", "u1", ExportRequest(format="zip", include_failed=True), NOW)
    assert record.expires_at == NOW + timedelta(hours=24)
    assert record.ttl == int((NOW + timedelta(hours=24)).timestamp())
    assert record.status is ExportStatus.PENDING
    assert record.format is BatchExportKind.ZIP
    assert record.options.include_failed
    assert record.request_hash == cache_key("b1", ExportRequest(format="zip", include_failed=True))
    assert record.reusable(NOW + timedelta(hours=23))
    assert not record.reusable(NOW + timedelta(hours=24))
    record.status = ExportStatus.FAILED
    assert not record.reusable(NOW)
    again = BatchExport.model_validate_json(record.model_dump_json())
    assert again == record


def test_progress_percent_and_operation():
    assert adding(5, 20) == "adding video 5/20"
    assert ExportProgress(done=5, total=20).percent == 25
    assert ExportProgress(done=1, total=20, bytes_done=3, bytes_total=4).percent == 75
    assert ExportProgress(done=0, total=0).percent == 0


def test_results_document_lists_each_entry_with_its_summary():
    items = [
        item(1, "a.mp4", size=10, duration=1.5),
        item(2, "b.mp4", status=VideoStatus.FAILED, error_message="x"),
    ]
    doc = results_document("b1", "Batch", {"total_videos": 2}, items, ["001_a.mp4", "002_b.mp4"])
    assert doc["summary"] == {"total_videos": 2}
    assert doc["entries"][0] == {
        "file": "001_a.mp4",
        "position": 1,
        "original_name": "a.mp4",
        "status": "completed",
        "size": 10,
        "duration": 1.5,
    }
    assert doc["entries"][1]["error"] == "x"


UNSAFE = set('/\\<>:"|?*')


def assert_safe(name: str) -> None:
    assert name
    assert name not in {".", ".."}
    assert not UNSAFE & set(name)
    assert all(unicodedata.category(c) not in {"Cc", "Cs", "Zl", "Zp"} for c in name)
    assert name == name.strip(" ")
    assert not name.endswith(".")
    assert len(name.encode()) <= MAX_NAME_BYTES + 12


names_strategy = st.text(min_size=0, max_size=300)
pattern_strategy = st.lists(
    st.sampled_from(
        ["{position}", "{name}", "{ext}", "{batch}", "_", "-", " ", ".", "{{", "}}", "клип", "🎞"]
    ),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    originals=st.lists(names_strategy, min_size=1, max_size=12),
    pattern=pattern_strategy,
    batch=names_strategy,
)
def test_names_are_always_safe_unique_and_keep_the_extension(originals, pattern, batch):
    items = [item(i + 1, name) for i, name in enumerate(originals)]
    names = entry_names(items, ExportOptions(custom_naming=pattern), batch)
    assert len(names) == len(items)
    folded = [unicodedata.normalize("NFC", n).casefold() for n in names]
    assert len(set(folded)) == len(folded)
    assert RESULTS_ENTRY not in folded
    for name in names:
        assert_safe(name)
        assert name.endswith(".mp4")


@settings(max_examples=100, deadline=None)
@given(
    stem=st.text(
        alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "So")), min_size=1, max_size=40
    )
)
def test_letters_digits_and_symbols_survive_sanitising(stem):
    nfc = unicodedata.normalize("NFC", stem)
    name = entry_names([item(1, f"{stem}.mp4")], ExportOptions(custom_naming="{name}.{ext}"), "b")[0]
    assert_safe(name)
    if nfc.split(".")[0].casefold() not in {"con", "prn", "aux", "nul"} and len(nfc.encode()) < 180:
        assert nfc in name


def test_safe_file_name_truncates_on_character_boundaries():
    name = safe_file_name("я" * 300, "mp4")
    assert name.endswith(".mp4")
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert set(name[:-4]) == {"я"}


def test_runtime_is_lambda_when_the_export_surely_fits_in_the_budget():
    from functions.domain.exports import RuntimeLimits, export_runtime

    gb = 1024**3
    assert export_runtime(BatchExportKind.ZIP, 5 * gb, 0, 1080) == "lambda"
    assert export_runtime(BatchExportKind.ZIP, 100 * gb, 0, 1080) == "fargate"  # 50 × 2 GB
    assert export_runtime(BatchExportKind.PLAYLIST, 100 * gb, 99_999, 2160) == "lambda"
    assert export_runtime(BatchExportKind.PLAYLIST, gb, 600, 720, hls=True) == "lambda"
    assert export_runtime(BatchExportKind.PLAYLIST, gb, 3 * 3600, 720, hls=True) == "fargate"
    assert export_runtime(BatchExportKind.MERGED, gb, 20 * 60, 1080) == "lambda"
    assert export_runtime(BatchExportKind.MERGED, gb, 60 * 60, 1080) == "fargate"
    assert export_runtime(BatchExportKind.MERGED, gb, 60, 2160) == "fargate"
    assert export_runtime(BatchExportKind.MERGED, 10 * gb, 60, 720) == "fargate"  # /tmp too small
    fast = RuntimeLimits(zip_bytes_per_second=200e6)
    assert export_runtime(BatchExportKind.ZIP, 100 * gb, 0, 1080, limits=fast) == "lambda"  # 537 s
    assert (
        export_runtime(
            BatchExportKind.ZIP,
            60 * gb,
            0,
            1080,
            limits=RuntimeLimits(budget_seconds=800, zip_bytes_per_second=100e6),
        )
        == "lambda"
    )
