"""Sequence numbers on DynamoDB (moto): consecutive, per batch, once per stream record, gap-free under
concurrency."""

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from functions.adapters import aws
from functions.adapters.event_sequence import EventSequence

pytestmark = pytest.mark.own_moto

TABLE = "reelflow-seq-test"


@pytest.fixture
def sequence(monkeypatch: pytest.MonkeyPatch) -> Iterator[EventSequence]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        aws.reset_clients()
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        table = boto3.resource("dynamodb").Table(TABLE)
        for batch_id in ("b1", "b2"):  # numbers are only given to batches that exist
            table.put_item(Item={"PK": f"BATCH#{batch_id}", "SK": "BATCH"})
        yield EventSequence(TABLE, clock=lambda: 1_000_000.0)
    aws.reset_clients()


def test_numbers_are_consecutive_per_batch(sequence: EventSequence):
    assert sequence.last("b1") == 0
    assert sequence.allocate("b1", "e1", 2) == 1
    assert sequence.allocate("b1", "e2", 1) == 3
    assert sequence.allocate("b2", "e3", 3) == 1
    assert sequence.last("b1") == 3 and sequence.last("b2") == 3


def test_a_redelivered_record_gets_its_first_numbers_again_and_moves_nothing(sequence: EventSequence):
    assert sequence.allocate("b1", "e1", 2) == 1
    assert sequence.allocate("b1", "e2", 2) == 3
    assert sequence.allocate("b1", "e1", 2) == 1
    assert sequence.last("b1") == 4
    claim = boto3.resource("dynamodb").Table(TABLE).get_item(Key={"PK": "BATCH#b1", "SK": "SEQ#e1"})["Item"]
    assert claim["expires_at_epoch"] == 1_000_000 + 24 * 3600


def test_a_counter_moved_by_another_writer_is_read_again_and_no_number_is_given_twice(
    sequence: EventSequence, monkeypatch: pytest.MonkeyPatch
):
    """The read-then-transact race, made deterministic: another record takes numbers between our read
    of the counter and our transaction. (moto does not serialise concurrent transactions the way
    DynamoDB does, so real threads cannot prove this on moto; in AWS a batch's records arrive in order on
    one shard anyway.)"""
    EventSequence(TABLE).allocate("b1", "e1", 2)
    fresh = EventSequence(TABLE)  # nothing remembered: it reads the counter
    real_last = EventSequence.last
    interleaved: list[int] = []
    reads = 0

    def last_then_interleave(self: EventSequence, batch_id: str) -> int:
        nonlocal reads
        reads += 1
        seen = real_last(self, batch_id)
        if reads == 1:  # our first read: the other writer goes in before our transaction
            interleaved.append(EventSequence(TABLE).allocate(batch_id, "other", 3))
        return seen

    monkeypatch.setattr(EventSequence, "last", last_then_interleave)
    first = fresh.allocate("b1", "e2", 2)
    assert interleaved == [3]
    assert first == 6  # not 3: the stale read failed the transaction's condition and was retried
    assert reads == 3  # ours, the other writer's, ours again
    monkeypatch.setattr(EventSequence, "last", real_last)
    assert sequence.last("b1") == 7
    assert sequence.allocate("b1", "other", 3) == 3


def test_the_number_issued_last_is_tried_without_reading_the_counter(
    sequence: EventSequence, monkeypatch: pytest.MonkeyPatch
):
    """A batch's records come one after another to one instance: after its first, each costs the
    transaction only. A number remembered from before another writer moved the counter fails the
    transaction's guard and is read again: no number is given twice."""
    assert sequence.allocate("b1", "e1", 2) == 1
    reads: list[str] = []
    real_last = EventSequence.last

    def counted(self: EventSequence, batch_id: str) -> int:
        reads.append(batch_id)
        return real_last(self, batch_id)

    monkeypatch.setattr(EventSequence, "last", counted)
    assert sequence.allocate("b1", "e2", 1) == 3
    assert sequence.allocate("b1", "e3", 2) == 4
    assert reads == []
    assert EventSequence(TABLE).allocate("b1", "elsewhere", 4) == 6  # another instance (it reads)
    assert sequence.allocate("b1", "e4", 1) == 10  # its remembered 5 was stale: read again
    assert reads == ["b1", "b1"]
    assert sequence.allocate("b1", "e2", 1) == 3  # a redelivered record: its numbers again
    assert real_last(sequence, "b1") == 10


def test_a_count_below_one_is_refused(sequence: EventSequence):
    with pytest.raises(ValueError, match="at least 1"):
        sequence.allocate("b1", "e1", 0)


def test_a_deleted_batch_gets_no_numbers_and_nothing_is_written_back(sequence: EventSequence):
    """The stream delivers a batch's last records after its delete: they must not recreate items in
    the partition the delete emptied."""
    sequence.allocate("b1", "e1", 2)
    table = boto3.resource("dynamodb").Table(TABLE)
    for item in table.scan()["Items"]:
        if item["PK"] == "BATCH#b1":
            table.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})
    assert sequence.allocate("b1", "e2", 1) is None
    assert sequence.allocate("gone", "e3", 1) is None
    assert [i for i in table.scan()["Items"] if i["PK"] in {"BATCH#b1", "BATCH#gone"}] == []
