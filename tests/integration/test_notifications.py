"""Batch notifications on moto: EventBridge events read back through a rule → SQS target, and SNS
messages whose user_id attribute lets a per-user subscription filter."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.adapters import aws
from functions.adapters.notifications import BatchNotifications, NotificationFailed
from functions.domain.enums import BatchStatus
from functions.domain.progress_events import BatchCancelled, BatchCompleted, BatchFailed

pytestmark = pytest.mark.own_moto

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        aws.reset_clients()
        yield
    aws.reset_clients()


def queue(name: str) -> tuple[str, str]:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(url: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def finished(kind: type, **fields: Any):
    base = {
        "batch_id": "b-1",
        "status": BatchStatus.COMPLETED,
        "progress": 100,
        "total_videos": 3,
        "completed_videos": 2,
        "failed_videos": 1,
        "timestamp": T0,
        "sequence": 9,
        "summary": {"name": "holiday", "removed_seconds": 12.5},
    }
    return kind(**{**base, **fields})


@pytest.mark.usefixtures("cloud")
def test_finished_batches_are_put_on_the_default_bus():
    url, arn = queue("batch-events")
    events = boto3.client("events")
    events.put_rule(Name="reelflow-batches", EventPattern=json.dumps({"source": ["reelflow"]}))
    events.put_targets(Rule="reelflow-batches", Targets=[{"Id": "q", "Arn": arn}])
    notifications = BatchNotifications()
    notifications.batch_finished(finished(BatchCompleted), "alice")
    notifications.batch_finished(
        finished(BatchFailed, status=BatchStatus.FAILED, error_message="timeout"), "bob"
    )
    notifications.batch_finished(finished(BatchCancelled, status=BatchStatus.CANCELLED), "alice")
    received = drain(url)
    assert [e["detail-type"] for e in received] == ["Batch Completed", "Batch Failed", "Batch Cancelled"]
    assert {e["source"] for e in received} == {"reelflow"}
    first = received[0]["detail"]
    assert first["batch_id"] == "b-1" and first["user_id"] == "alice" and first["status"] == "completed"
    assert (first["completed_videos"], first["failed_videos"], first["total_videos"]) == (2, 1, 3)
    assert first["summary"] == {"name": "holiday", "removed_seconds": 12.5}
    assert received[1]["detail"]["error_message"] == "timeout"


@pytest.mark.usefixtures("cloud")
def test_sns_messages_carry_the_user_so_a_subscription_filters_to_its_user():
    topic = boto3.client("sns").create_topic(Name="reelflow-notifications")["TopicArn"]
    alice_url, alice_arn = queue("alice")
    boto3.client("sns").subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=alice_arn,
        Attributes={"FilterPolicy": json.dumps({"user_id": ["alice"]})},
    )
    notifications = BatchNotifications(topic_arn=topic)
    notifications.batch_finished(finished(BatchCompleted), "alice")
    notifications.batch_finished(finished(BatchFailed, status=BatchStatus.FAILED, error_message="x"), "bob")
    [message] = drain(alice_url)
    assert message["MessageAttributes"]["user_id"] == {"Type": "String", "Value": "alice"}
    assert message["Subject"] == "reelflow: batch holiday completed"
    assert "2 of 3 videos completed, 1 failed" in message["Message"]


@pytest.mark.usefixtures("cloud")
def test_opting_in_subscribes_an_email_filtered_to_the_user():
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="reelflow-notifications")["TopicArn"]
    subscription = BatchNotifications(topic_arn=topic).subscribe_email("alice@example.com", "alice")
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"user_id": ["alice"]}
    with pytest.raises(NotificationFailed):
        BatchNotifications().subscribe_email("bob@example.com", "bob")
