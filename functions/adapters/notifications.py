"""Batch notifications: an EventBridge event on the default bus for every finished batch, and optionally
an SNS message carrying a `user_id` attribute, so each user's e-mail subscription filters to their own
batches (opting in = subscribing with that filter)."""

import json
from typing import Any

from functions.adapters import aws
from functions.domain.progress_events import FinishedEvent

SOURCE = "reelflow"
DETAIL_TYPES = {
    "batch_completed": "Batch Completed",
    "batch_failed": "Batch Failed",
    "batch_cancelled": "Batch Cancelled",
}
MAX_SUBJECT = 100  # SNS subject limit


class NotificationFailed(Exception):
    pass


def batch_detail(event: FinishedEvent, user_id: str) -> dict[str, Any]:
    """The summary a finished batch is announced with (the EventBridge event's `detail`)."""
    return {
        "batch_id": event.batch_id,
        "user_id": user_id,
        "status": event.status.value,
        "total_videos": event.total_videos,
        "completed_videos": event.completed_videos,
        "failed_videos": event.failed_videos,
        "cancelled_videos": event.cancelled_videos,
        "error_message": event.error_message,
        "summary": event.summary,
        "finished_at": event.timestamp.isoformat(),
        "sequence": event.sequence,
    }


def email_text(detail: dict[str, Any]) -> tuple[str, str]:
    name = (detail.get("summary") or {}).get("name") or detail["batch_id"]
    subject = f"reelflow: batch {name} {detail['status']}"[:MAX_SUBJECT]
    lines = [
        f"Batch {name} ({detail['batch_id']}) {detail['status']}.",
        f"{detail['completed_videos']} of {detail['total_videos']} videos completed, "
        f"{detail['failed_videos']} failed, {detail['cancelled_videos']} cancelled.",
    ]
    if detail.get("error_message"):
        lines.append(f"Error: {detail['error_message']}")
    return subject, "\n".join(lines)


class BatchNotifications:
    def __init__(self, *, event_bus: str = "default", topic_arn: str | None = None) -> None:
        self.event_bus = event_bus
        self.topic_arn = topic_arn

    def batch_finished(self, event: FinishedEvent, user_id: str) -> None:
        detail = batch_detail(event, user_id)
        answer = aws.client("events").put_events(
            Entries=[
                {
                    "EventBusName": self.event_bus,
                    "Source": SOURCE,
                    "DetailType": DETAIL_TYPES[event.type],
                    "Detail": json.dumps(detail, default=str),
                    "Resources": [],
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            raise NotificationFailed(f"EventBridge refused the event: {answer['Entries']}")
        if self.topic_arn:
            subject, body = email_text(detail)
            aws.client("sns").publish(
                TopicArn=self.topic_arn,
                Subject=subject,
                Message=body,
                MessageAttributes={"user_id": {"DataType": "String", "StringValue": user_id}},
            )

    def subscribe_email(self, email: str, user_id: str) -> str:
        """Opt a user in: an e-mail subscription that only receives that user's batches."""
        if not self.topic_arn:
            raise NotificationFailed("no notification topic is configured")
        answer = aws.client("sns").subscribe(
            TopicArn=self.topic_arn,
            Protocol="email",
            Endpoint=email,
            Attributes={"FilterPolicy": json.dumps({"user_id": [user_id]})},
            ReturnSubscriptionArn=True,
        )
        return str(answer["SubscriptionArn"])
