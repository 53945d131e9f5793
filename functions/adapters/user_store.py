"""Users and their hourly creation counters."""

from datetime import datetime

from boto3.dynamodb.conditions import Attr

from functions.adapters.dynamo_codec import item_to_model, to_dynamo
from functions.adapters.dynamo_table import ConditionFailed, DynamoTable, Update
from functions.adapters.keys import rate_key, user_key
from functions.domain.enums import Tier
from functions.domain.models import User


class DynamoUserStore(DynamoTable):
    def upsert(self, user_id: str, tier: Tier, now: datetime) -> User:
        """Record the user with the tier of their current token (the identity provider owns the tier)."""
        result = self.table.update_item(
            Key=user_key(user_id),
            UpdateExpression="SET #t = :tier, #id = :id, #type = :type, "
            "created_at = if_not_exists(created_at, :now)",
            ExpressionAttributeNames={"#t": "tier", "#id": "id", "#type": "type"},
            ExpressionAttributeValues={
                ":tier": tier.value,
                ":id": user_id,
                ":type": "user",
                ":now": to_dynamo(now),
            },
            ReturnValues="ALL_NEW",
        )
        return item_to_model(result["Attributes"], User)

    def get(self, user_id: str) -> User | None:
        item = self.get_item(user_key(user_id))
        return item_to_model(item, User) if item else None

    def consume_creation_quota(self, user_id: str, window: str, limit: int, expires_epoch: int) -> int | None:
        update = Update(set={"expires_at_epoch": expires_epoch}, add={"count": 1})
        try:
            result = self.update_item(
                rate_key(user_id, window),
                update,
                Attr("count").not_exists() | Attr("count").lt(limit),
                ReturnValues="UPDATED_NEW",
            )
        except ConditionFailed:
            return None
        return int(str(result["Attributes"]["count"]))
