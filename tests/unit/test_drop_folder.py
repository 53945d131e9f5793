import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.drop_folder import (
    DEFAULT_QUIET_SECONDS,
    MAX_MANIFEST_BYTES,
    DropFileKind,
    DropObject,
    StartReason,
    StartTiming,
    classify,
    decode_event_key,
    default_batch_name,
    drop_batch_id,
    drop_video_id,
    folder_prefix,
    parse_drop_key,
    parse_manifest,
    plan_drop_folder,
    plan_start_reason,
    start_reason,
)
from functions.domain.enums import ExportQuality
from functions.domain.uploads import MAX_FILE_SIZE

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def obj(
    file_name: str, size: int = 1000, seconds: float = 0, user: str = "u1", folder: str = "trip"
) -> DropObject:
    return DropObject(f"dropbox/{user}/{folder}/{file_name}", size, T0 + timedelta(seconds=seconds))


def kind_of(file_name: str) -> DropFileKind:
    parsed = parse_drop_key(f"dropbox/u1/trip/{file_name}")
    assert parsed is not None
    return classify(parsed)


# ---- keys -------------------------------------------------------------------------------------------


def test_parse_drop_key():
    parsed = parse_drop_key("dropbox/user-1/Summer trip/clip one.MOV")
    assert parsed is not None
    assert (parsed.user_id, parsed.folder, parsed.file_name) == ("user-1", "Summer trip", "clip one.MOV")
    assert not parsed.in_subfolder
    nested = parse_drop_key("dropbox/u/f/sub/clip.mp4")
    assert nested is not None and nested.in_subfolder and nested.file_name == "sub/clip.mp4"


@pytest.mark.parametrize(
    "key",
    [
        "uploads/u/v/clip.mp4",
        "dropbox/u/clip.mp4",
        "dropbox/u/folder/",
        "dropbox//folder/clip.mp4",
        "dropbox/u//clip.mp4",
        "dropbox",
        "dropbox/u/f/sub/",
    ],
)
def test_keys_that_are_not_drop_files(key):
    assert parse_drop_key(key) is None


def test_event_keys_are_url_decoded_and_unicode_kept():
    name = "Отпуск 🌊/клип 1+2.MOV"
    raw = quote_plus(f"dropbox/u1/{name}", safe="/")
    parsed = parse_drop_key(decode_event_key(raw))
    assert parsed is not None
    assert (parsed.folder, parsed.file_name) == ("Отпуск 🌊", "клип 1+2.MOV")
    assert kind_of("клип.MOV") is DropFileKind.VIDEO


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/"), min_size=1))
def test_any_file_name_survives_event_encoding(name):
    key = f"dropbox/u1/folder/{name}"
    parsed = parse_drop_key(decode_event_key(quote_plus(key, safe="/")))
    assert parsed is not None and parsed.file_name == name and parsed.key == key


def test_folder_prefix():
    assert folder_prefix("u1", "trip") == "dropbox/u1/trip/"


# ---- classification ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.mp4", DropFileKind.VIDEO),
        ("A.MOV", DropFileKind.VIDEO),
        ("b.Avi", DropFileKind.VIDEO),
        ("c.webm", DropFileKind.VIDEO),
        ("batch.json", DropFileKind.MANIFEST),
        ("Batch.JSON", DropFileKind.MANIFEST),
        ("_start", DropFileKind.START_MARKER),
        ("notes.txt", DropFileKind.SKIPPED),
        (".DS_Store", DropFileKind.SKIPPED),
        ("other.json", DropFileKind.SKIPPED),
        ("movie.mkv", DropFileKind.SKIPPED),
        ("sub/a.mp4", DropFileKind.SKIPPED),
        ("sub/batch.json", DropFileKind.SKIPPED),
    ],
)
def test_classify(name, kind):
    assert kind_of(name) is kind


# ---- batch.json ---------------------------------------------------------------------------------------


def test_manifest_fields():
    raw = json.dumps(
        {
            "name": "Vlog week 3",
            "description": "raw takes",
            "settings": {"export_quality": "720p", "keywords": ["launch"]},
            "priority": 8,
            "start": True,
        }
    ).encode()
    result = parse_manifest(raw)
    assert result.valid
    assert result.manifest.name == "Vlog week 3"
    assert result.manifest.settings.export_quality is ExportQuality.Q720P
    assert (result.manifest.priority, result.manifest.start) == (8, True)


def test_manifest_with_bom_and_empty_object():
    assert parse_manifest(b"\xef\xbb\xbf{}").valid
    assert parse_manifest(b"{}").manifest.start is False


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "batch.json is not valid JSON: Expecting property name"),
        (b"[1, 2]", "batch.json must be a JSON object"),
        (b"\xff\xfe", "batch.json is not UTF-8 text"),
        (b'{"priority": 11}', "batch.json is invalid: priority: Input should be less than or equal to 10"),
        (b'{"settings": {"silence_threshold": 5}}', "settings.silence_threshold"),
        (b'{"settings": {"keywords": ["x"], "detect_highlights": false}}', "keywords are only used"),
        (b'{"colour": "red"}', "colour: Extra inputs are not permitted"),
        (b'{"start": "soon"}', "start: Input should be a valid boolean"),
        (b" " * (MAX_MANIFEST_BYTES + 1), "the limit is 65536"),
    ],
)
def test_manifest_errors_become_reasons(raw, reason):
    result = parse_manifest(raw)
    assert not result.valid
    assert result.error is not None and reason in result.error
    assert result.manifest.start is False


# ---- ids ----------------------------------------------------------------------------------------------


def test_ids_are_deterministic_and_distinct():
    batch_id = drop_batch_id("u1", "trip")
    assert batch_id == drop_batch_id("u1", "trip")
    assert len({batch_id, drop_batch_id("u2", "trip"), drop_batch_id("u1", "trip2")}) == 3
    assert drop_batch_id("u1", "a\0b") != drop_batch_id("u1\0a", "b")
    key = "dropbox/u1/trip/a.mp4"
    assert drop_video_id(batch_id, key) == drop_video_id(batch_id, key)
    assert drop_video_id(batch_id, key) != drop_video_id(batch_id, key.replace("a.mp4", "A.mp4"))


# ---- the folder as a batch ------------------------------------------------------------------------------


def test_a_folder_of_three_videos_a_text_and_a_manifest():
    manifest = parse_manifest(b'{"name": "Trip", "priority": 7, "start": true}')
    objects = [obj("c.mov", seconds=3), obj("A.mp4", seconds=1), obj("b.MOV", seconds=2), obj("notes.txt")]
    objects.append(obj("batch.json", seconds=4))
    plan = plan_drop_folder("u1", "trip", 20, objects, manifest)
    assert plan.batch_id == drop_batch_id("u1", "trip")
    assert [(v.position, v.file_name) for v in plan.videos] == [(1, "A.mp4"), (2, "b.MOV"), (3, "c.mov")]
    assert plan.videos[0].video_id == drop_video_id(plan.batch_id, "dropbox/u1/trip/A.mp4")
    assert (plan.name, plan.priority, plan.skipped) == ("Trip", 7, ("notes.txt",))
    assert (
        plan.manifest_key == "dropbox/u1/trip/batch.json"
        and plan.start_requested
        and plan.failure_reason is None
    )
    assert plan.last_file_at == T0 + timedelta(seconds=4)
    assert plan.report == {"skipped": ["notes.txt"], "over_limit": [], "rejected": []}


def test_without_manifest_the_batch_is_named_after_the_folder():
    plan = plan_drop_folder("u1", "trip", 3, [obj("a.mp4")], None)
    assert (plan.name, plan.priority, plan.start_requested, plan.manifest_key) == ("trip", 5, False, None)
    assert default_batch_name("x" * 150) == "x" * 100
    assert default_batch_name("   ") == "Drop folder"


def test_files_beyond_the_limit_are_reported_in_name_order():
    objects = [obj(f"clip{i}.mp4") for i in (5, 1, 4, 2, 3)]
    plan = plan_drop_folder("u1", "trip", 3, objects, None)  # a limit of 3
    assert [v.file_name for v in plan.videos] == ["clip1.mp4", "clip2.mp4", "clip3.mp4"]
    assert plan.over_limit == ("clip4.mp4", "clip5.mp4")
    assert plan.report["over_limit"] == ["clip4.mp4", "clip5.mp4"]


def test_empty_and_oversized_videos_are_rejected_with_the_reason():
    objects = [obj("empty.mp4", size=0), obj("huge.mov", size=MAX_FILE_SIZE + 1), obj("ok.mp4")]
    plan = plan_drop_folder("u1", "trip", 50, objects, None)
    assert [v.file_name for v in plan.videos] == ["ok.mp4"]
    assert [r.file_name for r in plan.rejected] == ["empty.mp4", "huge.mov"]
    assert "'empty.mp4' is empty" in plan.rejected[0].reason
    assert "2 GB" in plan.rejected[1].reason


def test_an_invalid_manifest_fails_the_batch_but_keeps_its_videos():
    manifest = parse_manifest(b'{"priority": 99, "start": true}')
    plan = plan_drop_folder("u1", "trip", 50, [obj("a.mp4"), obj("batch.json")], manifest)
    assert plan.failure_reason is not None and plan.failure_reason.startswith("batch.json is invalid")
    assert [v.file_name for v in plan.videos] == ["a.mp4"]
    assert not plan.start_requested


def test_a_folder_without_videos_fails_with_a_reason():
    plan = plan_drop_folder("u1", "trip", 50, [obj("readme.txt"), obj("_start")], None)
    assert plan.failure_reason == "The folder has no video files (accepted: MP4, MOV, AVI, WEBM)"
    assert plan.start_marker


def test_objects_of_other_folders_and_users_are_ignored():
    objects = [obj("a.mp4"), obj("b.mp4", folder="other"), obj("c.mp4", user="u2"), obj("sub/d.mp4")]
    objects.append(DropObject("uploads/u1/v/e.mp4", 10, T0 + timedelta(seconds=99)))
    objects.append(obj("late.mp4", seconds=50, folder="other"))
    plan = plan_drop_folder("u1", "trip", 50, objects, None)
    assert [v.file_name for v in plan.videos] == ["a.mp4"]
    assert plan.last_file_at == T0
    assert plan.skipped == ("sub/d.mp4",)


def test_the_exact_manifest_name_wins():
    plan = plan_drop_folder("u1", "trip", 50, [obj("a.mp4"), obj("Batch.JSON"), obj("batch.json")], None)
    assert plan.manifest_key == "dropbox/u1/trip/batch.json"
    assert plan.skipped == ("Batch.JSON",)
    only = plan_drop_folder("u1", "trip", 50, [obj("a.mp4"), obj("BATCH.json")], None)
    assert only.manifest_key == "dropbox/u1/trip/BATCH.json"


def test_a_replaced_object_counts_once_with_its_latest_size():
    plan = plan_drop_folder("u1", "trip", 50, [obj("a.mp4", 10, 1), obj("a.mp4", 20, 5)], None)
    assert [(v.file_name, v.size) for v in plan.videos] == [("a.mp4", 20)]


# ---- start --------------------------------------------------------------------------------------------


FAST = StartTiming(quiet_seconds=60, settle_seconds=5, abandon_after_seconds=3600)


def reason(
    manifest_start: bool = False,
    marker: bool = False,
    idle: float | None = 0,
    uploads: tuple[float, ...] = (),
) -> StartReason | None:
    now = T0 + timedelta(hours=10)
    return start_reason(
        manifest_start=manifest_start,
        marker_present=marker,
        last_file_at=None if idle is None else now - timedelta(seconds=idle),
        now=now,
        uploads_started_at=[now - timedelta(seconds=age) for age in uploads],
        timing=FAST,
    )


def test_a_start_request_starts_once_the_folder_settles():
    assert reason(manifest_start=True, idle=5) is StartReason.MANIFEST
    assert reason(marker=True, idle=5) is StartReason.MARKER
    assert reason(manifest_start=True, marker=True, idle=5) is StartReason.MANIFEST
    assert reason(manifest_start=True, idle=4.9) is None
    assert reason(marker=True, idle=4.9) is None


def test_the_quiet_period_starts_a_folder_without_a_request():
    assert reason(idle=60) is StartReason.QUIET_PERIOD
    assert reason(idle=59) is None
    assert reason(idle=None) is None
    assert reason(marker=True, idle=None) is None


def test_an_upload_in_progress_holds_every_start():
    # aws s3 cp --recursive: the marker and batch.json land while a big video is still in parts.
    assert reason(marker=True, idle=600, uploads=(30,)) is None
    assert reason(manifest_start=True, idle=600, uploads=(30,)) is None
    assert reason(idle=600, uploads=(3599,)) is None
    assert reason(marker=True, idle=600, uploads=(3600,)) is StartReason.MARKER  # abandoned upload


def test_default_timing():
    timing = StartTiming()
    assert (timing.quiet_seconds, timing.settle_seconds) == (DEFAULT_QUIET_SECONDS, 10) == (300, 10)
    assert timing.abandon_after_seconds == 24 * 3600


def test_plan_start_reason_uses_the_latest_file():
    timing = StartTiming(quiet_seconds=30, settle_seconds=0)
    plan = plan_drop_folder("u1", "trip", 50, [obj("a.mp4", seconds=0), obj("b.mp4", seconds=50)], None)
    assert plan_start_reason(plan, T0 + timedelta(seconds=80), timing=timing) is StartReason.QUIET_PERIOD
    assert plan_start_reason(plan, T0 + timedelta(seconds=79), timing=timing) is None
    marked = plan_drop_folder("u1", "trip", 50, [obj("a.mp4"), obj("_start")], None)
    assert plan_start_reason(marked, T0, timing=timing) is StartReason.MARKER
    assert plan_start_reason(marked, T0, uploads_started_at=[T0], timing=timing) is None


# ---- order independence ---------------------------------------------------------------------------------

names = st.sampled_from(
    [
        "a.mp4",
        "B.MOV",
        "c.avi",
        "d.webm",
        "Клип.mp4",
        "🎬.mov",
        "notes.txt",
        "batch.json",
        "_start",
        "x/y.mp4",
    ]
)


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[DropObject], list[DropObject]]:
    """A folder's objects, and the events of their arrival: reordered, some delivered two or three times."""
    files = draw(st.lists(names, min_size=1, max_size=10, unique=True))
    objects = [obj(n, size=0 if n == "empty.mp4" else 100 + i, seconds=i) for i, n in enumerate(files)]
    repeats = draw(st.lists(st.integers(1, 3), min_size=len(objects), max_size=len(objects)))
    events = [o for o, times in zip(objects, repeats, strict=True) for _ in range(times)]
    return objects, draw(st.permutations(events))


@settings(max_examples=200, deadline=None)
@given(deliveries(), st.sampled_from([3, 20, 1000]))
def test_any_order_or_duplication_of_events_makes_the_same_batch(delivery, limit):
    objects, events = delivery
    manifest = parse_manifest(b'{"start": true}')
    expected = plan_drop_folder("u1", "trip", limit, objects, manifest)
    assert plan_drop_folder("u1", "trip", limit, events, manifest) == expected
    # Each event on its own names the same batch, and a video key always the same video.
    for event in events:
        parsed = parse_drop_key(event.key)
        assert parsed is not None and drop_batch_id(parsed.user_id, parsed.folder) == expected.batch_id
    ids = [v.video_id for v in expected.videos]
    assert len(set(ids)) == len(ids)
    assert [v.position for v in expected.videos] == list(range(1, len(ids) + 1))
    seen = len(expected.videos) + len(expected.over_limit) + len(expected.rejected) + len(expected.skipped)
    assert seen + (expected.manifest_key is not None) + expected.start_marker == len(objects), (
        "every file is accounted for"
    )


def test_file_names_with_control_or_bidi_characters_are_rejected_with_the_reason():
    """The API's rule for a file name holds for the drop folder too (a bidi override would reach the
    playlist and the web app displaying `exe.mp4` as something else)."""
    objects = [obj("clip\u202egpm.exe.mp4"), obj("bell\u0007.mp4"), obj("ok.mp4")]
    plan = plan_drop_folder("u1", "trip", 50, objects, None)
    assert [v.file_name for v in plan.videos] == ["ok.mp4"]
    reasons = {r.file_name: r.reason for r in plan.rejected}
    assert "bidirectional control U+202E" in reasons["clip\u202egpm.exe.mp4"]
    assert "control character U+0007" in reasons["bell\u0007.mp4"]
    assert plan.report["rejected"] and plan.failure_reason is None


def test_batch_json_names_follow_the_api_rules():
    result = parse_manifest(json.dumps({"name": "Trip\u202e", "start": True}).encode())
    assert not result.valid and result.error is not None and "bidirectional control U+202E" in result.error
    result = parse_manifest(json.dumps({"name": "   "}).encode())
    assert not result.valid and result.error is not None and "visible characters" in result.error


def test_a_folder_name_that_is_not_a_valid_batch_name_fails_with_the_reason_unless_batch_json_names_it():
    plan = plan_drop_folder("u1", "trip\u202e", 50, [obj("a.mp4", folder="trip\u202e")], None)
    assert plan.failure_reason is not None and "bidirectional control U+202E" in plan.failure_reason
    named = parse_manifest(b'{"name": "Trip"}')
    plan = plan_drop_folder("u1", "trip\u202e", 50, [obj("a.mp4", folder="trip\u202e")], named)
    assert plan.failure_reason is None and plan.name == "Trip"
