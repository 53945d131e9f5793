"""The stream handler: DynamoDB stream records (typed images) → the fan-out, failures reported per record."""

from datetime import UTC, datetime
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from functions.adapters.dynamo_codec import model_to_attributes
from functions.adapters.keys import batch_keys, batch_video_keys
from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.handlers import progress_stream
from functions.services.progress_fanout import Change, FanoutResult
from reelflow.local.invoker import LocalLambdaContext

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SERIALIZER = TypeSerializer()


def image(entity: BatchJob | BatchVideo) -> dict[str, Any]:
    keys = batch_keys(entity) if isinstance(entity, BatchJob) else batch_video_keys(entity)
    item = {**keys, **model_to_attributes(entity)}
    return {k: SERIALIZER.serialize(v) for k, v in item.items()}


def record(n: int, old: BatchJob | BatchVideo | None, new: BatchJob | BatchVideo | None) -> dict[str, Any]:
    stream: dict[str, Any] = {"SequenceNumber": f"{n:021d}", "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old is not None:
        stream["OldImage"] = image(old)
    if new is not None:
        stream["NewImage"] = image(new)
    return {
        "eventID": f"event-{n}",
        "eventName": "MODIFY" if old and new else ("INSERT" if new else "REMOVE"),
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/reelflow/stream/2026",
        "dynamodb": stream,
    }


class RecordingFanout:
    def __init__(self, fail_on: set[str]) -> None:
        self.fail_on = fail_on
        self.changes: list[Change] = []

    def for_one_delivery(self) -> "RecordingFanout":
        return self

    def handle(self, change: Change) -> FanoutResult:
        if change.event_id in self.fail_on:
            raise RuntimeError("listeners unavailable")
        self.changes.append(change)
        return FanoutResult()


def test_records_are_decoded_and_the_first_failure_fails_the_rest_to_keep_order(
    monkeypatch: pytest.MonkeyPatch,
):
    fake = RecordingFanout(fail_on={"event-2"})
    monkeypatch.setattr(progress_stream, "fanout", lambda: fake)
    batch = BatchJob(id="b", user_id="u", name="n", total_videos=2, created_at=T0, updated_at=T0)
    video = BatchVideo(batch_job_id="b", video_id="v", position=1, created_at=T0, updated_at=T0)
    running = video.model_copy(update={"status": VideoStatus.PROCESSING, "duration": 3.5})
    event = {
        "Records": [
            record(1, video, running),
            record(2, batch, batch.model_copy(update={"status": BatchStatus.PAUSED})),
            record(3, None, batch),
        ]
    }
    response = progress_stream.handler(event, LocalLambdaContext(function_name="reelflow-progress"))
    assert response == {"batchItemFailures": [{"itemIdentifier": f"{n:021d}"} for n in (2, 3)]}
    assert [c.event_id for c in fake.changes] == ["event-1"]
    assert fake.changes[0].old == video and fake.changes[0].new == running
    # the next invocation starts clean: Lambda resends records 2 and 3
    fake.fail_on.clear()
    response = progress_stream.handler(
        {"Records": event["Records"][1:]}, LocalLambdaContext(function_name="reelflow-progress")
    )
    assert response == {"batchItemFailures": []}
    assert [c.event_id for c in fake.changes] == ["event-1", "event-2", "event-3"]
    assert fake.changes[2].old is None and fake.changes[2].new == batch
