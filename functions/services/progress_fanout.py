"""Use case: one change of the table's stream → numbered progress events → every listening connection.

Listeners are found by key (the batch's subscribers and its owner's "all my batches" subscribers), never
by scanning. A connection API Gateway answers Gone for is removed. Every change that yields events is
numbered (even with nobody listening), so a client that subscribes later can tell a gap from silence.
Delivery is at least once: a record that is retried is numbered the same, and clients drop sequences they
have seen. Finished batches are also announced to the notification publisher, when one is bound.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from functions.domain.models import BatchJob, BatchVideo
from functions.domain.progress_events import (
    BatchProgress,
    BatchSnapshot,
    FinishedEvent,
    ProgressEvent,
    encode,
    events_from_change,
    numbered,
    snapshot,
)


class ListenerDirectory(Protocol):
    """Connection ids by key lookup (a Query on the subscription partition, never a Scan)."""

    def batch_listeners(self, batch_id: str) -> list[str]: ...

    def user_listeners(self, user_id: str) -> list[str]: ...


@dataclass
class ListenersReadOnce:
    """One delivery's view of the directory (the stream records of one invocation, handled within
    milliseconds): each batch's and each user's listeners read once, not once per record. A connection
    that subscribes meanwhile misses those records' events; the first it receives after them shows it
    the gap, and it resubscribes for a snapshot (the protocol's catch-up)."""

    directory: ListenerDirectory
    _batches: dict[str, list[str]] = field(default_factory=dict)
    _users: dict[str, list[str]] = field(default_factory=dict)

    def batch_listeners(self, batch_id: str) -> list[str]:
        if batch_id not in self._batches:
            self._batches[batch_id] = self.directory.batch_listeners(batch_id)
        return self._batches[batch_id]

    def user_listeners(self, user_id: str) -> list[str]:
        if user_id not in self._users:
            self._users[user_id] = self.directory.user_listeners(user_id)
        return self._users[user_id]


class BatchOwners(Protocol):
    def batch_owner(self, batch_id: str) -> str | None:
        """The user id of the batch (a GetItem), None when the batch no longer exists."""
        ...


class ConnectionRemover(Protocol):
    def remove_connections(self, connection_ids: Sequence[str]) -> None: ...


class Delivered(Protocol):
    @property
    def gone(self) -> list[str]: ...


class EventSink(Protocol):
    """Sends one message to connections; reports (never raises for) the ones that are gone."""

    def post(self, connection_ids: Sequence[str], data: bytes) -> Delivered: ...


class SequenceSource(Protocol):
    def allocate(self, batch_id: str, event_id: str, count: int) -> int | None:
        """First of `count` consecutive numbers for stream record `event_id`; stable on redelivery."""
        ...

    def last(self, batch_id: str) -> int: ...


class FinishedBatchPublisher(Protocol):
    def batch_finished(self, event: FinishedEvent, user_id: str) -> None: ...


@dataclass(frozen=True)
class Change:
    """One stream record, decoded: `event_id` is the record's eventID."""

    event_id: str
    old: BatchJob | BatchVideo | None
    new: BatchJob | BatchVideo | None


@dataclass
class FanoutResult:
    events: list[ProgressEvent] = field(default_factory=list)
    listeners: int = 0
    removed: list[str] = field(default_factory=list)


@dataclass
class ProgressFanout:
    listeners: ListenerDirectory
    owners: BatchOwners
    remover: ConnectionRemover
    sink: EventSink
    sequence: SequenceSource
    publisher: FinishedBatchPublisher | None = None
    _owner_cache: dict[str, str] = field(default_factory=dict, repr=False)
    _current_video: dict[str, str] = field(default_factory=dict, repr=False)

    def for_one_delivery(self) -> "ProgressFanout":
        """The fan-out for one invocation's records: the same numbering and caches, its listeners read
        once per key (ListenersReadOnce)."""
        directory = self.listeners
        if isinstance(directory, ListenersReadOnce):
            directory = directory.directory
        return replace(self, listeners=ListenersReadOnce(directory))

    def _owner(self, change: Change, batch_id: str) -> str | None:
        if isinstance(change.new, BatchJob):
            return change.new.user_id
        if batch_id not in self._owner_cache:  # a batch never changes owner
            owner = self.owners.batch_owner(batch_id)
            if owner is None:
                return None
            self._owner_cache[batch_id] = owner
        return self._owner_cache[batch_id]

    def _with_current_video(self, events: list[ProgressEvent]) -> list[ProgressEvent]:
        """A counter change is written with the video change that caused it and streamed right after it
        (same partition): `batch_progress` names the video reported last for the batch."""
        result: list[ProgressEvent] = []
        for event in events:
            current = self._current_video.get(event.batch_id)
            if event.video_id is not None:
                self._current_video[event.batch_id] = event.video_id
            elif isinstance(event, BatchProgress) and current is not None:
                result.append(event.model_copy(update={"current_video_id": current}))
                continue
            result.append(event)
        return result

    def handle(self, change: Change) -> FanoutResult:
        events = events_from_change(change.old, change.new)
        if not events:
            return FanoutResult()
        batch_id = events[0].batch_id
        first = self.sequence.allocate(batch_id, change.event_id, len(events))
        if first is None:  # a record that arrived after the batch was deleted: nobody to tell
            return FanoutResult()
        events = numbered(self._with_current_video(events), first)
        owner = self._owner(change, batch_id)
        connections = list(
            dict.fromkeys(
                [
                    *self.listeners.batch_listeners(batch_id),
                    *(self.listeners.user_listeners(owner) if owner else []),
                ]
            )
        )
        gone: list[str] = []
        for event in events:
            live = [c for c in connections if c not in gone]
            if live:
                gone.extend(self.sink.post(live, encode(event)).gone)
        if gone:
            self.remover.remove_connections(gone)
        if self.publisher is not None and owner is not None:
            for event in events:
                if isinstance(event, FinishedEvent):
                    self.publisher.batch_finished(event, owner)
        return FanoutResult(events=events, listeners=len(connections), removed=gone)


def catch_up(
    sequence: SequenceSource,
    read_batch: Callable[[str], tuple[BatchJob, Sequence[BatchVideo]] | None],
    batch_id: str,
) -> BatchSnapshot | None:
    """The snapshot a (re)subscribing client gets first. The last sequence is read *before* the state,
    so everything numbered up to it is already in the state; later events may repeat what the state
    shows, never miss it. None when the batch does not exist."""
    last = sequence.last(batch_id)
    found = read_batch(batch_id)
    if found is None:
        return None
    batch, videos = found
    return snapshot(batch, videos, last)
