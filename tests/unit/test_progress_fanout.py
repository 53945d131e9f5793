"""The fan-out use case with in-memory collaborators: numbering, key lookups, Gone removal, publishing."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from functions.adapters.connection_notifier import ConnectionNotifier
from functions.adapters.event_sequence import EventSequence
from functions.domain.enums import BatchStatus, Stage, VideoStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.progress_events import FinishedEvent, parse_event
from functions.services.progress_fanout import (
    Change,
    EventSink,
    ProgressFanout,
    SequenceSource,
    catch_up,
)

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

# The adapters this use case will be bound to satisfy its ports (checked by mypy).
_sequence_port: type[SequenceSource] = EventSequence
_sink_port: type[EventSink] = ConnectionNotifier


def batch(**fields: Any) -> BatchJob:
    base = {
        "id": "b-1",
        "user_id": "alice",
        "name": "n",
        "total_videos": 2,
        "created_at": T0,
        "updated_at": T0,
    }
    return BatchJob(**{**base, "status": BatchStatus.PROCESSING, **fields})


def video(**fields: Any) -> BatchVideo:
    base = {"batch_job_id": "b-1", "video_id": "v-1", "position": 1, "created_at": T0, "updated_at": T0}
    return BatchVideo(**{**base, "status": VideoStatus.PENDING, **fields})


class Listeners:
    def __init__(self, by_batch: dict[str, list[str]], by_user: dict[str, list[str]]) -> None:
        self.by_batch, self.by_user = by_batch, by_user
        self.lookups: list[tuple[str, str]] = []

    def batch_listeners(self, batch_id: str) -> list[str]:
        self.lookups.append(("batch", batch_id))
        return list(self.by_batch.get(batch_id, []))

    def user_listeners(self, user_id: str) -> list[str]:
        self.lookups.append(("user", user_id))
        return list(self.by_user.get(user_id, []))


@dataclass
class Owners:
    owners: dict[str, str]
    calls: int = 0

    def batch_owner(self, batch_id: str) -> str | None:
        self.calls += 1
        return self.owners.get(batch_id)


@dataclass
class Remover:
    removed: list[str] = field(default_factory=list)

    def remove_connections(self, connection_ids: Sequence[str]) -> None:
        self.removed.extend(connection_ids)


@dataclass
class Sent:
    gone: list[str]


@dataclass
class Sink:
    gone: set[str] = field(default_factory=set)
    inbox: dict[str, list[bytes]] = field(default_factory=dict)

    def post(self, connection_ids: Sequence[str], data: bytes) -> Sent:
        for cid in connection_ids:
            if cid not in self.gone:
                self.inbox.setdefault(cid, []).append(data)
        return Sent(gone=[c for c in connection_ids if c in self.gone])


@dataclass
class Counter:
    """Per-batch numbers, claimed once per event id (what EventSequence does on DynamoDB)."""

    last_by_batch: dict[str, int] = field(default_factory=dict)
    claims: dict[tuple[str, str], int] = field(default_factory=dict)

    def allocate(self, batch_id: str, event_id: str, count: int) -> int:
        if (batch_id, event_id) not in self.claims:
            self.claims[batch_id, event_id] = self.last(batch_id) + 1
            self.last_by_batch[batch_id] = self.last(batch_id) + count
        return self.claims[batch_id, event_id]

    def last(self, batch_id: str) -> int:
        return self.last_by_batch.get(batch_id, 0)


@dataclass
class Publisher:
    published: list[tuple[str, str]] = field(default_factory=list)

    def batch_finished(self, event: FinishedEvent, user_id: str) -> None:
        self.published.append((event.type, user_id))


def make(**kwargs: Any) -> tuple[ProgressFanout, Sink, Listeners, Remover]:
    listeners = kwargs.pop("listeners", Listeners({"b-1": ["c1", "c2"]}, {"alice": ["c2", "c3"]}))
    sink, remover = kwargs.pop("sink", Sink()), Remover()
    fanout = ProgressFanout(
        listeners=listeners,
        owners=kwargs.pop("owners", Owners({"b-1": "alice"})),
        remover=remover,
        sink=sink,
        sequence=kwargs.pop("sequence", Counter()),
        **kwargs,
    )
    return fanout, sink, listeners, remover


def received(sink: Sink, cid: str) -> list[tuple[int, str]]:
    return [(e.sequence, e.type) for e in map(parse_event, sink.inbox.get(cid, []))]


def test_events_reach_batch_and_user_listeners_once_each_in_sequence_order():
    fanout, sink, listeners, _ = make()
    fanout.handle(Change("e1", video(), video(status=VideoStatus.PROCESSING)))
    running = video(status=VideoStatus.PROCESSING, current_stage=Stage.EXPORTING, progress_percentage=60)
    fanout.handle(Change("e2", video(status=VideoStatus.PROCESSING), running))
    result = fanout.handle(Change("e3", batch(), batch(completed_videos=2, status=BatchStatus.COMPLETED)))
    assert result.listeners == 3
    expected = [(1, "video_started"), (2, "video_progress"), (3, "batch_progress"), (4, "batch_completed")]
    for cid in ("c1", "c2", "c3"):
        assert received(sink, cid) == expected
    assert ("batch", "b-1") in listeners.lookups and ("user", "alice") in listeners.lookups


def test_batch_progress_names_the_video_reported_just_before_it():
    fanout, sink, *_ = make()
    fanout.handle(Change("e0", batch(status=BatchStatus.QUEUED), batch()))  # no video yet
    running = video(status=VideoStatus.PROCESSING)
    fanout.handle(Change("e1", running, running.model_copy(update={"status": VideoStatus.COMPLETED})))
    fanout.handle(Change("e2", batch(), batch(completed_videos=1)))
    events = [parse_event(f) for f in sink.inbox["c1"]]
    assert [(e.type, getattr(e, "current_video_id", "-")) for e in events] == [
        ("batch_progress", None),
        ("video_completed", "-"),
        ("batch_progress", "v-1"),
    ]


def test_the_owner_of_a_video_change_is_looked_up_once_per_batch():
    owners = Owners({"b-1": "alice"})
    fanout, *_ = make(owners=owners)
    for n in range(3):
        fanout.handle(
            Change(
                f"e{n}",
                video(status=VideoStatus.PROCESSING, progress_percentage=n),
                video(status=VideoStatus.PROCESSING, progress_percentage=n + 1),
            )
        )
    fanout.handle(Change("eb", batch(), batch(status=BatchStatus.PAUSED)))  # owner is in the item
    assert owners.calls == 1


def test_gone_connections_are_removed_and_not_posted_to_again():
    sink = Sink(gone={"c2"})
    fanout, sink, _, remover = make(sink=sink)
    result = fanout.handle(Change("e1", batch(), batch(completed_videos=2, status=BatchStatus.COMPLETED)))
    assert len(result.events) == 2
    assert remover.removed == ["c2"] and result.removed == ["c2"]
    assert received(sink, "c1") == [(1, "batch_progress"), (2, "batch_completed")]


def test_irrelevant_changes_take_no_number_and_touch_nothing():
    counter = Counter()
    fanout, sink, listeners, remover = make(sequence=counter)
    result = fanout.handle(Change("e1", batch(), batch(processing_seconds=3.0)))
    assert result.events == [] and listeners.lookups == [] and sink.inbox == {} and counter.last("b-1") == 0
    assert remover.removed == []
    assert fanout.handle(Change("e2", None, None)).events == []


def test_changes_are_numbered_even_with_nobody_listening():
    counter = Counter()
    fanout, *_ = make(sequence=counter, listeners=Listeners({}, {}))
    fanout.handle(Change("e1", batch(), batch(status=BatchStatus.PAUSED)))
    assert counter.last("b-1") == 1


def test_a_redelivered_record_carries_the_same_sequence_numbers():
    fanout, sink, *_ = make()
    change = Change("e1", video(), video(status=VideoStatus.PROCESSING))
    fanout.handle(change)
    fanout.handle(change)
    assert received(sink, "c1") == [(1, "video_started"), (1, "video_started")]  # the client drops the repeat


def test_a_video_of_a_deleted_batch_reaches_only_batch_listeners():
    fanout, sink, listeners, _ = make(owners=Owners({}))
    fanout.handle(Change("e1", video(), video(status=VideoStatus.PROCESSING)))
    assert set(sink.inbox) == {"c1", "c2"}
    assert all(kind == "batch" for kind, _ in listeners.lookups)


class DeletedBatches:
    """What EventSequence answers once the batch item is gone: no number, nothing written."""

    def last(self, batch_id: str) -> int:
        return 0

    def allocate(self, batch_id: str, event_id: str, count: int) -> int | None:
        return None


def test_a_record_arriving_after_the_batch_was_deleted_is_dropped():
    publisher = Publisher()
    fanout, sink, *_ = make(sequence=DeletedBatches(), publisher=publisher)
    result = fanout.handle(
        Change("e1", batch(status=BatchStatus.PROCESSING), batch(status=BatchStatus.COMPLETED))
    )
    assert (result.events, sink.inbox, publisher.published) == ([], {}, [])


def test_finished_batches_are_published_to_the_owner():
    publisher = Publisher()
    fanout, *_ = make(publisher=publisher)
    fanout.handle(Change("e1", batch(), batch(status=BatchStatus.PAUSED)))
    fanout.handle(Change("e2", batch(), batch(status=BatchStatus.FAILED, error_message="x")))
    fanout.handle(Change("e3", batch(), batch(status=BatchStatus.CANCELLED)))
    assert publisher.published == [("batch_failed", "alice"), ("batch_cancelled", "alice")]


def test_catch_up_reads_the_sequence_before_the_state():
    counter = Counter(last_by_batch={"b-1": 7})
    order: list[str] = []

    class Tracking(Counter):
        def last(self, batch_id: str) -> int:
            order.append("sequence")
            return counter.last(batch_id)

    def read(batch_id: str) -> tuple[BatchJob, list[BatchVideo]] | None:
        order.append("state")
        return (
            (batch(completed_videos=1), [video(status=VideoStatus.COMPLETED, progress_percentage=100)])
            if batch_id == "b-1"
            else None
        )

    snap = catch_up(Tracking(), read, "b-1")
    assert snap is not None and snap.sequence == 7 and snap.progress == 50
    assert snap.videos[0].status is VideoStatus.COMPLETED
    assert order == ["sequence", "state"]
    assert catch_up(counter, read, "missing") is None


def test_one_delivery_reads_each_listener_key_once_and_keeps_the_numbering_and_the_current_video():
    """An invocation's records share one read of each listener key; the next invocation reads again
    (a connection that subscribed meanwhile is found). Numbers and the video named by batch_progress
    carry over from one delivery to the next."""
    base, sink, listeners, _ = make()
    first = base.for_one_delivery()
    running = video(status=VideoStatus.PROCESSING)
    first.handle(Change("e1", video(), running))
    first.handle(Change("e2", running, running.model_copy(update={"progress_percentage": 50})))
    assert sorted(listeners.lookups) == [("batch", "b-1"), ("user", "alice")]
    listeners.by_batch["b-1"].append("c4")  # subscribes between two invocations
    second = first.for_one_delivery()
    second.handle(Change("e3", batch(), batch(completed_videos=1)))
    assert len(listeners.lookups) == 4
    assert received(sink, "c4") == [(3, "batch_progress")]
    assert parse_event(sink.inbox["c4"][0]).current_video_id == "v-1"
    assert [s for s, _ in received(sink, "c1")] == [1, 2, 3]
