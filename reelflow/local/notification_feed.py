"""Batch notifications in local mode: the progress handler puts them on the embedded default EventBridge
bus, a rule sends them to a queue (reelflow/local/provisioning.py: moto's EventBridge delivers to SQS),
and `reelflow serve` reads that queue: it prints each one and appends it to a JSON Lines file in the
data folder, which `reelflow events` shows."""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILE_NAME = "notifications.jsonl"


@dataclass(frozen=True)
class Notification:
    """One EventBridge event as the rule delivered it."""

    detail_type: str
    time: str
    detail: dict[str, Any]

    @classmethod
    def from_envelope(cls, body: str) -> "Notification":
        envelope = json.loads(body)
        return cls(
            str(envelope.get("detail-type", "")), str(envelope.get("time", "")), envelope.get("detail") or {}
        )

    def line(self) -> str:
        d = self.detail
        done, total = d.get("completed_videos", 0), d.get("total_videos", 0)
        counts = f"{done}/{total} completed, {d.get('failed_videos', 0)} failed"
        error = f" ({d['error_message']})" if d.get("error_message") else ""
        return f"{self.detail_type}: batch {d.get('batch_id')} of {d.get('user_id')}, {counts}{error}"


def read(path: Path) -> list[Notification]:
    if not path.exists():
        return []
    found = []
    for text in path.read_text().splitlines():
        try:
            raw = json.loads(text)
            found.append(Notification(raw["detail_type"], raw["time"], raw["detail"]))
        except (ValueError, KeyError, TypeError):
            continue
    return found


@dataclass
class NotificationFeed:
    """Drains the notification queue on a thread until stopped."""

    sqs: Any
    queue_url: str
    path: Path
    on_notification: Callable[[Notification], None] = lambda _: None
    wait_seconds: int = 1
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "NotificationFeed":
        self._thread = threading.Thread(target=self._run, daemon=True, name="reelflow-notifications")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.wait_seconds + 5)

    def poll_once(self) -> list[Notification]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=self.wait_seconds
        )
        received = []
        for message in answer.get("Messages", []):
            try:
                notification = Notification.from_envelope(message["Body"])
            except ValueError:
                notification = None
            if notification is not None:
                self._record(notification)
                received.append(notification)
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return received

    def _record(self, notification: Notification) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as log:
            entry = {
                "detail_type": notification.detail_type,
                "time": notification.time,
                "detail": notification.detail,
            }
            log.write(json.dumps(entry, default=str) + "\n")
        self.on_notification(notification)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the embedded AWS is stopping; try again unless told to stop
                if self._stop.wait(0.5):
                    return
