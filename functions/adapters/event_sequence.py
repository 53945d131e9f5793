"""Per-batch sequence numbers for progress events, allocated once per stream record.

Layout (in the batch's partition, so no other access pattern sees it; keys from `keys.sequence_key`
and `keys.sequence_claim_key`):
- the counter item: `event_seq`, the last number issued (absent: none yet).
- one claim item per stream record (sort key carries the stream eventID): `first` and `count`,
  expiring after the stream's 24 h retention.

One transaction writes the claim (only if absent) and moves the counter (only if it still holds what was
read), so numbers are gap-free even when the function dies mid-way, and a redelivered record gets the
numbers it got the first time. The same transaction checks that the batch item still exists: records
that arrive after the batch was deleted get no numbers, so nothing is written back into the partition
the delete has emptied (it deletes the batch item first, then every item of the partition).
The counter lives outside the batch item on purpose: writing it does not
change the batch (no extra events, no conflict with the batch's conditional transitions).

A batch's records arrive in order on one shard, handled by one invocation at a time, so the number an
instance issued last is almost always the counter's value: it is tried first, without reading the
counter (a GetItem less per stream record). The transaction's guard makes a stale guess harmless: it
fails, and the counter is read again.
"""

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from functions.adapters import aws
from functions.adapters.keys import BATCH_SK, SEQUENCE_SK, batch_pk
from functions.adapters.keys import sequence_claim_sk as claim_sk

CLAIM_TTL_SECONDS = 24 * 3600
MAX_ATTEMPTS = 20
REMEMBERED_BATCHES = 256  # the last number issued, kept for this many batches (the latest ones)


class SequenceContention(Exception):
    """The counter kept moving under us (another writer on the same batch) for MAX_ATTEMPTS tries."""


class EventSequence:
    def __init__(
        self,
        table_name: str,
        *,
        claim_ttl_seconds: int = CLAIM_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self.claim_ttl_seconds = claim_ttl_seconds
        self.clock = clock
        self._issued: dict[str, int] = {}  # batch id → the last number this instance issued

    def _remember(self, batch_id: str, last: int) -> None:
        self._issued.pop(batch_id, None)
        self._issued[batch_id] = last
        if len(self._issued) > REMEMBERED_BATCHES:
            del self._issued[next(iter(self._issued))]

    @property
    def _client(self) -> Any:
        return aws.client("dynamodb")

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._client.get_item(
            TableName=self.table_name, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True
        ).get("Item")
        return item

    def last(self, batch_id: str) -> int:
        """The last number issued for the batch (0: none yet)."""
        item = self._get(batch_pk(batch_id), SEQUENCE_SK)
        return int(item["event_seq"]["N"]) if item and "event_seq" in item else 0

    def allocate(self, batch_id: str, event_id: str, count: int) -> int | None:
        """The first of `count` consecutive numbers for stream record `event_id` of this batch.

        The same record asking again gets the same first number and moves nothing. None when the batch
        no longer exists (deleted): nothing is written.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        pk = batch_pk(batch_id)
        for _ in range(MAX_ATTEMPTS):
            remembered = self._issued.pop(batch_id, None)
            current = remembered if remembered is not None else self.last(batch_id)
            if current == 0:
                guard, values = "attribute_not_exists(event_seq)", {":new": {"N": str(count)}}
            else:
                guard = "event_seq = :current"
                values = {":current": {"N": str(current)}, ":new": {"N": str(current + count)}}
            claim = {
                "PK": {"S": pk},
                "SK": {"S": claim_sk(event_id)},
                "type": {"S": "event_claim"},
                "first": {"N": str(current + 1)},
                "count": {"N": str(count)},
                "expires_at_epoch": {"N": str(int(self.clock()) + self.claim_ttl_seconds)},
            }
            try:
                self._client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": claim,
                                "ConditionExpression": "attribute_not_exists(PK)",
                            }
                        },
                        {
                            "Update": {
                                "TableName": self.table_name,
                                "Key": {"PK": {"S": pk}, "SK": {"S": SEQUENCE_SK}},
                                "UpdateExpression": "SET event_seq = :new, #type = :type",
                                "ConditionExpression": guard,
                                "ExpressionAttributeNames": {"#type": "type"},
                                "ExpressionAttributeValues": {**values, ":type": {"S": "event_sequence"}},
                            }
                        },
                        {
                            "ConditionCheck": {
                                "TableName": self.table_name,
                                "Key": {"PK": {"S": pk}, "SK": {"S": BATCH_SK}},
                                "ConditionExpression": "attribute_exists(PK)",
                            }
                        },
                    ]
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons") or []
                if len(reasons) > 2 and reasons[2].get("Code") == "ConditionalCheckFailed":
                    return None  # the batch is gone
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    existing = self._get(pk, claim_sk(event_id))
                    if existing is not None:
                        return int(existing["first"]["N"])
                continue  # the counter moved (or the claim expired between calls): read again
            self._remember(batch_id, current + count)
            return current + 1
        raise SequenceContention(f"could not number events of batch {batch_id}")
