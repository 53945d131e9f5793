"""DynamoDB repository: every read is a GetItem or a Query, every status change a conditional write."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from functions.adapters import aws
from functions.adapters.dynamo_codec import item_to_model, model_to_attributes, to_dynamo
from functions.adapters.keys import (
    BATCH_SK,
    PROFILE_SK,
    VIDEO_SK,
    batch_keys,
    batch_pk,
    batch_status_keys,
    batch_video_keys,
    batch_video_sk,
    rate_sk,
    sortable_time,
    token_sk,
    user_pk,
    video_pk,
)
from functions.domain.enums import BatchStatus, Tier, UploadStatus, VideoStatus
from functions.domain.errors import Conflict, IllegalTransition, NotFound, RateLimited
from functions.domain.models import BatchJob, BatchVideo, Connection, User, Video
from functions.domain.transitions import BatchAction, VideoAction, batch_transition, video_transition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

BATCH_NOT_FOUND = "Batch job not found"


@dataclass
class Update:
    """An UpdateExpression assembled from plain fields: SET, ADD (atomic counters) and REMOVE."""

    set: Mapping[str, Any] = field(default_factory=dict)
    add: Mapping[str, int | float] = field(default_factory=dict)
    remove: Iterable[str] = ()

    @staticmethod
    def _path(names: dict[str, str], prefix: str, name: str) -> str:
        """`a.b` addresses attribute b inside map a; each segment gets its own placeholder."""
        segments = []
        for j, segment in enumerate(name.split(".")):
            names[f"#{prefix}_{j}"] = segment
            segments.append(f"#{prefix}_{j}")
        return ".".join(segments)

    def render(
        self, condition: str | None = None, condition_values: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """UpdateItem arguments; `condition` may test the status as `#st`."""
        names: dict[str, str] = {"#st": "status"} if condition and "#st" in condition else {}
        values: dict[str, Any] = {}
        set_parts, add_parts, remove_parts = [], [], []
        for i, (name, value) in enumerate(self.set.items()):
            path = self._path(names, f"s{i}", name)
            if value is None:
                remove_parts.append(path)
            else:
                values[f":s{i}"] = to_dynamo(value)
                set_parts.append(f"{path} = :s{i}")
        for i, (name, amount) in enumerate(self.add.items()):
            names[f"#a{i}"] = name
            values[f":a{i}"] = to_dynamo(amount)
            add_parts.append(f"#a{i} :a{i}")
        for i, name in enumerate(self.remove):
            names[f"#r{i}"] = name
            remove_parts.append(f"#r{i}")
        clauses = []
        if set_parts:
            clauses.append("SET " + ", ".join(set_parts))
        if add_parts:
            clauses.append("ADD " + ", ".join(add_parts))
        if remove_parts:
            clauses.append("REMOVE " + ", ".join(remove_parts))
        values.update({k: to_dynamo(v) for k, v in (condition_values or {}).items()})
        rendered: dict[str, Any] = {"UpdateExpression": " ".join(clauses), "ExpressionAttributeNames": names}
        if condition:
            rendered["ConditionExpression"] = condition
        if values:
            rendered["ExpressionAttributeValues"] = values
        return rendered


def _status_condition(statuses: Iterable[str]) -> tuple[str, dict[str, Any]]:
    values = {f":from{i}": status for i, status in enumerate(sorted(statuses))}
    return f"attribute_exists(PK) AND #st IN ({', '.join(values)})", values


def _is_condition_failure(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons
    return False


def _reject_duplicates(batch_videos: list[BatchVideo]) -> None:
    video_ids = [bv.video_id for bv in batch_videos]
    if len(set(video_ids)) != len(video_ids):
        raise Conflict("the same video is listed twice; a video can be in a batch only once")


class Repository:
    def __init__(self, table_name: str) -> None:
        self.table: Table = aws.dynamodb().Table(table_name)
        self.table_name = table_name

    # ---- generic helpers -------------------------------------------------------------------------

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self.table.query(**kwargs)
            yield from page.get("Items", [])
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def _get(self, pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
        return self.table.get_item(Key={"PK": pk, "SK": sk}, ConsistentRead=consistent).get("Item")

    # ---- users -----------------------------------------------------------------------------------

    def upsert_user(self, user_id: str, tier: Tier, now: datetime) -> User:
        """Record the user with the tier of their current token (the identity provider owns the tier)."""
        result = self.table.update_item(
            Key={"PK": user_pk(user_id), "SK": PROFILE_SK},
            UpdateExpression="SET #t = :tier, #id = :id, #type = :type, "
            "created_at = if_not_exists(created_at, :now)",
            ExpressionAttributeNames={"#t": "tier", "#id": "id", "#type": "type"},
            ExpressionAttributeValues={
                ":tier": tier.value,
                ":id": user_id,
                ":type": "user",
                ":now": now.isoformat(),
            },
            ReturnValues="ALL_NEW",
        )
        return item_to_model(result["Attributes"], User)

    def consume_creation_quota(self, user_id: str, window: str, limit: int, expires_epoch: int) -> int:
        """Count one batch creation in the window; RateLimited once `limit` creations are used."""
        try:
            result = self.table.update_item(
                Key={"PK": user_pk(user_id), "SK": rate_sk(window)},
                UpdateExpression="ADD #c :one SET expires_at_epoch = :exp",
                ConditionExpression="attribute_not_exists(#c) OR #c < :limit",
                ExpressionAttributeNames={"#c": "count"},
                ExpressionAttributeValues={":one": 1, ":limit": limit, ":exp": expires_epoch},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if _is_condition_failure(error):
                raise RateLimited(
                    f"Your plan allows {limit} batch creations per hour; try again later or upgrade"
                ) from error
            raise
        return int(str(result["Attributes"]["count"]))

    # ---- videos (uploaded files) ------------------------------------------------------------------

    def put_videos(self, videos: Iterable[Video]) -> None:
        with self.table.batch_writer() as writer:
            for video in videos:
                writer.put_item(
                    Item={
                        "PK": video_pk(video.id),
                        "SK": VIDEO_SK,
                        "type": "video",
                        **model_to_attributes(video),
                    }
                )

    def get_video(self, video_id: str) -> Video | None:
        item = self._get(video_pk(video_id), VIDEO_SK)
        return item_to_model(item, Video) if item else None

    def record_probe(self, video_id: str, fields: Mapping[str, Any], now: datetime) -> Video | None:
        """Store what probing found, once: a video already probed is left as it is (returns None)."""
        update = Update(set={**fields, "updated_at": now.isoformat()})
        rendered = update.render("#st = :awaiting", {":awaiting": UploadStatus.AWAITING_UPLOAD.value})
        try:
            result = self.table.update_item(
                Key={"PK": video_pk(video_id), "SK": VIDEO_SK},
                ReturnValues="ALL_NEW",
                **rendered,
            )
        except ClientError as error:
            if _is_condition_failure(error):
                return None
            raise
        return item_to_model(result["Attributes"], Video)

    # ---- batches ---------------------------------------------------------------------------------

    def create_batch(self, batch: BatchJob, batch_videos: list[BatchVideo]) -> None:
        """Write the batch and its videos in one transaction: all or nothing, no duplicate members."""
        _reject_duplicates(batch_videos)
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": {**batch_keys(batch), "type": "batch", **model_to_attributes(batch)},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]
        items += [self._put_batch_video(bv) for bv in batch_videos]
        self._transact(items, conflict=f"batch {batch.id} already exists or lists a video twice")

    def _put_batch_video(self, batch_video: BatchVideo) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": {
                    **batch_video_keys(batch_video),
                    "type": "batch_video",
                    **model_to_attributes(batch_video),
                },
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _transact(self, items: list[dict[str, Any]], conflict: str) -> None:
        try:
            self.table.meta.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            if _is_condition_failure(error):
                raise Conflict(conflict) from error
            raise

    def get_batch(self, batch_id: str) -> BatchJob | None:
        item = self._get(batch_pk(batch_id), BATCH_SK)
        return item_to_model(item, BatchJob) if item else None

    def require_batch(self, batch_id: str, user_id: str | None = None) -> BatchJob:
        """The batch, or NotFound; another user's batch is indistinguishable from a missing one."""
        batch = self.get_batch(batch_id)
        if batch is None or (user_id is not None and batch.user_id != user_id):
            raise NotFound(f"No batch job with id '{batch_id}' exists for this user", title=BATCH_NOT_FOUND)
        return batch

    def list_user_batches(self, user_id: str, status: BatchStatus | None = None) -> list[BatchJob]:
        """A user's batches, newest first, optionally of one status (GSI1 or GSI2)."""
        if status is None:
            by_user = Key("GSI1PK").eq(user_pk(user_id)) & Key("GSI1SK").begins_with("BATCH#")
            items = self._query(IndexName="GSI1", KeyConditionExpression=by_user, ScanIndexForward=False)
        else:
            by_status = Key("GSI2PK").eq(f"{user_pk(user_id)}#STATUS#{status.value}")
            items = self._query(IndexName="GSI2", KeyConditionExpression=by_status, ScanIndexForward=False)
        return [item_to_model(item, BatchJob) for item in items]

    def list_batches_by_status(self, status: BatchStatus, limit: int | None = None) -> list[BatchJob]:
        """Batches of one status, highest effective priority first, then oldest first (GSI3)."""
        kwargs: dict[str, Any] = {
            "IndexName": "GSI3",
            "KeyConditionExpression": Key("GSI3PK").eq(f"STATUS#{status.value}"),
        }
        batches = []
        for item in self._query(**kwargs):
            batches.append(item_to_model(item, BatchJob))
            if limit is not None and len(batches) >= limit:
                break
        return batches

    def transition_batch(
        self,
        batch: BatchJob,
        action: BatchAction,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
    ) -> BatchJob:
        """Apply a lifecycle action as one conditional write; IllegalTransition if the current status
        (read by DynamoDB, not from `batch`) does not allow it."""
        transition = batch_transition(action)
        condition, values = _status_condition(transition.sources)
        fields: dict[str, Any] = {
            "status": transition.target.value,
            "updated_at": now.isoformat(),
            **batch_status_keys(batch, transition.target),
            **(set_fields or {}),
        }
        rendered = Update(set=fields, add=add_fields or {}).render(condition, values)
        try:
            result = self.table.update_item(
                Key={"PK": batch_pk(batch.id), "SK": BATCH_SK},
                ReturnValues="ALL_NEW",
                **rendered,
            )
        except ClientError as error:
            if _is_condition_failure(error):
                current = self.get_batch(batch.id)
                raise IllegalTransition("batch", current.status if current else None, action) from error
            raise
        return item_to_model(result["Attributes"], BatchJob)

    def update_batch(
        self,
        batch_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_fields: Mapping[str, int | float] | None = None,
    ) -> BatchJob:
        """Counters and figures that are not a status change (ETA, durations)."""
        rendered = Update(
            set={**(set_fields or {}), "updated_at": now.isoformat()}, add=add_fields or {}
        ).render("attribute_exists(PK)")
        result = self.table.update_item(
            Key={"PK": batch_pk(batch_id), "SK": BATCH_SK},
            ReturnValues="ALL_NEW",
            **rendered,
        )
        return item_to_model(result["Attributes"], BatchJob)

    # ---- batch videos ----------------------------------------------------------------------------

    def add_batch_videos(self, batch: BatchJob, batch_videos: list[BatchVideo], now: datetime) -> None:
        """Attach videos to a batch that has not started; a video already in the batch is a Conflict."""
        _reject_duplicates(batch_videos)
        condition, values = _status_condition([BatchStatus.PENDING.value])
        total_duration = sum(bv.duration or 0.0 for bv in batch_videos)
        rendered = Update(
            set={"updated_at": now.isoformat()},
            add={"total_videos": len(batch_videos), "total_duration_seconds": total_duration},
        ).render(condition, values)
        batch_update = {
            "Update": {
                "TableName": self.table_name,
                "Key": {"PK": batch_pk(batch.id), "SK": BATCH_SK},
                **rendered,
            }
        }
        items = [batch_update] + [self._put_batch_video(bv) for bv in batch_videos]
        self._transact(items, conflict="the batch has started, or one of the videos is already in it")

    def list_batch_videos(self, batch_id: str) -> list[BatchVideo]:
        """A batch's videos in position order (LSI1)."""
        items = self._query(
            IndexName="LSI1",
            KeyConditionExpression=Key("PK").eq(batch_pk(batch_id)) & Key("LSI1SK").begins_with("POS#"),
            ConsistentRead=True,
        )
        return [item_to_model(item, BatchVideo) for item in items]

    def get_batch_video(self, batch_id: str, video_id: str) -> BatchVideo | None:
        item = self._get(batch_pk(batch_id), batch_video_sk(video_id))
        return item_to_model(item, BatchVideo) if item else None

    def list_video_batches(self, video_id: str) -> list[BatchVideo]:
        """Every batch a video belongs to (GSI1)."""
        items = self._query(IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq(video_pk(video_id)))
        return [item_to_model(item, BatchVideo) for item in items]

    def transition_video(
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
        """Change a video's status; with batch_set/batch_add the batch's counters move in the same
        transaction, so a redelivered event can never count twice."""
        transition = video_transition(action)
        condition, values = _status_condition(transition.sources)
        rendered = Update(
            set={"status": transition.target.value, "updated_at": now.isoformat(), **(set_fields or {})},
            add=add_fields or {},
        ).render(condition, values)
        video_update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {"PK": batch_pk(batch_id), "SK": batch_video_sk(video_id)},
            **rendered,
        }
        try:
            if batch_set is None and batch_add is None:
                self.table.update_item(**{k: v for k, v in video_update.items() if k != "TableName"})
            else:
                batch_rendered = Update(
                    set={"updated_at": now.isoformat(), **(batch_set or {})}, add=batch_add or {}
                ).render("attribute_exists(PK)")
                batch_update: dict[str, Any] = {
                    "TableName": self.table_name,
                    "Key": {"PK": batch_pk(batch_id), "SK": BATCH_SK},
                    **batch_rendered,
                }
                items: Any = [{"Update": video_update}, {"Update": batch_update}]
                self.table.meta.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if _is_condition_failure(error):
                current = self.get_batch_video(batch_id, video_id)
                raise IllegalTransition("video", current.status if current else None, action) from error
            raise

    def update_batch_video(
        self,
        batch_id: str,
        video_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any],
        only_if: VideoStatus | None = None,
    ) -> bool:
        """Progress and results; with only_if, nothing is written unless the video has that status."""
        condition = "attribute_exists(PK)" + (" AND #st = :only" if only_if is not None else "")
        values = {":only": only_if.value} if only_if else {}
        rendered = Update(set={**set_fields, "updated_at": now.isoformat()}).render(condition, values)
        try:
            self.table.update_item(
                Key={"PK": batch_pk(batch_id), "SK": batch_video_sk(video_id)},
                **rendered,
            )
        except ClientError as error:
            if _is_condition_failure(error):
                return False
            raise
        return True

    # ---- pause gate tokens -----------------------------------------------------------------------

    def park_task_token(self, batch_id: str, video_id: str, token: str, now: datetime) -> bool:
        """Keep a Step Functions task token while the batch is paused. False (nothing stored) when
        the batch is no longer paused, so the caller resumes the task itself: no token is ever lost."""
        try:
            self.table.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": {"PK": batch_pk(batch_id), "SK": BATCH_SK},
                            "ConditionExpression": "#st = :paused",
                            "ExpressionAttributeNames": {"#st": "status"},
                            "ExpressionAttributeValues": {":paused": BatchStatus.PAUSED.value},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": {
                                "PK": batch_pk(batch_id),
                                "SK": token_sk(video_id),
                                "type": "task_token",
                                "token": token,
                                "created_at": sortable_time(now),
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if _is_condition_failure(error):
                return False
            raise
        return True

    def take_task_tokens(self, batch_id: str) -> list[str]:
        """Remove and return the parked tokens of a batch; each token is returned to one caller only."""
        items = self._query(
            KeyConditionExpression=Key("PK").eq(batch_pk(batch_id)) & Key("SK").begins_with("TOKEN#")
        )
        tokens = []
        for item in items:
            deleted = self.table.delete_item(
                Key={"PK": item["PK"], "SK": item["SK"]}, ReturnValues="ALL_OLD"
            ).get("Attributes")
            if deleted:
                tokens.append(str(deleted["token"]))
        return tokens

    # ---- transcription jobs waiting for their completion event -----------------------------------

    def park_transcription(
        self, job_name: str, batch_id: str, video_id: str, token: str, expires_epoch: int
    ) -> None:
        self.table.put_item(
            Item={
                "PK": f"TRANSCRIBE#{job_name}",
                "SK": "JOB",
                "type": "transcription_job",
                "batch_id": batch_id,
                "video_id": video_id,
                "token": token,
                "expires_at_epoch": expires_epoch,
            }
        )

    def take_transcription(self, job_name: str) -> dict[str, str] | None:
        """The parked job (batch, video, token), removed so a redelivered event finds nothing."""
        deleted = self.table.delete_item(
            Key={"PK": f"TRANSCRIBE#{job_name}", "SK": "JOB"}, ReturnValues="ALL_OLD"
        ).get("Attributes")
        if not deleted:
            return None
        return {k: str(deleted[k]) for k in ("batch_id", "video_id", "token")}

    # ---- WebSocket connections and what they listen to ---------------------------------------------

    def put_connection(self, connection: Connection) -> None:
        self.table.put_item(
            Item={
                "PK": f"CONN#{connection.connection_id}",
                "SK": "CONN",
                "type": "connection",
                "expires_at_epoch": int(connection.expires_at.timestamp()),
                **model_to_attributes(connection),
            }
        )

    def get_connection(self, connection_id: str) -> Connection | None:
        item = self._get(f"CONN#{connection_id}", "CONN")
        return item_to_model(item, Connection) if item else None

    def subscribe(self, connection: Connection, topic: str) -> None:
        """Listen to `BATCH#{id}` or `USER#{id}`; a reverse item lets disconnect clean up by Query."""
        expires = int(connection.expires_at.timestamp())
        with self.table.batch_writer() as writer:
            writer.put_item(
                Item={
                    "PK": f"SUB#{topic}",
                    "SK": f"CONN#{connection.connection_id}",
                    "type": "subscription",
                    "connection_id": connection.connection_id,
                    "expires_at_epoch": expires,
                }
            )
            writer.put_item(
                Item={
                    "PK": f"CONN#{connection.connection_id}",
                    "SK": f"SUB#{topic}",
                    "type": "subscription_ref",
                    "expires_at_epoch": expires,
                }
            )

    def listeners(self, topic: str) -> list[str]:
        items = self._query(KeyConditionExpression=Key("PK").eq(f"SUB#{topic}"))
        return [str(item["connection_id"]) for item in items]

    def delete_connection(self, connection_id: str) -> None:
        items = list(self._query(KeyConditionExpression=Key("PK").eq(f"CONN#{connection_id}")))
        with self.table.batch_writer() as writer:
            for item in items:
                writer.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})
                if str(item["SK"]).startswith("SUB#"):
                    writer.delete_item(Key={"PK": item["SK"], "SK": f"CONN#{connection_id}"})
