"""Sequence numbers on DynamoDB (moto): consecutive, per batch, once per stream record, gap-free under
concurrency."""

import threading
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from functions.adapters import aws
from functions.adapters.event_sequence import EventSequence

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


def test_concurrent_records_get_disjoint_gap_free_ranges(sequence: EventSequence):
    ranges: list[tuple[int, int]] = []
    lock = threading.Lock()

    def claim(n: int) -> None:
        count = 1 + n % 3
        first = sequence.allocate("b1", f"e{n}", count)
        with lock:
            ranges.append((first, count))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(first + i for first, count in ranges for i in range(count))
    total = sum(1 + n % 3 for n in range(12))
    assert numbers == list(range(1, total + 1))
    assert sequence.last("b1") == total


def test_a_count_below_one_is_refused(sequence: EventSequence):
    with pytest.raises(ValueError, match="at least 1"):
        sequence.allocate("b1", "e1", 0)
