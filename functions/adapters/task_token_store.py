"""Step Functions task tokens held while a batch is paused."""

from datetime import datetime

from boto3.dynamodb.conditions import Key

from functions.adapters.dynamo_table import DynamoTable, status_in, transaction_item
from functions.adapters.keys import TOKEN_PREFIX, batch_key, batch_pk, sortable_time, token_key
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

    def take_all(self, batch_id: str) -> list[str]:
        """Remove and return the parked tokens; each token is returned to one caller only."""
        items = self.query(
            KeyConditionExpression=Key("PK").eq(batch_pk(batch_id)) & Key("SK").begins_with(TOKEN_PREFIX)
        )
        tokens = []
        for item in items:
            deleted = self.table.delete_item(
                Key={"PK": item["PK"], "SK": item["SK"]}, ReturnValues="ALL_OLD"
            ).get("Attributes")
            if deleted:
                tokens.append(str(deleted["token"]))
        return tokens
