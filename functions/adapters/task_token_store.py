"""Step Functions task tokens held while a batch is paused."""

from datetime import datetime

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from functions.adapters.dynamo_table import DynamoTable, status_in, transaction_item
from functions.adapters.keys import TOKEN_PREFIX, batch_key, batch_pk, sortable_time, token_key
from functions.domain.batch_control import ParkedToken
from functions.domain.enums import BatchStatus

WAITING_STATUSES = (BatchStatus.PAUSED, BatchStatus.QUEUED)  # the gate's `wait` (batch_control.gate_action)


class DynamoTaskTokenStore(DynamoTable):
    def park(self, batch_id: str, video_id: str, token: str, now: datetime) -> bool:
        """Keep the token only while the batch waits (paused, or resumed into the queue), checked in the
        same transaction."""
        paused = status_in(WAITING_STATUSES)
        token_item = {
            **token_key(batch_id, video_id),
            "type": "task_token",
            "token": token,
            "created_at": sortable_time(now),
        }
        return self.transact(
            [
                {"ConditionCheck": transaction_item(self.table_name, paused, Key=batch_key(batch_id))},
                {"Put": {"TableName": self.table_name, "Item": token_item}},
            ]
        )

    def parked(self, batch_id: str) -> list[ParkedToken]:
        items = self.query(
            KeyConditionExpression=Key("PK").eq(batch_pk(batch_id)) & Key("SK").begins_with(TOKEN_PREFIX)
        )
        return [
            ParkedToken(batch_id, str(item["SK"]).removeprefix(TOKEN_PREFIX), str(item["token"]))
            for item in items
        ]

    def remove(self, parked: ParkedToken) -> bool:
        """Only this token: a video that parked again meanwhile keeps its new one."""
        try:
            self.table.delete_item(
                Key=token_key(parked.batch_id, parked.video_id),
                ConditionExpression=Attr("token").eq(parked.token),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def drop_all(self, batch_id: str) -> int:
        return sum(self.remove(parked) for parked in self.parked(batch_id))
