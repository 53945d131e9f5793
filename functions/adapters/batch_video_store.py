"""A video's place in a batch: position, status, progress and results."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from functions.adapters.dynamo_codec import item_to_model, readable_all, to_dynamo
from functions.adapters.dynamo_table import (
    ConditionFailed,
    DynamoTable,
    Update,
    exists,
    is_condition_failure,
    status_in,
    transaction_item,
)
from functions.adapters.keys import batch_key, batch_pk, batch_video_key, position_key, video_pk
from functions.domain.enums import Stage, VideoStatus
from functions.domain.errors import IllegalTransition
from functions.domain.models import BatchVideo
from functions.domain.transitions import VideoAction, video_transition


class DynamoBatchVideoStore(DynamoTable):
    def get(self, batch_id: str, video_id: str) -> BatchVideo | None:
        item = self.get_item(batch_video_key(batch_id, video_id))
        return item_to_model(item, BatchVideo) if item else None

    def of_batch(self, batch_id: str) -> list[BatchVideo]:
        """LSI1: in position order."""
        items = self.query(
            IndexName="LSI1",
            KeyConditionExpression=Key("PK").eq(batch_pk(batch_id))
            & Key("LSI1SK").between(position_key(1), position_key(9999)),  # position 0 is the batch item
            ConsistentRead=True,
        )
        return readable_all(items, BatchVideo)

    def of_video(self, video_id: str) -> list[BatchVideo]:
        """GSI1: every batch a video belongs to."""
        items = self.query(IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq(video_pk(video_id)))
        return readable_all(items, BatchVideo)

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
        transition = video_transition(action)
        update = Update(
            set={"status": transition.target.value, "updated_at": now, **(set_fields or {})},
            add=add_fields or {},
        )
        condition = status_in(transition.sources)
        key = batch_video_key(batch_id, video_id)
        if batch_set is None and batch_add is None:
            try:
                self.update_item(key, update, condition)
            except ConditionFailed as error:
                raise self._illegal(batch_id, video_id, action) from error
            return
        batch_update = Update(set={"updated_at": now, **(batch_set or {})}, add=batch_add or {})
        written = self.transact(
            [
                {"Update": transaction_item(self.table_name, condition, update, Key=key)},
                {
                    "Update": transaction_item(
                        self.table_name, exists(), batch_update, Key=batch_key(batch_id)
                    )
                },
            ]
        )
        if not written:
            raise self._illegal(batch_id, video_id, action)

    def _illegal(self, batch_id: str, video_id: str, action: VideoAction) -> IllegalTransition:
        current = self.get(batch_id, video_id)
        return IllegalTransition("video", current.status if current else None, action)

    def update(
        self,
        batch_id: str,
        video_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any],
        only_if: VideoStatus | None = None,
    ) -> bool:
        """Progress and results; with only_if, nothing is written unless the video has that status."""
        condition = exists() if only_if is None else exists() & Attr("status").eq(only_if.value)
        try:
            self.update_item(
                batch_video_key(batch_id, video_id), Update(set={**set_fields, "updated_at": now}), condition
            )
        except ConditionFailed:
            return False
        return True

    def add_rendered_part(self, batch_id: str, video_id: str, index: int, now: datetime) -> BatchVideo | None:
        processing = exists() & Attr("status").eq(VideoStatus.PROCESSING.value)
        try:
            response = self.table.update_item(
                Key=dict(batch_video_key(batch_id, video_id)),
                UpdateExpression="ADD #parts :part SET #updated = :now",
                ConditionExpression=processing,
                ExpressionAttributeNames={"#parts": "rendered_parts", "#updated": "updated_at"},
                ExpressionAttributeValues={":part": {index}, ":now": to_dynamo(now)},  # a number set
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_condition_failure(error):
                return None
            raise
        return item_to_model(response["Attributes"], BatchVideo)

    def raise_progress(
        self,
        batch_id: str,
        video_id: str,
        now: datetime,
        percent: int,
        stage: Stage,
        quiet_since: float | None,
    ) -> bool:
        condition = (
            exists()
            & Attr("status").eq(VideoStatus.PROCESSING.value)
            & (Attr("progress_percentage").not_exists() | Attr("progress_percentage").lt(percent))
        )
        if quiet_since is not None:
            written = Attr("progress_written_at")
            condition &= written.not_exists() | written.lte(Decimal(str(quiet_since)))
        fields = {
            "progress_percentage": percent,
            "current_stage": stage.value,
            "progress_written_at": now.timestamp(),
            "updated_at": now,
        }
        try:
            self.update_item(batch_video_key(batch_id, video_id), Update(set=fields), condition)
        except ConditionFailed:
            return False
        return True
