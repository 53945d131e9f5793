"""The stream handler end to end on the embedded AWS: real repository writes → the table's real stream
records → numbered events posted through the management API (moto's backend patched to record frames
and answer Gone for a closed connection), with the table's Scan made to raise."""

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models import DynamoDBBackend

from functions.adapters import keys
from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.models import BatchJob, BatchVideo, Connection, Video
from functions.domain.progress_events import parse_event
from functions.domain.transitions import BatchAction, VideoAction
from functions.handlers import progress_stream
from reelflow.local import stream_mapping
from reelflow.local.cloud import ACCOUNT, REGION
from reelflow.local.invoker import LocalLambdaContext

pytestmark = pytest.mark.usefixtures("local_cloud")


class Gone(JsonRESTError):
    code = 410

    def __init__(self) -> None:
        super().__init__("GoneException", "")


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[bytes]]]:
    received: dict[str, list[bytes]] = {}
    lock = threading.Lock()

    def post_to_connection(backend: ApiGatewayManagementApiBackend, data: bytes, connection_id: str) -> None:
        if connection_id.startswith("closed-"):
            raise Gone()
        with lock:
            received.setdefault(connection_id, []).append(data)

    def no_scan(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the fan-out must find listeners by key, never by Scan")

    monkeypatch.setattr(ApiGatewayManagementApiBackend, "post_to_connection", post_to_connection)
    monkeypatch.setattr(DynamoDBBackend, "scan", no_scan)
    monkeypatch.setenv("REELFLOW_EVENT_BUS", "")  # no notifications in this test
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")  # for dynamodbstreams (notes/local-aws.md)
    progress_stream.fanout.cache_clear()
    stream_mapping.stop()  # this test hands the stream's records to the handler itself
    yield received
    stream_mapping.start(ACCOUNT, REGION)
    progress_stream.fanout.cache_clear()


def stream_records(ctx: Any, batch_id: str) -> list[dict[str, Any]]:
    """Every record of the table's stream for this batch's partition, in order, shaped as Lambda gets them."""
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=ctx.config.table_name)["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += page["Records"]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    mine = [r for r in records if r["dynamodb"]["Keys"]["PK"]["S"] == keys.batch_pk(batch_id)]
    for record in mine:
        record["eventSourceARN"] = arn
    return mine


def test_a_batch_run_reaches_listeners_in_order_without_gaps(ctx, user_id, now, frames):
    batch = BatchJob(user_id=user_id, name="live", created_at=now, updated_at=now, total_videos=2)
    members = []
    for position in (1, 2):
        video = Video(
            user_id=user_id, original_name=f"v{position}.mp4", s3_key="k", created_at=now, updated_at=now
        )
        ctx.videos.put_many([video])
        members.append(
            BatchVideo(
                batch_job_id=batch.id,
                video_id=video.id,
                position=position,
                original_name=video.original_name,
                status=VideoStatus.PENDING,
                created_at=now,
                updated_at=now,
            )
        )
    ctx.batches.create(batch, members)
    for cid, topic in (
        ("watcher", "batch"),
        ("dashboard", "user"),
        ("closed-tab", "batch"),
    ):
        connection = Connection(
            connection_id=cid + batch.id[:8],
            user_id=user_id,
            connected_at=now,
            expires_at=now + timedelta(hours=2),
        )
        ctx.connections.put(connection)
        if topic == "batch":
            ctx.connections.subscribe_to_batch(connection, batch.id)
        else:
            ctx.connections.subscribe_to_user(connection)

    t = [now + timedelta(seconds=i) for i in range(10)]
    ctx.batches.transition(batch, BatchAction.START, t[1])
    one, two = members
    ctx.batch_videos.transition(batch.id, one.video_id, VideoAction.START, t[2])
    ctx.batch_videos.update(
        batch.id, one.video_id, t[3], set_fields={"progress_percentage": 50}, only_if=VideoStatus.PROCESSING
    )
    ctx.batch_videos.transition(
        batch.id,
        one.video_id,
        VideoAction.COMPLETE,
        t[4],
        set_fields={"progress_percentage": 100},
        batch_add={"completed_videos": 1},
    )
    ctx.batch_videos.transition(batch.id, two.video_id, VideoAction.START, t[5])
    ctx.batch_videos.transition(
        batch.id,
        two.video_id,
        VideoAction.FAIL,
        t[6],
        set_fields={"error_message": "corrupt"},
        batch_add={"failed_videos": 1},
    )
    ctx.batches.transition(ctx.batches.get(batch.id), BatchAction.COMPLETE, t[7])

    records = stream_records(ctx, batch.id)
    context = LocalLambdaContext(function_name="reelflow-progress")
    assert progress_stream.handler({"Records": records}, context) == {"batchItemFailures": []}
    assert progress_stream.handler({"Records": records}, context) == {"batchItemFailures": []}  # redelivered

    watcher = [parse_event(f) for f in frames["watcher" + batch.id[:8]]]
    dashboard = [parse_event(f) for f in frames["dashboard" + batch.id[:8]]]
    expected = [
        "batch_progress",
        "video_started",
        "video_progress",
        "video_completed",
        "batch_progress",
        "video_started",
        "video_failed",
        "batch_progress",
        "batch_completed",
    ]
    first_pass = watcher[: len(expected)]
    assert [e.type for e in first_pass] == expected
    assert [e.sequence for e in first_pass] == list(range(1, len(expected) + 1))
    assert [(e.sequence, e.type) for e in watcher[len(expected) :]] == [
        (e.sequence, e.type) for e in first_pass
    ]
    assert [e.type for e in dashboard] == [e.type for e in watcher]
    assert first_pass[-1].status is BatchStatus.COMPLETED
    # the closed tab answered Gone and was removed; nothing was posted to it
    assert ctx.connections.get("closed-tab" + batch.id[:8]) is None
    assert ctx.connections.batch_listeners(batch.id) == ["watcher" + batch.id[:8]]
    assert json.loads(frames["watcher" + batch.id[:8]][6])["error_message"] == "corrupt"
