"""`reelflow watch`: events applied in sequence order (repeats dropped, gaps noticed) and drawn as the
bars of `reelflow run`."""

import io
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.progress import Progress

from functions.domain.enums import BatchStatus, Stage, VideoStatus
from functions.domain.progress_events import (
    BatchCompleted,
    BatchPaused,
    BatchProgress,
    BatchSnapshot,
    VideoCompleted,
    VideoFailed,
    VideoProgress,
    VideoStarted,
    VideoState,
    encode,
)
from reelflow.cli import build_parser
from reelflow.watch import Bars, BatchView, batch_row, parse_message, subscribe_message, video_row

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def v(kind: type, seq: int, vid: str = "v1", position: int = 1, **fields: Any):
    return kind(
        batch_id="b", video_id=vid, position=position, name=f"{vid}.mp4", timestamp=T0, sequence=seq, **fields
    )


def b(kind: type, seq: int, **fields: Any):
    base = {
        "batch_id": "b",
        "status": BatchStatus.PROCESSING,
        "progress": 0,
        "timestamp": T0,
        "sequence": seq,
    }
    return kind(**{**base, **fields})


def test_events_build_the_view_in_order_and_repeats_are_dropped():
    view = BatchView("b")
    assert view.apply(v(VideoStarted, 1, progress=0))
    assert view.apply(v(VideoProgress, 2, progress=40, current_stage=Stage.TRANSCRIBING))
    assert not view.apply(v(VideoProgress, 2, progress=40))  # redelivered
    assert view.videos["v1"].status is VideoStatus.PROCESSING and view.videos["v1"].progress == 40
    assert view.apply(v(VideoFailed, 3, progress=40, error_message="corrupt", retry_count=2))
    assert view.videos["v1"].error_message == "corrupt" and view.videos["v1"].retry_count == 2
    assert view.apply(
        b(BatchProgress, 4, progress=50, total_videos=2, failed_videos=1, estimated_time_remaining=8)
    )
    assert (view.progress, view.eta, view.last_sequence) == (50, 8, 4)
    assert view.apply(b(BatchPaused, 5, status=BatchStatus.PAUSED, progress=50))
    assert view.status is BatchStatus.PAUSED and not view.finished
    assert view.apply(b(BatchCompleted, 6, status=BatchStatus.COMPLETED, progress=100))
    assert view.finished


def test_a_gap_asks_for_a_snapshot_which_replaces_the_state():
    view = BatchView("b")
    view.apply(v(VideoStarted, 1, progress=0))
    assert not view.apply(v(VideoCompleted, 4, progress=100))
    assert view.needs_snapshot and view.last_sequence == 1
    assert subscribe_message(view) == '{"action": "subscribe", "batch_id": "b", "since": 1}'
    snapshot = b(
        BatchSnapshot,
        4,
        progress=50,
        total_videos=2,
        completed_videos=1,
        videos=[
            VideoState(video_id="v1", position=1, name="v1.mp4", status=VideoStatus.COMPLETED, progress=100),
            VideoState(video_id="v2", position=2, name="v2.mp4", status=VideoStatus.PENDING, progress=0),
        ],
    )
    assert view.apply(snapshot)
    assert not view.needs_snapshot and view.last_sequence == 4 and set(view.videos) == {"v1", "v2"}
    assert not view.apply(v(VideoCompleted, 4, progress=100))  # already in the snapshot
    assert view.apply(v(VideoStarted, 5, vid="v2", position=2, progress=0))


def test_a_first_subscription_has_no_since_and_other_batches_are_ignored():
    view = BatchView("b")
    assert subscribe_message(view) == '{"action": "subscribe", "batch_id": "b"}'
    other = VideoStarted(batch_id="x", video_id="v", position=1, progress=0, timestamp=T0, sequence=1)
    assert not view.apply(other) and view.last_sequence == 0


def test_messages_are_events_control_replies_or_ignored():
    event = v(VideoStarted, 1, progress=0)
    assert parse_message(encode(event).decode()) == event
    assert parse_message('{"status": 200, "message": "subscribed to batch b"}') == {
        "status": 200,
        "message": "subscribed to batch b",
    }
    assert parse_message("not json") is None
    assert parse_message('{"type": "video_exploded"}') is None
    assert parse_message("[1, 2]") is None


def test_rows_look_like_reelflow_run():
    running = VideoState(
        video_id="v1",
        position=3,
        name="holiday.mp4",
        status=VideoStatus.PROCESSING,
        progress=45,
        current_stage=Stage.EXPORTING,
    )
    label, percent, status = video_row(running)
    assert label.startswith("  3 holiday.mp4") and percent == 45 and status == "[yellow]exporting"
    failed = running.model_copy(update={"status": VideoStatus.FAILED})
    assert video_row(failed)[2] == "[red]failed"
    view = BatchView("b", status=BatchStatus.PROCESSING, progress=33, eta=12)
    assert batch_row(view) == (33, "processing, ~12s left")
    assert batch_row(BatchView("b")) == (0, "waiting")


def test_bars_follow_the_view():
    console = Console(file=io.StringIO(), width=120)
    with Progress(console=console) as progress:
        bars = Bars(progress)
        view = BatchView("b")
        view.apply(v(VideoStarted, 1, vid="v2", position=2, progress=0))
        view.apply(v(VideoProgress, 2, vid="v2", position=2, progress=70, current_stage=Stage.EXPORTING))
        view.apply(v(VideoStarted, 3, vid="v1", position=1, progress=0))
        view.apply(b(BatchProgress, 4, progress=25))
        bars.draw(view)
        bars.draw(view)  # redrawing adds no bars
        tasks = {t.description: t for t in progress.tasks}
    assert list(tasks) == ["[bold]batch", "  1 v1.mp4" + " " * 22, "  2 v2.mp4" + " " * 22]
    assert tasks["  2 v2.mp4" + " " * 22].completed == 70
    assert tasks["  2 v2.mp4" + " " * 22].fields["status"] == "[yellow]exporting"
    assert tasks["[bold]batch"].completed == 25


def test_the_cli_has_a_watch_command():
    args = build_parser().parse_args(["watch", "b-1", "--url", "ws://127.0.0.1:1/ws", "--timeout", "5"])
    assert (args.batch_id, args.url, args.timeout, args.user) == (
        "b-1",
        "ws://127.0.0.1:1/ws",
        5.0,
        "local-user",
    )


def test_a_live_event_that_overtakes_the_first_snapshot_is_applied_on_top_of_it():
    view = BatchView("b")
    assert view.apply(v(VideoCompleted, 5, vid="v2", position=2, progress=100))  # overtook the snapshot
    snapshot = BatchSnapshot(
        batch_id="b",
        name="n",
        status=BatchStatus.PROCESSING,
        progress=0,
        total_videos=2,
        completed_videos=0,
        failed_videos=0,
        cancelled_videos=0,
        message="",
        timestamp=T0,
        sequence=4,
        videos=[
            VideoState(video_id="v1", position=1, name="a.mp4", status=VideoStatus.COMPLETED, progress=100),
            VideoState(video_id="v2", position=2, name="b.mp4", status=VideoStatus.PROCESSING, progress=50),
        ],
    )
    assert view.apply(snapshot)
    assert set(view.videos) == {"v1", "v2"} and view.videos["v2"].status is VideoStatus.COMPLETED
    assert view.last_sequence == 5
    assert not view.apply(snapshot.model_copy(update={"sequence": 3}))  # an older one after that: dropped
