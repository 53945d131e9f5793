"""Batches: created with their members in one transaction, status changes as conditional writes."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key

from functions.adapters import page_token
from functions.adapters.dynamo_codec import item_to_model, model_to_attributes
from functions.adapters.dynamo_table import (
    ConditionFailed,
    DynamoTable,
    Update,
    exists,
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
    batch_video_keys,
    status_pk,
    user_pk,
    user_status_pk,
)
from functions.domain.batch_listing import (
    STATUS_SORT_ORDER,
    BatchPage,
    InvalidPageToken,
    SortField,
    page_fingerprint,
)
from functions.domain.enums import BatchStatus
from functions.domain.errors import IllegalTransition, MembershipConflict
from functions.domain.membership import reject_duplicate_members
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.transitions import BatchAction, batch_transition


@dataclass(frozen=True)
class _Segment:
    """One index partition a listing reads, newest (or highest) first."""

    index: str
    partition_attribute: str
    partition: str
    sort_attribute: str
    sort_prefix: str | None = None

    def query(self) -> dict[str, Any]:
        condition: ConditionBase = Key(self.partition_attribute).eq(self.partition)
        if self.sort_prefix is not None:
            condition &= Key(self.sort_attribute).begins_with(self.sort_prefix)
        return {"IndexName": self.index, "KeyConditionExpression": condition, "ScanIndexForward": False}

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
        return [item_to_model(item, BatchJob) for item in items]

    def page_for_user(
        self,
        user_id: str,
        status: BatchStatus | None,
        sort: SortField,
        limit: int,
        *,
        after: str | None = None,
        skip: int = 0,
    ) -> BatchPage:
        """Queries with Limit: reads skip + limit + 1 items at most (the extra one says whether a next page
        exists), whatever the number of batches the user owns."""
        segments = _listing(user_id, status, sort)
        fingerprint = page_fingerprint(sort, status)
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
            request = segments[number].query()
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
        return BatchPage([item_to_model(item, BatchJob) for _, item in shown], next_token)

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
        members = [item_to_model(item, BatchVideo) for item in items[1 if head else 0 :]]
        batch = item_to_model(head, BatchJob) if head else self.get(batch_id)
        return (batch, members) if batch else None

    def list_by_status(self, status: BatchStatus, limit: int | None = None) -> list[BatchJob]:
        """GSI3: highest effective priority first, then oldest first."""
        batches = []
        for item in self.query(IndexName="GSI3", KeyConditionExpression=Key("GSI3PK").eq(status_pk(status))):
            batches.append(item_to_model(item, BatchJob))
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
    ) -> BatchJob:
        """One conditional write; IllegalTransition if the stored status (not `batch`'s) forbids it."""
        transition = batch_transition(action)
        fields: dict[str, Any] = {
            "status": transition.target.value,
            "updated_at": now,
            **batch_status_keys(batch, transition.target),
            **(set_fields or {}),
        }
        try:
            result = self.update_item(
                batch_key(batch.id),
                Update(set=fields, add=add_fields or {}),
                status_in(transition.sources),
                ReturnValues="ALL_NEW",
            )
        except ConditionFailed as error:
            current = self.get(batch.id)
            raise IllegalTransition("batch", current.status if current else None, action) from error
        return item_to_model(result["Attributes"], BatchJob)

    def update(
        self,
        batch_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
    ) -> BatchJob:
        """Counters and figures that are not a status change (ETA, durations)."""
        update = Update(set={**(set_fields or {}), "updated_at": now}, add=add_fields or {})
        result = self.update_item(batch_key(batch_id), update, exists(), ReturnValues="ALL_NEW")
        return item_to_model(result["Attributes"], BatchJob)

    def add_videos(self, batch: BatchJob, batch_videos: list[BatchVideo], now: datetime) -> None:
        reject_duplicate_members(batch_videos)
        update = Update(
            set={"updated_at": now},
            add={
                "total_videos": len(batch_videos),
                "total_duration_seconds": sum(bv.duration or 0.0 for bv in batch_videos),
            },
        )
        condition = status_in([BatchStatus.PENDING.value])
        batch_update = {
            "Update": transaction_item(self.table_name, condition, update, Key=batch_key(batch.id))
        }
        if not self.transact([batch_update, *(self._put_member(bv) for bv in batch_videos)]):
            raise MembershipConflict()
