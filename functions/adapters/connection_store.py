"""WebSocket connections and what they listen to (a batch, or every batch of one user)."""

from boto3.dynamodb.conditions import Key

from functions.adapters.dynamo_codec import item_to_model, model_to_attributes
from functions.adapters.dynamo_table import DynamoTable
from functions.adapters.keys import (
    batch_topic,
    connection_key,
    connection_pk,
    reverse_of_subscription,
    subscription_keys,
    subscription_pk,
    user_topic,
)
from functions.domain.models import Connection


class DynamoConnectionStore(DynamoTable):
    def put(self, connection: Connection) -> None:
        self.table.put_item(
            Item={
                **connection_key(connection.connection_id),
                "type": "connection",
                "expires_at_epoch": int(connection.expires_at.timestamp()),
                **model_to_attributes(connection),
            }
        )

    def get(self, connection_id: str) -> Connection | None:
        item = self.get_item(connection_key(connection_id))
        return item_to_model(item, Connection) if item else None

    def subscribe_to_batch(self, connection: Connection, batch_id: str) -> None:
        self._subscribe(connection, batch_topic(batch_id))

    def subscribe_to_user(self, connection: Connection) -> None:
        self._subscribe(connection, user_topic(connection.user_id))

    def _subscribe(self, connection: Connection, topic: str) -> None:
        """A reverse item lets disconnect clean up by Query."""
        expires = int(connection.expires_at.timestamp())
        forward, reverse = subscription_keys(connection.connection_id, topic)
        with self.table.batch_writer() as writer:
            writer.put_item(
                Item={
                    **forward,
                    "type": "subscription",
                    "connection_id": connection.connection_id,
                    "expires_at_epoch": expires,
                }
            )
            writer.put_item(Item={**reverse, "type": "subscription_ref", "expires_at_epoch": expires})

    def batch_listeners(self, batch_id: str) -> list[str]:
        return self._listeners(batch_topic(batch_id))

    def user_listeners(self, user_id: str) -> list[str]:
        return self._listeners(user_topic(user_id))

    def _listeners(self, topic: str) -> list[str]:
        items = self.query(KeyConditionExpression=Key("PK").eq(subscription_pk(topic)))
        return [str(item["connection_id"]) for item in items]

    def delete(self, connection_id: str) -> None:
        items = list(self.query(KeyConditionExpression=Key("PK").eq(connection_pk(connection_id))))
        with self.table.batch_writer() as writer:
            for item in items:
                writer.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})
                subscription = reverse_of_subscription(connection_id, str(item["SK"]))
                if subscription is not None:
                    writer.delete_item(Key=subscription)
