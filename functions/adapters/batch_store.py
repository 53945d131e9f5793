"""Batches: created with their members in one transaction, status changes as conditional writes."""

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from functions.adapters import page_token
from functions.adapters.dynamo_codec import item_to_model, model_to_attributes, readable, readable_all
from functions.adapters.dynamo_table import (
    ConditionFailed,
    DynamoTable,
    Update,
    exists,
    is_condition_failure,
    status_in,
    transaction_item,
)
from functions.adapters.keys import (
    BATCH_HEAD_POSITION,
    BATCH_PREFIX,
    POSITION_PREFIX,
    batch_key,
    batch_keys,
    batch_pk,
    batch_status_keys,
    batch_video_key,
    batch_video_keys,
    global_slots_key,
    status_pks,
    user_batches_created_between,
    user_pk,
    user_slots_key,
    user_status_pk,
)
from functions.domain.batch_listing import (
    IN_MEMORY_SORT_LIMIT,
    IN_MEMORY_SORTS,
    STATUS_SORT_ORDER,
    BatchPage,
    InvalidPageToken,
    SortField,
    SortOrder,
    order_batches,
    page_fingerprint,
    reversed_order,
)
from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import IllegalTransition, MembershipConflict
from functions.domain.membership import MEMBERS_PER_CHANGE, reject_duplicate_members
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.scheduling import batch_videos
from functions.domain.slots import NoRunningSlot, SlotCounts, SlotLimits, slot_sources
from functions.domain.transitions import BatchAction, batch_transition

RUNNING = "running"
VIDEOS = "videos"  # videos in flight of the running batches, on the global counter item
LAST_ADMITTED = "last_admitted_at"
_ANY = Attr("PK").not_exists() | Attr("PK").exists()  # a transaction item needs a condition
_ATTEMPTS = 4  # a transition whose source group changed under it is tried again (see `transition`)
MOVABLE = [VideoStatus.UPLOADING.value, VideoStatus.PENDING.value]  # members that may be removed or moved


@dataclass(frozen=True)
class _Segment:
    """One index partition a listing reads, newest (or highest) first unless read backwards."""

    index: str
    partition_attribute: str
    partition: str
    sort_attribute: str
    sort_prefix: str | None = None

    def query(self, backwards: bool = False) -> dict[str, Any]:
        """Newest (highest) first; `backwards`: oldest (lowest) first."""
        condition: ConditionBase = Key(self.partition_attribute).eq(self.partition)
        if self.sort_prefix is not None:
            condition &= Key(self.sort_attribute).begins_with(self.sort_prefix)
        return {"IndexName": self.index, "KeyConditionExpression": condition, "ScanIndexForward": backwards}

    @property
    def key_names(self) -> set[str]:
        return {"PK", "SK", self.partition_attribute, self.sort_attribute}

    def resume_key(self, item: Mapping[str, Any]) -> dict[str, str]:
        return {name: str(item[name]) for name in self.key_names}


def _listing(user_id: str, status: BatchStatus | None, sort: SortField) -> list[_Segment]:
    """The index partitions that hold a listing's order, read one after the other."""
    if status is not None:
        by = "GSI4SK" if sort == "priority" else "GSI2SK"
        return [
            _Segment("GSI5" if sort == "priority" else "GSI2", "GSI2PK", user_status_pk(user_id, status), by)
        ]
    if sort == "priority":
        return [_Segment("GSI4", "GSI1PK", user_pk(user_id), "GSI4SK")]
    if sort == "status":  # one GSI2 partition per status, in the order the listing shows them
        return [_Segment("GSI2", "GSI2PK", user_status_pk(user_id, s), "GSI2SK") for s in STATUS_SORT_ORDER]
    return [_Segment("GSI1", "GSI1PK", user_pk(user_id), "GSI1SK", BATCH_PREFIX)]


class DynamoBatchStore(DynamoTable):
    def _put_member(self, batch_video: BatchVideo) -> dict[str, Any]:
        item = {**batch_video_keys(batch_video), "type": "batch_video", **model_to_attributes(batch_video)}
        return {"Put": transaction_item(self.table_name, Attr("PK").not_exists(), Item=item)}

    def create(self, batch: BatchJob, batch_videos: list[BatchVideo]) -> None:
        reject_duplicate_members(batch_videos)
        item = {**batch_keys(batch), "type": "batch", **model_to_attributes(batch)}
        put_batch = {"Put": transaction_item(self.table_name, Attr("PK").not_exists(), Item=item)}
        if not self.transact([put_batch, *(self._put_member(bv) for bv in batch_videos)]):
            raise MembershipConflict()

    def get(self, batch_id: str) -> BatchJob | None:
        item = self.get_item(batch_key(batch_id))
        return item_to_model(item, BatchJob) if item else None

    def list_for_user(self, user_id: str, status: BatchStatus | None = None) -> list[BatchJob]:
        """GSI1 (all of a user's batches) or GSI2 (one status), newest first."""
        if status is None:
            by_user = Key("GSI1PK").eq(user_pk(user_id)) & Key("GSI1SK").begins_with(BATCH_PREFIX)
            items = self.query(IndexName="GSI1", KeyConditionExpression=by_user, ScanIndexForward=False)
        else:
            by_status = Key("GSI2PK").eq(user_status_pk(user_id, status))
            items = self.query(IndexName="GSI2", KeyConditionExpression=by_status, ScanIndexForward=False)
        return readable_all(items, BatchJob)

    def list_for_user_since(self, user_id: str, since: datetime) -> list[BatchJob]:
        """GSI1 between the batch prefix at `since` and the prefix's end: only the batches of the window."""
        lower, upper = user_batches_created_between(since)
        window = Key("GSI1PK").eq(user_pk(user_id)) & Key("GSI1SK").between(lower, upper)
        items = self.query(IndexName="GSI1", KeyConditionExpression=window, ScanIndexForward=False)
        return readable_all(items, BatchJob)

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
        """Queries with Limit: reads skip + limit + 1 items at most (the extra one says whether a next page
        exists), whatever the number of batches the user owns. The other `order` reads the same
        partitions backwards, last first. name and progress (no index) sort the user's newest
        IN_MEMORY_SORT_LIMIT batches in memory (domain/batch_listing.py)."""
        if sort in IN_MEMORY_SORTS:
            newest = self.page_for_user(user_id, status, "created_at", IN_MEMORY_SORT_LIMIT).items
            ordered = order_batches(newest, sort, order)
            return page_token.page_of(ordered, page_fingerprint(sort, status, order), limit, after, skip)
        backwards = reversed_order(sort, order)
        segments = _listing(user_id, status, sort)
        if backwards:
            segments.reverse()
        fingerprint = page_fingerprint(sort, status, order)
        first, start_key = 0, None
        if after is not None:
            first, start_key = page_token.decode(after, fingerprint)
            if first >= len(segments) or set(start_key) != segments[first].key_names:
                raise InvalidPageToken()
            if start_key[segments[first].partition_attribute] != segments[first].partition:
                raise InvalidPageToken()
        wanted = skip + limit + 1
        found: list[tuple[int, dict[str, Any]]] = []
        for number in range(first, len(segments)):
            request = segments[number].query(backwards)
            if number == first and start_key is not None:
                request["ExclusiveStartKey"] = start_key
            while len(found) < wanted:
                page = self.table.query(**request, Limit=wanted - len(found))
                found.extend((number, item) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            if len(found) >= wanted:
                break
        shown = found[skip : skip + limit]
        next_token = None
        if len(found) > skip + limit and shown:
            number, last = shown[-1]
            next_token = page_token.encode(fingerprint, number, segments[number].resume_key(last))
        return BatchPage(readable_all((item for _, item in shown), BatchJob), next_token)

    def count_for_user(self, user_id: str, status: BatchStatus | None = None) -> int:
        """Select=COUNT: no item comes back, but DynamoDB bills it by the data it reads."""
        segment = _listing(user_id, status, "created_at")[0]
        request: dict[str, Any] = {**segment.query(), "Select": "COUNT"}
        total = 0
        while True:
            page = self.table.query(**request)
            total += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return total
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_with_videos(self, batch_id: str) -> tuple[BatchJob, list[BatchVideo]] | None:
        """One Query on LSI1: the batch item (position 0) then its members in position order. Batches
        written before the batch item carried LSI1SK cost one more GetItem."""
        items = list(
            self.query(
                IndexName="LSI1",
                KeyConditionExpression=Key("PK").eq(batch_pk(batch_id))
                & Key("LSI1SK").begins_with(POSITION_PREFIX),
                ConsistentRead=True,
            )
        )
        head = items[0] if items and items[0].get("LSI1SK") == BATCH_HEAD_POSITION else None
        members = readable_all(items[1 if head else 0 :], BatchVideo)
        batch = readable(head, BatchJob) if head else self.get(batch_id)
        return (batch, members) if batch else None

    def list_by_status(self, status: BatchStatus, limit: int | None = None) -> list[BatchJob]:
        """GSI3, every shard of the status merged: highest effective priority first, then oldest first."""
        shards = [
            self.query(IndexName="GSI3", KeyConditionExpression=Key("GSI3PK").eq(partition))
            for partition in status_pks(status)
        ]
        batches = []
        for item in heapq.merge(*shards, key=lambda item: str(item["GSI3SK"])):
            batch = readable(item, BatchJob)
            if batch is not None:
                batches.append(batch)
            if limit is not None and len(batches) >= limit:
                break
        return batches

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
        """One conditional write; IllegalTransition if the stored status (not `batch`'s) forbids it.

        A change that takes or frees a running slot moves the user's and the global counters in the
        same transaction; with `slots`, taking one is conditioned on both being below the limits
        (NoRunningSlot when one is full). Sources that move the counters differently (fail from queued
        or from processing) are separate conditional writes, tried starting with `batch`'s status.
        """
        transition = batch_transition(action)
        groups = slot_sources(transition.sources, transition.target)
        order = sorted(groups, key=lambda delta: batch.status not in groups[delta])
        fields: dict[str, Any] = {
            "status": transition.target.value,
            "updated_at": now,
            **batch_status_keys(batch, transition.target),
            **(set_fields or {}),
        }
        update = Update(set=fields, add=add_fields or {})
        current: BatchJob | None = None  # unknown until a write fails: `batch` only orders the tries
        for _ in range(_ATTEMPTS):
            for delta in order:
                if current is not None and current.status not in groups[delta]:
                    continue  # the stored status is in another group
                if self._write(batch, update, groups[delta], delta, now, slots):
                    stored = self.get(batch.id)
                    assert stored is not None
                    return stored
                current = self.get(batch.id)
                if current is None or current.status not in transition.sources:
                    raise IllegalTransition("batch", current.status if current else None, action)
                if delta > 0 and current.status in groups[delta]:
                    raise NoRunningSlot(_no_room(slots))
        raise IllegalTransition("batch", current.status if current else None, action)

    def _write(
        self,
        batch: BatchJob,
        update: Update,
        sources: frozenset[BatchStatus],
        delta: int,
        now: datetime,
        slots: SlotLimits | None,
    ) -> bool:
        condition = status_in(s.value for s in sources)
        if delta == 0:
            try:
                self.update_item(batch_key(batch.id), update, condition)
            except ConditionFailed:
                return False
            return True
        user_set: dict[str, Any] = {LAST_ADMITTED: now} if delta > 0 else {}
        videos = batch_videos(batch.tier, batch.total_videos)  # neither changes once a batch is started
        user_condition: ConditionBase = _ANY  # freeing a slot, or counting one without caps
        global_condition: ConditionBase = _ANY
        if delta > 0 and slots is not None:
            user_condition = Attr(RUNNING).not_exists() | Attr(RUNNING).lt(slots.user_limit)
            global_condition = Attr(RUNNING).not_exists() | Attr(RUNNING).lt(slots.global_cap)
            if slots.videos_cap is not None:
                room = slots.videos_cap - videos
                global_condition &= Attr(VIDEOS).not_exists() | Attr(VIDEOS).lte(room)
        return self.transact(
            [
                {"Update": transaction_item(self.table_name, condition, update, Key=batch_key(batch.id))},
                {
                    "Update": transaction_item(
                        self.table_name,
                        user_condition,
                        Update(set=user_set, add={RUNNING: delta}),
                        Key=user_slots_key(batch.user_id),
                    )
                },
                {
                    "Update": transaction_item(
                        self.table_name,
                        global_condition,
                        Update(add={RUNNING: delta, VIDEOS: delta * videos}),
                        Key=global_slots_key(),
                    )
                },
            ]
        )

    def slot_counts(self, user_ids: Iterable[str]) -> SlotCounts:
        """The running counters of these users and of the service, read consistently item by item."""
        running: dict[str, int] = {}
        admitted: dict[str, datetime] = {}
        for user_id in sorted(set(user_ids)):
            item = self.get_item(user_slots_key(user_id)) or {}
            running[user_id] = max(int(str(item.get(RUNNING, 0))), 0)
            if item.get(LAST_ADMITTED):
                admitted[user_id] = datetime.fromisoformat(str(item[LAST_ADMITTED]))
        item = self.get_item(global_slots_key()) or {}
        return SlotCounts(
            running,
            admitted,
            max(int(str(item.get(RUNNING, 0))), 0),
            max(int(str(item.get(VIDEOS, 0))), 0),
        )

    def update(
        self,
        batch_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
    ) -> BatchJob:
        """Counters and figures that are not a status change (ETA, durations); a new priority moves the
        batch's place in the queue index too (its other parts never change)."""
        fields = {**(set_fields or {}), "updated_at": now}
        current = self.get(batch_id) if "priority" in fields else None
        if current is not None:
            fields["GSI3SK"] = batch_keys(current.model_copy(update={"priority": fields["priority"]}))[
                "GSI3SK"
            ]
        update = Update(set=fields, add=add_fields or {})
        result = self.update_item(batch_key(batch_id), update, exists(), ReturnValues="ALL_NEW")
        return item_to_model(result["Attributes"], BatchJob)

    def update_pending(self, batch_id: str, now: datetime, set_fields: Mapping[str, Any]) -> BatchJob | None:
        """One UpdateItem conditional on `status = pending`: a start (or a cancel) that wins the race
        makes this write fail whole, never half-apply."""
        update = Update(set={**set_fields, "updated_at": now})
        condition = status_in([BatchStatus.PENDING.value])
        try:
            result = self.update_item(batch_key(batch_id), update, condition, ReturnValues="ALL_NEW")
        except ConditionFailed:
            return None
        return item_to_model(result["Attributes"], BatchJob)

    def _pin(
        self, batch: BatchJob, now: datetime, counters: Mapping[str, int | float], limit: int | None = None
    ) -> dict[str, Any]:
        """The batch's part of a membership change: still pending, and its member count the one the
        caller read (positions are always 1..total_videos, so they were computed from the truth); with
        `limit`, the count after the change stays within it."""
        condition = status_in([BatchStatus.PENDING.value]) & Attr("total_videos").eq(batch.total_videos)
        if limit is not None:
            condition = condition & Attr("total_videos").lte(limit - int(counters.get("total_videos", 0)))
        update = Update(set={"updated_at": now}, add=counters)
        return {"Update": transaction_item(self.table_name, condition, update, Key=batch_key(batch.id))}

    def _move(self, member: BatchVideo, position: int, now: datetime) -> dict[str, Any]:
        moved = member.model_copy(update={"position": position})
        fields = {"position": position, "updated_at": now, "LSI1SK": batch_video_keys(moved)["LSI1SK"]}
        key = batch_video_key(member.batch_job_id, member.video_id)
        condition = status_in(MOVABLE)
        return {"Update": transaction_item(self.table_name, condition, Update(set=fields), Key=key)}

    def add_videos(
        self, batch: BatchJob, batch_videos: list[BatchVideo], now: datetime, limit: int | None = None
    ) -> None:
        """The members and the batch's count move together. A transaction holds at most 100 items, so
        a larger set (a drop folder's archive import) is written in chunks, each pinned to the count the
        chunks before it left: a concurrent writer fails on its first chunk, never interleaves."""
        reject_duplicate_members(batch_videos)
        written = batch.total_videos
        for start in range(0, len(batch_videos), MEMBERS_PER_CHANGE):
            chunk = batch_videos[start : start + MEMBERS_PER_CHANGE]
            counters = {"total_videos": len(chunk)}
            pinned = batch.model_copy(update={"total_videos": written})
            after = len(batch_videos) - start - len(chunk)  # members the later chunks add
            pin = self._pin(pinned, now, counters, None if limit is None else limit - after)
            if not self.transact([pin, *(self._put_member(bv) for bv in chunk)]):
                raise MembershipConflict()
            written += len(chunk)

    def remove_video(
        self, batch: BatchJob, removed: BatchVideo, after: list[BatchVideo], now: datetime
    ) -> None:
        key = batch_video_key(removed.batch_job_id, removed.video_id)
        delete = {"Delete": transaction_item(self.table_name, status_in(MOVABLE), Key=key)}
        counters = {"total_videos": -1}
        moves = [self._move(member, member.position - 1, now) for member in after]
        if not self.transact([self._pin(batch, now, counters), delete, *moves]):
            raise MembershipConflict()

    def reorder(self, batch: BatchJob, moves: list[tuple[BatchVideo, int]], now: datetime) -> None:
        items = [
            self._pin(batch, now, {}),
            *(self._move(member, position, now) for member, position in moves),
        ]
        if not self.transact(items):
            raise MembershipConflict()

    def delete(self, batch_id: str, only_if: Iterable[BatchStatus]) -> BatchJob | None:
        """The batch item first (the conditional write that decides a race), then the rest of its
        partition with a Query: members, task tokens, the event sequence, exports."""
        try:
            result = self.table.delete_item(
                Key=batch_key(batch_id),
                ConditionExpression=status_in(s.value for s in only_if),
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if is_condition_failure(error):
                return None
            raise
        deleted = item_to_model(result["Attributes"], BatchJob)
        partition = Key("PK").eq(batch_pk(batch_id))
        with self.table.batch_writer() as writer:
            for item in self.query(KeyConditionExpression=partition, ProjectionExpression="PK, SK"):
                writer.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})
        return deleted


def _no_room(slots: SlotLimits | None) -> str:
    if slots is None:
        return "No running slot is free"
    return (
        f"Your plan runs {slots.user_limit} batch(es) at once and the service {slots.global_cap} "
        f"(and {slots.videos_cap} videos in flight); one of them is full"
    )
