"""Uploaded files (one item per video, probed once)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from functions.adapters import aws
from functions.adapters.dynamo_codec import item_to_model, model_to_attributes
from functions.adapters.dynamo_table import ConditionFailed, DynamoTable, Update, is_condition_failure
from functions.adapters.keys import video_key
from functions.domain.models import Video


class DynamoVideoStore(DynamoTable):
    def put_many(self, videos: Iterable[Video]) -> None:
        with self.table.batch_writer() as writer:
            for video in videos:
                writer.put_item(Item={**video_key(video.id), "type": "video", **model_to_attributes(video)})

    def get(self, video_id: str) -> Video | None:
        item = self.get_item(video_key(video_id))
        return item_to_model(item, Video) if item else None

    def create(self, video: Video) -> bool:
        item = {**video_key(video.id), "type": "video", **model_to_attributes(video)}
        try:
            self.table.put_item(Item=item, ConditionExpression=Attr("PK").not_exists())
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def get_many(self, video_ids: Iterable[str]) -> dict[str, Video]:
        """BatchGetItem, 100 keys per call; unprocessed keys are asked again."""
        ids = list(dict.fromkeys(video_ids))
        found: dict[str, Video] = {}
        resource = aws.dynamodb()  # the resource (not the client) speaks plain Python values
        for start in range(0, len(ids), 100):
            request: dict[str, Any] = {
                self.table_name: {
                    "Keys": [video_key(i) for i in ids[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            while request:
                reply = resource.batch_get_item(RequestItems=request)
                for item in reply.get("Responses", {}).get(self.table_name, []):
                    video = item_to_model(item, Video)
                    found[video.id] = video
                request = dict(reply.get("UnprocessedKeys") or {})
        return found

    def record_probe(
        self, video_id: str, etag: str, fields: Mapping[str, Any], now: datetime
    ) -> Video | None:
        update = Update(set={**fields, "etag": etag, "updated_at": now}, add={"probe_count": 1})
        try:
            result = self.update_item(
                video_key(video_id),
                update,
                Attr("PK").exists() & (Attr("etag").not_exists() | Attr("etag").ne(etag)),
                ReturnValues="ALL_NEW",
            )
        except ConditionFailed:
            return None
        return item_to_model(result["Attributes"], Video)

    def delete(self, video_id: str) -> None:
        self.table.delete_item(Key=video_key(video_id))

    def set_upload(self, video_id: str, now: datetime, fields: Mapping[str, Any]) -> Video:
        result = self.update_item(
            video_key(video_id),
            Update(set={**fields, "updated_at": now}),
            Attr("PK").exists(),
            ReturnValues="ALL_NEW",
        )
        return item_to_model(result["Attributes"], Video)
