"""Stream changes → progress events: every transition's mapping, idempotence, numbering, the size guard."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.adapters.dynamo_codec import model_to_attributes
from functions.adapters.keys import batch_keys, batch_video_keys
from functions.adapters.stream_images import decode_image
from functions.domain.enums import BatchStatus, Stage, VideoStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.progress_events import (
    MAX_MESSAGE_BYTES,
    PROGRESS_EVENT,
    BatchCompleted,
    BatchSnapshot,
    VideoFailed,
    VideoState,
    encode,
    events_from_change,
    fit,
    numbered,
    openapi_components,
    parse_event,
    snapshot,
)

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def batch(**fields: Any) -> BatchJob:
    base: dict[str, Any] = {
        "id": "b-1",
        "user_id": "u-1",
        "name": "holiday",
        "status": BatchStatus.PROCESSING,
        "total_videos": 3,
        "created_at": T0,
        "updated_at": T0,
    }
    return BatchJob(**{**base, **fields})


def video(**fields: Any) -> BatchVideo:
    base: dict[str, Any] = {
        "batch_job_id": "b-1",
        "video_id": "v-1",
        "position": 1,
        "original_name": "a.mp4",
        "status": VideoStatus.PENDING,
        "created_at": T0,
        "updated_at": T0,
    }
    return BatchVideo(**{**base, **fields})


def types(old: Any, new: Any) -> list[str]:
    return [e.type for e in events_from_change(old, new)]


# ---- videos -------------------------------------------------------------------------------------------


def test_pending_to_processing_is_video_started():
    [event] = events_from_change(
        video(), video(status=VideoStatus.PROCESSING, current_stage=Stage.TRANSCRIBING)
    )
    assert event.type == "video_started"
    assert (event.batch_id, event.video_id, event.current_stage) == ("b-1", "v-1", Stage.TRANSCRIBING)
    assert event.position == 1 and event.name == "a.mp4" and event.timestamp == T0


def test_a_retry_starting_again_says_so():
    [event] = events_from_change(
        video(status=VideoStatus.FAILED, retry_count=1), video(status=VideoStatus.PROCESSING, retry_count=1)
    )
    assert event.type == "video_started" and event.retry_count == 1 and "retry 1" in event.message


def test_a_retry_within_processing_starts_the_video_again():
    first = video(status=VideoStatus.PROCESSING, progress_percentage=30, current_stage=Stage.EXPORTING)
    again = first.model_copy(
        update={"retry_count": 1, "progress_percentage": 0, "current_stage": Stage.TRANSCRIBING}
    )
    [event] = events_from_change(first, again)
    assert event.type == "video_started" and event.retry_count == 1


def test_percentage_or_stage_change_while_processing_is_video_progress():
    old = video(status=VideoStatus.PROCESSING, progress_percentage=10, current_stage=Stage.TRANSCRIBING)
    [event] = events_from_change(old, old.model_copy(update={"progress_percentage": 35}))
    assert event.type == "video_progress" and event.progress == 35
    assert event.message == "transcribing 35%"
    [staged] = events_from_change(old, old.model_copy(update={"current_stage": Stage.EXPORTING}))
    assert staged.type == "video_progress" and staged.current_stage is Stage.EXPORTING


def test_processing_to_completed_failed_cancelled():
    running = video(status=VideoStatus.PROCESSING, progress_percentage=80)
    done = running.model_copy(update={"status": VideoStatus.COMPLETED, "progress_percentage": 100})
    [completed] = events_from_change(running, done.model_copy(update={"output_key": "out/a.mp4"}))
    assert completed.type == "video_completed" and completed.progress == 100
    assert completed.output_key == "out/a.mp4"
    broken = running.model_copy(
        update={"status": VideoStatus.FAILED, "error_message": "moov atom not found", "retry_count": 2}
    )
    [failed] = events_from_change(running, broken)
    assert isinstance(failed, VideoFailed)
    assert (failed.error_message, failed.retry_count) == ("moov atom not found", 2)
    assert types(running, running.model_copy(update={"status": VideoStatus.CANCELLED})) == ["video_cancelled"]
    assert types(video(), video(status=VideoStatus.CANCELLED)) == ["video_cancelled"]


def test_irrelevant_and_unchanged_video_writes_give_nothing():
    running = video(status=VideoStatus.PROCESSING, progress_percentage=40)
    assert types(running, running) == []
    assert types(running, running.model_copy(update={"updated_at": T0 + timedelta(seconds=1)})) == []
    assert types(None, video(status=VideoStatus.UPLOADING)) == []  # a new slot
    assert types(video(status=VideoStatus.UPLOADING), video()) == []  # uploaded, waiting
    done = video(status=VideoStatus.COMPLETED, progress_percentage=100)
    assert types(done, done.model_copy(update={"output_video_url": "https://x"})) == []
    assert types(running, None) == []  # removal


# ---- batches ------------------------------------------------------------------------------------------


def test_counter_change_is_batch_progress_with_percentage_and_eta():
    old = batch(completed_videos=1)
    [event] = events_from_change(old, batch(completed_videos=1, failed_videos=1, estimated_time_remaining=42))
    assert event.type == "batch_progress"
    assert (event.progress, event.estimated_time_remaining) == (66, 42)
    assert (event.completed_videos, event.failed_videos, event.total_videos) == (1, 1, 3)
    assert event.message == "2/3 videos done"
    assert types(old, batch(completed_videos=1, estimated_time_remaining=9)) == ["batch_progress"]


def test_status_changes_map_to_batch_events():
    assert types(batch(status=BatchStatus.PENDING), batch(status=BatchStatus.QUEUED)) == ["batch_queued"]
    assert types(batch(), batch(status=BatchStatus.PAUSED)) == ["batch_paused"]
    assert types(batch(status=BatchStatus.PAUSED), batch()) == ["batch_resumed"]
    # a resume waits in the fair queue for a running slot: still announced as resumed, not as queued
    assert types(batch(status=BatchStatus.PAUSED), batch(status=BatchStatus.QUEUED)) == ["batch_resumed"]
    assert types(batch(), batch(status=BatchStatus.CANCELLED)) == ["batch_cancelled"]
    assert types(batch(), batch(status=BatchStatus.FAILED, error_message="timeout")) == ["batch_failed"]
    # starting to process reports the (zero) progress so a watcher draws its bar
    assert types(batch(status=BatchStatus.QUEUED), batch()) == ["batch_progress"]
    assert types(batch(status=BatchStatus.PENDING), batch()) == ["batch_progress"]
    assert types(batch(status=BatchStatus.FAILED), batch()) == ["batch_progress"]  # retried


def test_the_last_video_and_completion_in_one_write_give_progress_then_completed():
    old = batch(completed_videos=2)
    new = batch(
        completed_videos=2,
        failed_videos=1,
        status=BatchStatus.COMPLETED,
        summary={"counts": {"completed": 2, "failed": 1}},
    )
    events = events_from_change(old, new)
    assert [e.type for e in events] == ["batch_progress", "batch_completed"]
    assert isinstance(events[1], BatchCompleted) and events[1].summary == new.summary
    assert events[1].progress == 100


def test_irrelevant_batch_writes_give_nothing():
    old = batch(completed_videos=1)
    assert types(old, old.model_copy(update={"processing_seconds": 12.5, "execution_arn": "arn"})) == []
    assert types(None, batch(status=BatchStatus.PENDING)) == []  # creation
    assert types(old, None) == []


def test_same_change_twice_gives_identical_events():
    old, new = batch(), batch(completed_videos=1, status=BatchStatus.PAUSED)
    assert events_from_change(old, new) == events_from_change(old, new)


# ---- stream images ------------------------------------------------------------------------------------


def as_image(entity: BatchJob | BatchVideo) -> dict[str, Any]:
    """The item as the repository writes it and the stream hands it back (Decimal numbers)."""
    keys = batch_keys(entity) if isinstance(entity, BatchJob) else batch_video_keys(entity)
    kind = "batch" if isinstance(entity, BatchJob) else "batch_video"
    return {**keys, "type": kind, **model_to_attributes(entity)}


def test_stream_images_decode_to_entities_and_other_items_are_ignored():
    running = video(status=VideoStatus.PROCESSING, duration=12.5)
    assert decode_image(as_image(running)) == running
    paused = batch(status=BatchStatus.PAUSED, total_duration_seconds=30.5)
    assert decode_image(as_image(paused)) == paused
    assert decode_image({"PK": "CONN#c1", "SK": "CONN", "connection_id": "c1"}) is None
    assert decode_image({"PK": "BATCH#b-1", "SK": "TOKEN#v-1", "token": "t"}) is None
    assert decode_image(None) is None and decode_image({}) is None
    [event] = events_from_change(decode_image(as_image(video())), decode_image(as_image(running)))
    assert event.type == "video_started"


# ---- numbering, snapshot, serialisation ---------------------------------------------------------------


def test_numbered_assigns_consecutive_sequences_without_touching_the_input():
    events = events_from_change(
        batch(completed_videos=2), batch(completed_videos=3, status=BatchStatus.COMPLETED)
    )
    result = numbered(events, 7)
    assert [e.sequence for e in result] == [7, 8]
    assert [e.sequence for e in events] == [0, 0]


def test_snapshot_holds_every_video_in_position_order_and_the_last_sequence():
    videos = [
        video(video_id="v-2", position=2, status=VideoStatus.FAILED, error_message="corrupt"),
        video(status=VideoStatus.PROCESSING, progress_percentage=50, current_stage=Stage.EXPORTING),
    ]
    event = snapshot(batch(failed_videos=1, estimated_time_remaining=30), videos, sequence=12)
    assert event.sequence == 12 and event.progress == 33 and event.name == "holiday"
    assert [v.video_id for v in event.videos] == ["v-1", "v-2"]
    assert event.videos[1].error_message == "corrupt" and event.videos[0].progress == 50
    assert parse_event(encode(event)) == event


def test_every_event_type_round_trips_through_json():
    changes = [
        (video(), video(status=VideoStatus.PROCESSING)),
        (video(status=VideoStatus.PROCESSING), video(status=VideoStatus.PROCESSING, progress_percentage=5)),
        (video(status=VideoStatus.PROCESSING), video(status=VideoStatus.COMPLETED)),
        (video(status=VideoStatus.PROCESSING), video(status=VideoStatus.FAILED, error_message="x")),
        (video(), video(status=VideoStatus.CANCELLED)),
        (batch(), batch(completed_videos=1)),
        (batch(), batch(status=BatchStatus.PAUSED)),
        (batch(status=BatchStatus.PAUSED), batch()),
        (batch(status=BatchStatus.PENDING), batch(status=BatchStatus.QUEUED)),
        (batch(), batch(status=BatchStatus.COMPLETED)),
        (batch(), batch(status=BatchStatus.FAILED)),
        (batch(), batch(status=BatchStatus.CANCELLED)),
    ]
    seen = set()
    for old, new in changes:
        for event in events_from_change(old, new):
            seen.add(event.type)
            assert parse_event(encode(event)) == event
    assert len(seen) == 12


def test_an_oversized_failure_is_cut_not_split():
    huge = "ffmpeg said: " + "x" * 300_000
    running = video(status=VideoStatus.PROCESSING)
    [event] = events_from_change(
        running, running.model_copy(update={"status": VideoStatus.FAILED, "error_message": huge})
    )
    raw = encode(event)
    assert len(raw) < MAX_MESSAGE_BYTES
    assert isinstance(event, VideoFailed) and event.error_message.startswith("ffmpeg said: ")
    assert event.error_message.endswith("…") and len(event.error_message) == 2000
    assert json.loads(raw)["type"] == "video_failed"


def test_an_oversized_summary_is_dropped_from_a_finished_batch():
    summary = {"failures": [{"error": "y" * 1000} for _ in range(200)]}
    [event] = events_from_change(batch(), batch(status=BatchStatus.COMPLETED, summary=summary))
    assert isinstance(event, BatchCompleted) and event.summary is None
    small = batch(status=BatchStatus.COMPLETED, summary={"counts": {"completed": 3}})
    assert events_from_change(batch(), small)[0].summary == {"counts": {"completed": 3}}


texts = st.text(max_size=3000) | st.builds(lambda c, n: c * n, st.characters(), st.integers(0, 200_000))
ids = st.text(min_size=1, max_size=256)


@settings(max_examples=60, deadline=None)
@given(message=texts, error=texts, video_id=ids, batch_id=ids, sequence=st.integers(0, 2**40))
def test_fitted_video_failures_validate_back_and_stay_under_the_limit(
    message, error, video_id, batch_id, sequence
):
    event = fit(
        VideoFailed(
            batch_id=batch_id,
            video_id=video_id,
            position=1,
            progress=0,
            message=message,
            error_message=error,
            timestamp=T0,
            sequence=sequence,
        )
    )
    raw = encode(event)
    assert len(raw) < MAX_MESSAGE_BYTES
    assert PROGRESS_EVENT.validate_json(raw) == event


@settings(max_examples=25, deadline=None)
@given(
    errors=st.lists(texts, min_size=0, max_size=50),
    message=texts,
    summary_text=texts,
)
def test_fitted_snapshots_and_finished_batches_validate_back_and_stay_under_the_limit(
    errors, message, summary_text
):
    states = [
        VideoState(video_id=f"v-{i}", position=i + 1, status=VideoStatus.FAILED, progress=0, error_message=e)
        for i, e in enumerate(errors)
    ]
    common = {
        "batch_id": "b",
        "status": BatchStatus.COMPLETED,
        "progress": 100,
        "timestamp": T0,
        "message": message,
    }
    for event in (
        fit(BatchSnapshot(**common, videos=states)),
        fit(BatchCompleted(**common, summary={"text": summary_text}, error_message=summary_text)),
    ):
        raw = encode(event)
        assert len(raw) < MAX_MESSAGE_BYTES
        assert PROGRESS_EVENT.validate_json(raw) == event


def test_every_event_type_is_documented_with_an_example_that_validates():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "progress.md").read_text()
    examples = [PROGRESS_EVENT.validate_json(block) for block in re.findall(r"```json\n(.*?)```", doc, re.S)]
    documented = {e.type for e in examples}
    for kind in ("video_started", "video_progress", "video_completed", "video_failed", "video_cancelled"):
        assert kind in documented
    for kind in ("progress", "paused", "resumed", "queued", "completed", "failed", "cancelled", "snapshot"):
        assert f"`batch_{kind}`" in doc
    assert {
        "batch_progress",
        "batch_paused",
        "batch_completed",
        "batch_failed",
        "batch_snapshot",
    } <= documented


def test_undecodable_process_output_is_sent_with_replacement_characters():
    stderr = b"moov atom \xff not found".decode("utf-8", "surrogateescape")
    event = VideoFailed(
        batch_id="b", video_id="v", position=1, progress=0, timestamp=T0, error_message=stderr, message=stderr
    )
    completed = BatchCompleted(
        batch_id="b", status=BatchStatus.COMPLETED, progress=100, timestamp=T0, summary={"e": stderr}
    )
    assert json.loads(encode(event))["error_message"] == "moov atom ? not found"
    assert json.loads(encode(completed))["summary"] == {"e": "moov atom ? not found"}


def test_openapi_components_hold_every_event_and_the_union():
    components = openapi_components()
    names = {
        "VideoStarted",
        "VideoProgress",
        "VideoCompleted",
        "VideoFailed",
        "VideoCancelled",
        "BatchProgress",
        "BatchPaused",
        "BatchResumed",
        "BatchQueued",
        "BatchCompleted",
        "BatchFailed",
        "BatchCancelled",
        "BatchSnapshot",
        "VideoState",
    }
    assert names <= set(components)
    union = components["ProgressEvent"]
    assert union["discriminator"]["propertyName"] == "type"
    assert union["discriminator"]["mapping"]["video_failed"] == "#/components/schemas/VideoFailed"
    assert components["BatchSnapshot"]["properties"]["videos"]["items"] == {
        "$ref": "#/components/schemas/VideoState"
    }
