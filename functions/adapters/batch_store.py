"""Batches: created with their members in one transaction, status changes as conditional writes."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

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
    BATCH_PREFIX,
    batch_key,
    batch_keys,
    batch_status_keys,
    batch_video_keys,
    status_pk,
    user_batches_created_between,
    user_pk,
    user_status_pk,
)
from functions.domain.enums import BatchStatus
from functions.domain.errors import IllegalTransition, MembershipConflict
from functions.domain.membership import reject_duplicate_members
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.transitions import BatchAction, batch_transition


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

    def list_for_user_since(self, user_id: str, since: datetime) -> list[BatchJob]:
        """GSI1 between the batch prefix at `since` and the prefix's end: only the batches of the window."""
        lower, upper = user_batches_created_between(since)
        window = Key("GSI1PK").eq(user_pk(user_id)) & Key("GSI1SK").between(lower, upper)
        items = self.query(IndexName="GSI1", KeyConditionExpression=window, ScanIndexForward=False)
        return [item_to_model(item, BatchJob) for item in items]

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
