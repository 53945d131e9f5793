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
    batch_video_key,
    batch_video_keys,
    status_pk,
    user_pk,
    user_status_pk,
)
from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import IllegalTransition, MembershipConflict
from functions.domain.membership import reject_duplicate_members
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.transitions import BatchAction, batch_transition

MOVABLE = [VideoStatus.UPLOADING.value, VideoStatus.PENDING.value]  # members that may be removed or moved


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
        reject_duplicate_members(batch_videos)
        counters = {
            "total_videos": len(batch_videos),
            "total_duration_seconds": sum(bv.duration or 0.0 for bv in batch_videos),
        }
        pin = self._pin(batch, now, counters, limit)
        if not self.transact([pin, *(self._put_member(bv) for bv in batch_videos)]):
            raise MembershipConflict()

    def remove_video(
        self, batch: BatchJob, removed: BatchVideo, after: list[BatchVideo], now: datetime
    ) -> None:
        key = batch_video_key(removed.batch_job_id, removed.video_id)
        delete = {"Delete": transaction_item(self.table_name, status_in(MOVABLE), Key=key)}
        counters = {"total_videos": -1, "total_duration_seconds": -(removed.duration or 0.0)}
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
