"""In-memory stores. Each write takes one lock, as DynamoDB's conditional writes are atomic per item."""

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from functions.adapters import page_token
from functions.domain.batch_control import ParkedToken
from functions.domain.batch_listing import (
    BatchPage,
    SortField,
    SortOrder,
    order_batches,
    page_fingerprint,
)
from functions.domain.capacity import CapacitySetting
from functions.domain.enums import BatchStatus, Stage, Tier, VideoStatus
from functions.domain.errors import IllegalTransition, MembershipConflict
from functions.domain.membership import reject_duplicate_members, require_transaction_size
from functions.domain.models import BatchJob, BatchVideo, Connection, TranscriptionJob, User, Video
from functions.domain.quotas import effective_priority
from functions.domain.scheduling import batch_videos, slot_delta
from functions.domain.slots import NoRunningSlot, SlotCounts, SlotLimits
from functions.domain.transitions import BatchAction, VideoAction, next_batch_status, next_video_status

M = TypeVar("M", bound=BaseModel)


def apply(
    model: M, now: datetime, set_fields: Mapping[str, Any] | None, add: Mapping[str, float] | None
) -> M:
    """What an UpdateExpression does: SET (a.b addresses a map entry, None removes), ADD counters."""
    data = model.model_dump(mode="json")
    for path, value in {**(set_fields or {}), "updated_at": now}.items():
        *parents, leaf = path.split(".")
        target = data
        for name in parents:
            child = target.get(name)
            if not isinstance(child, dict):
                child = target[name] = {}
            target = child
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    for name, amount in (add or {}).items():
        data[name] = (data.get(name) or 0) + amount
    return type(model).model_validate(data)


class Members(dict[tuple[str, str], BatchVideo]):
    """Batch members by (batch id, video id), with the two lookups DynamoDB answers with a Query (a
    batch's members, a video's batches) kept as indexes, so a fake table of thousands of batches (the
    capacity simulation's) answers them without walking every member."""

    def __init__(self) -> None:
        super().__init__()
        self.by_batch: dict[str, set[str]] = {}
        self.by_video: dict[str, set[str]] = {}

    def __setitem__(self, key: tuple[str, str], value: BatchVideo) -> None:
        super().__setitem__(key, value)
        self.by_batch.setdefault(key[0], set()).add(key[1])
        self.by_video.setdefault(key[1], set()).add(key[0])

    def __delitem__(self, key: tuple[str, str]) -> None:
        super().__delitem__(key)
        self.by_batch[key[0]].discard(key[1])
        self.by_video[key[1]].discard(key[0])

    def clear(self) -> None:
        super().clear()
        self.by_batch.clear()
        self.by_video.clear()

    def of_batch(self, batch_id: str) -> list[BatchVideo]:
        return [self[(batch_id, v)] for v in self.by_batch.get(batch_id, ())]

    def of_video(self, video_id: str) -> list[BatchVideo]:
        return [self[(b, video_id)] for b in self.by_video.get(video_id, ())]


class Table:
    """Shared by every fake store, as the single DynamoDB table is shared by every adapter."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.rates: dict[tuple[str, str], int] = {}
        self.videos: dict[str, Video] = {}
        self.batches: dict[str, BatchJob] = {}
        self.members = Members()
        self.tokens: dict[tuple[str, str], str] = {}
        self.jobs: dict[str, TranscriptionJob] = {}
        self.connections: dict[str, Connection] = {}
        self.subscriptions: dict[str, set[str]] = {}
        self.running: dict[str, int] = {}  # running slots per user
        self.last_admitted: dict[str, datetime] = {}
        self.global_running = 0
        self.global_videos = 0  # videos in flight of the running batches
        self.capacity: CapacitySetting | None = None


class FakeUserStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    def upsert(self, user_id: str, tier: Tier, now: datetime) -> User:
        with self.t.lock:
            existing = self.t.users.get(user_id)
            user = User(id=user_id, tier=tier, created_at=existing.created_at if existing else now)
            self.t.users[user_id] = user
            return user

    def get(self, user_id: str) -> User | None:
        return self.t.users.get(user_id)

    def consume_creation_quota(self, user_id: str, window: str, limit: int, expires_epoch: int) -> int | None:
        with self.t.lock:
            used = self.t.rates.get((user_id, window), 0)
            if used >= limit:
                return None
            self.t.rates[(user_id, window)] = used + 1
            return used + 1


class FakeVideoStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    def put_many(self, videos: Iterable[Video]) -> None:
        with self.t.lock:
            for video in videos:
                self.t.videos[video.id] = video

    def get(self, video_id: str) -> Video | None:
        return self.t.videos.get(video_id)

    def create(self, video: Video) -> bool:
        with self.t.lock:
            if video.id in self.t.videos:
                return False
            self.t.videos[video.id] = video
            return True

    def get_many(self, video_ids: Iterable[str]) -> dict[str, Video]:
        return {i: self.t.videos[i] for i in video_ids if i in self.t.videos}

    def record_probe(
        self, video_id: str, etag: str, fields: Mapping[str, Any], now: datetime
    ) -> Video | None:
        with self.t.lock:
            video = self.t.videos.get(video_id)
            if video is None or video.etag == etag:
                return None
            self.t.videos[video_id] = apply(video, now, {**fields, "etag": etag}, {"probe_count": 1})
            return self.t.videos[video_id]

    def set_upload(self, video_id: str, now: datetime, fields: Mapping[str, Any]) -> Video:
        with self.t.lock:
            self.t.videos[video_id] = apply(self.t.videos[video_id], now, fields, None)
            return self.t.videos[video_id]

    def delete(self, video_id: str) -> None:
        with self.t.lock:
            self.t.videos.pop(video_id, None)


class FakeBatchStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    # Each membership write is one DynamoDB transaction of the items the adapter writes (the batch's
    # item, then one per member it puts, deletes or moves): more than one holds is refused whole.

    def create(self, batch: BatchJob, batch_videos: list[BatchVideo]) -> None:
        reject_duplicate_members(batch_videos)
        require_transaction_size(1 + len(batch_videos))
        with self.t.lock:
            if batch.id in self.t.batches or any(
                (bv.batch_job_id, bv.video_id) in self.t.members for bv in batch_videos
            ):
                raise MembershipConflict()
            self.t.batches[batch.id] = batch
            for bv in batch_videos:
                self.t.members[(bv.batch_job_id, bv.video_id)] = bv

    def get(self, batch_id: str) -> BatchJob | None:
        return self.t.batches.get(batch_id)

    def get_with_videos(self, batch_id: str) -> tuple[BatchJob, list[BatchVideo]] | None:
        with self.t.lock:
            batch = self.t.batches.get(batch_id)
            members = self.t.members.of_batch(batch_id)
        return (batch, sorted(members, key=lambda bv: bv.position)) if batch else None

    def list_for_user(self, user_id: str, status: BatchStatus | None = None) -> list[BatchJob]:
        mine = [b for b in self.t.batches.values() if b.user_id == user_id and status in (None, b.status)]
        return sorted(mine, key=lambda b: (b.created_at, b.id), reverse=True)

    def list_for_user_since(self, user_id: str, since: datetime) -> list[BatchJob]:
        return [b for b in self.list_for_user(user_id) if b.created_at >= since]

    def page_for_user(
        self,
        user_id: str,
        status: BatchStatus | None,
        sort: SortField,
        limit: int,
        *,
        after: str | None = None,
        skip: int = 0,
        order: SortOrder | None = None,
    ) -> BatchPage:
        ordered = order_batches(self.list_for_user(user_id, status), sort, order)
        return page_token.page_of(ordered, page_fingerprint(sort, status, order), limit, after, skip)

    def count_for_user(self, user_id: str, status: BatchStatus | None = None) -> int:
        return len(self.list_for_user(user_id, status))

    def list_by_status(self, status: BatchStatus, limit: int | None = None) -> list[BatchJob]:
        found = sorted(
            (b for b in self.t.batches.values() if b.status is status),
            key=lambda b: (-effective_priority(b), b.created_at, b.id),
        )
        return found[:limit] if limit is not None else found

    def transition(
        self,
        batch: BatchJob,
        action: BatchAction,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
        slots: SlotLimits | None = None,
    ) -> BatchJob:
        with self.t.lock:
            stored = self.t.batches.get(batch.id)
            if stored is None:
                raise IllegalTransition("batch", None, action)
            target = next_batch_status(stored.status, action)  # the stored status decides, not `batch`
            delta = slot_delta(stored.status, target)
            user_running = self.t.running.get(stored.user_id, 0)
            videos = batch_videos(stored.tier, stored.total_videos)
            if (
                delta > 0
                and slots is not None
                and (
                    user_running >= slots.user_limit
                    or self.t.global_running >= slots.global_cap
                    or (slots.videos_cap is not None and self.t.global_videos + videos > slots.videos_cap)
                )
            ):
                raise NoRunningSlot("No running slot is free")
            changed = apply(stored, now, {"status": target.value, **(set_fields or {})}, add_fields)
            self.t.batches[batch.id] = changed
            if delta:
                self.t.running[stored.user_id] = user_running + delta
                self.t.global_running += delta
                self.t.global_videos += delta * videos
                if delta > 0:
                    self.t.last_admitted[stored.user_id] = now
            return changed

    def slot_counts(self, user_ids: Iterable[str]) -> SlotCounts:
        with self.t.lock:
            users = sorted(set(user_ids))
            return SlotCounts(
                {u: max(self.t.running.get(u, 0), 0) for u in users},
                {u: self.t.last_admitted[u] for u in users if u in self.t.last_admitted},
                max(self.t.global_running, 0),
                max(self.t.global_videos, 0),
            )

    def update(
        self,
        batch_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
    ) -> BatchJob:
        with self.t.lock:
            stored = self.t.batches[batch_id]  # DynamoDB: ConditionalCheckFailed on a missing batch
            self.t.batches[batch_id] = apply(stored, now, set_fields, add_fields)
            return self.t.batches[batch_id]

    def update_pending(self, batch_id: str, now: datetime, set_fields: Mapping[str, Any]) -> BatchJob | None:
        with self.t.lock:
            stored = self.t.batches.get(batch_id)
            if stored is None or stored.status is not BatchStatus.PENDING:
                return None
            self.t.batches[batch_id] = apply(stored, now, set_fields, None)
            return self.t.batches[batch_id]

    def _pinned(self, batch: BatchJob, add: int = 0, limit: int | None = None) -> BatchJob:
        stored = self.t.batches.get(batch.id)
        if stored is None or stored.status is not BatchStatus.PENDING:
            raise MembershipConflict()
        if stored.total_videos != batch.total_videos or (
            limit is not None and stored.total_videos + add > limit
        ):
            raise MembershipConflict()
        return stored

    def add_videos(
        self, batch: BatchJob, batch_videos: list[BatchVideo], now: datetime, limit: int | None = None
    ) -> None:
        reject_duplicate_members(batch_videos)
        with self.t.lock:
            stored = self._pinned(batch, len(batch_videos), limit)
            if any((bv.batch_job_id, bv.video_id) in self.t.members for bv in batch_videos):
                raise MembershipConflict()
            self.t.batches[batch.id] = apply(stored, now, None, {"total_videos": len(batch_videos)})
            for bv in batch_videos:
                self.t.members[(bv.batch_job_id, bv.video_id)] = bv

    def delete(self, batch_id: str, only_if: Iterable[BatchStatus]) -> BatchJob | None:
        with self.t.lock:
            stored = self.t.batches.get(batch_id)
            if stored is None or stored.status not in set(only_if):
                return None
            del self.t.batches[batch_id]
            for key in [(batch_id, v) for v in self.t.members.by_batch.get(batch_id, ())]:
                del self.t.members[key]
            for token in [k for k in self.t.tokens if k[0] == batch_id]:
                del self.t.tokens[token]
            return stored

    def _movable(self, member: BatchVideo) -> BatchVideo:
        current = self.t.members.get((member.batch_job_id, member.video_id))
        if current is None or current.status not in {VideoStatus.UPLOADING, VideoStatus.PENDING}:
            raise MembershipConflict()
        return current

    def remove_video(
        self, batch: BatchJob, removed: BatchVideo, after: list[BatchVideo], now: datetime
    ) -> None:
        require_transaction_size(2 + len(after))
        with self.t.lock:
            stored = self._pinned(batch)
            for member in [removed, *after]:
                self._movable(member)
            self.t.batches[batch.id] = apply(stored, now, None, {"total_videos": -1})
            del self.t.members[(removed.batch_job_id, removed.video_id)]
            for member in after:
                key = (member.batch_job_id, member.video_id)
                self.t.members[key] = apply(self.t.members[key], now, {"position": member.position - 1}, None)

    def reorder(self, batch: BatchJob, moves: list[tuple[BatchVideo, int]], now: datetime) -> None:
        require_transaction_size(1 + len(moves))
        with self.t.lock:
            stored = self._pinned(batch)
            for member, _ in moves:
                self._movable(member)
            self.t.batches[batch.id] = apply(stored, now, None, None)
            for member, position in moves:
                key = (member.batch_job_id, member.video_id)
                self.t.members[key] = apply(self.t.members[key], now, {"position": position}, None)


class FakeBatchVideoStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    def get(self, batch_id: str, video_id: str) -> BatchVideo | None:
        return self.t.members.get((batch_id, video_id))

    def of_batch(self, batch_id: str) -> list[BatchVideo]:
        return sorted(self.t.members.of_batch(batch_id), key=lambda bv: bv.position)

    def of_video(self, video_id: str) -> list[BatchVideo]:
        return self.t.members.of_video(video_id)

    def transition(
        self,
        batch_id: str,
        video_id: str,
        action: VideoAction,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
        batch_set: Mapping[str, Any] | None = None,
        batch_add: Mapping[str, int | float] | None = None,
    ) -> None:
        with self.t.lock:
            stored = self.t.members.get((batch_id, video_id))
            if stored is None:
                raise IllegalTransition("video", None, action)
            target = next_video_status(stored.status, action)
            moves_batch = batch_set is not None or batch_add is not None
            if moves_batch and batch_id not in self.t.batches:
                raise IllegalTransition("video", stored.status, action)
            fields = {"status": target.value, **(set_fields or {})}
            self.t.members[(batch_id, video_id)] = apply(stored, now, fields, add_fields)
            if moves_batch:
                self.t.batches[batch_id] = apply(self.t.batches[batch_id], now, batch_set, batch_add)

    def update(
        self,
        batch_id: str,
        video_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any],
        only_if: VideoStatus | None = None,
    ) -> bool:
        with self.t.lock:
            stored = self.t.members.get((batch_id, video_id))
            if stored is None or (only_if is not None and stored.status is not only_if):
                return False
            self.t.members[(batch_id, video_id)] = apply(stored, now, set_fields, None)
            return True

    def add_rendered_part(self, batch_id: str, video_id: str, index: int, now: datetime) -> BatchVideo | None:
        with self.t.lock:
            stored = self.t.members.get((batch_id, video_id))
            if stored is None or stored.status is not VideoStatus.PROCESSING:
                return None
            parts = sorted({*(stored.rendered_parts or []), index})
            updated = apply(stored, now, {"rendered_parts": parts}, None)
            self.t.members[(batch_id, video_id)] = updated
            return updated

    def raise_progress(
        self,
        batch_id: str,
        video_id: str,
        now: datetime,
        percent: int,
        stage: Stage,
        quiet_since: float | None,
    ) -> bool:
        with self.t.lock:
            stored = self.t.members.get((batch_id, video_id))
            if stored is None or stored.status is not VideoStatus.PROCESSING:
                return False
            if stored.progress_percentage >= percent:
                return False
            written = stored.progress_written_at
            if quiet_since is not None and written is not None and written > quiet_since:
                return False
            fields = {
                "progress_percentage": percent,
                "current_stage": stage.value,
                "progress_written_at": now.timestamp(),
            }
            self.t.members[(batch_id, video_id)] = apply(stored, now, fields, None)
            return True


class FakeTaskTokenStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    def park(self, batch_id: str, video_id: str, token: str, now: datetime) -> bool:
        with self.t.lock:
            batch = self.t.batches.get(batch_id)
            if batch is None or batch.status not in {BatchStatus.PAUSED, BatchStatus.QUEUED}:
                return False
            self.t.tokens[(batch_id, video_id)] = token
            return True

    def parked(self, batch_id: str) -> list[ParkedToken]:
        with self.t.lock:
            return [ParkedToken(b, v, token) for (b, v), token in self.t.tokens.items() if b == batch_id]

    def remove(self, parked: ParkedToken) -> bool:
        with self.t.lock:
            if self.t.tokens.get((parked.batch_id, parked.video_id)) != parked.token:
                return False
            del self.t.tokens[(parked.batch_id, parked.video_id)]
            return True

    def drop_all(self, batch_id: str) -> int:
        return sum(self.remove(parked) for parked in self.parked(batch_id))


class FakeTranscriptionJobStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    def park(self, job: TranscriptionJob) -> None:
        with self.t.lock:
            self.t.jobs[job.job_name] = job

    def get(self, job_name: str) -> TranscriptionJob | None:
        with self.t.lock:
            return self.t.jobs.get(job_name)

    def remove(self, job_name: str) -> None:
        with self.t.lock:
            self.t.jobs.pop(job_name, None)


class FakeConnectionStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    def put(self, connection: Connection) -> None:
        self.t.connections[connection.connection_id] = connection

    def get(self, connection_id: str) -> Connection | None:
        return self.t.connections.get(connection_id)

    def subscribe_to_batch(self, connection: Connection, batch_id: str) -> None:
        self.t.subscriptions.setdefault(f"batch:{batch_id}", set()).add(connection.connection_id)

    def subscribe_to_user(self, connection: Connection) -> None:
        self.t.subscriptions.setdefault(f"user:{connection.user_id}", set()).add(connection.connection_id)

    def batch_listeners(self, batch_id: str) -> list[str]:
        return sorted(self.t.subscriptions.get(f"batch:{batch_id}", set()))

    def user_listeners(self, user_id: str) -> list[str]:
        return sorted(self.t.subscriptions.get(f"user:{user_id}", set()))

    def delete(self, connection_id: str) -> None:
        self.t.connections.pop(connection_id, None)
        for listeners in self.t.subscriptions.values():
            listeners.discard(connection_id)


class FakeCapacityStore:
    def __init__(self, table: Table) -> None:
        self.t = table

    def get(self) -> CapacitySetting | None:
        return self.t.capacity

    def put(self, setting: CapacitySetting) -> None:
        with self.t.lock:
            self.t.capacity = setting
