"""The table's DynamoDB stream → live progress events for WebSocket listeners (and batch notifications).

Powertools batch processing reports failed records (`batchItemFailures`); the mapping must enable
ReportBatchItemFailures. Lambda resumes a stream from the first failed record, so once one record fails
the ones after it are failed too without being handled: otherwise they would be numbered before the
failed one and a client would see a video complete before it progressed. A retried record is numbered
as before (see adapters/event_sequence.py): delivery is at least once, clients drop repeated numbers.
"""

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import untraced
from functions.adapters.connection_notifier import ConnectionNotifier
from functions.adapters.event_sequence import EventSequence
from functions.adapters.notifications import BatchNotifications
from functions.adapters.stream_images import decode_image
from functions.config import RuntimeConfig
from functions.observability import lambda_logging, logger
from functions.services.context import Services, services
from functions.services.progress_fanout import Change, ProgressFanout

tracer = Tracer(service="reelflow-progress", provider=untraced.provider())
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class StoreBindings:
    """Binds the fan-out's owner and remover ports to the batch and connection stores."""

    def __init__(self, ctx: Services) -> None:
        self.ctx = ctx

    def batch_owner(self, batch_id: str) -> str | None:
        batch = self.ctx.batches.get(batch_id)
        return batch.user_id if batch else None

    def remove_connections(self, connection_ids: Sequence[str]) -> None:
        for connection_id in connection_ids:
            self.ctx.connections.delete(connection_id)


@cache
def fanout() -> ProgressFanout:
    # Read afresh (not ctx.config): the fan-out is built once per cold start anyway.
    ctx, config = services(), RuntimeConfig()
    ports = StoreBindings(ctx)
    return ProgressFanout(
        listeners=ctx.connections,
        owners=ports,
        remover=ports,
        sink=ConnectionNotifier(config.websocket_endpoint, max_workers=config.fanout_max_workers),
        sequence=EventSequence(ctx.config.table_name),
        publisher=BatchNotifications(event_bus=config.event_bus, topic_arn=config.notification_topic_arn)
        if config.event_bus
        else None,
    )


class AfterFailedRecord(Exception):
    """Not handled: an earlier record of this invocation failed and Lambda will resend both in order."""


class _Invocation(threading.local):
    """Per thread: local mode runs handlers on several threads at once."""

    failed = False
    fanout: ProgressFanout | None = None  # this invocation's (ProgressFanout.for_one_delivery)


_invocation = _Invocation()


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    if _invocation.failed:
        raise AfterFailedRecord(str(record.event_id))
    try:
        _handle(record)
    except Exception:
        _invocation.failed = True
        raise


def _handle(record: DynamoDBRecord) -> None:
    stream = record.dynamodb
    change = Change(
        event_id=str(record.event_id),
        old=decode_image(stream.old_image if stream else None),
        new=decode_image(stream.new_image if stream else None),
    )
    result = (_invocation.fanout or fanout()).handle(change)
    if result.events:
        logger.debug(
            "Progress events sent",
            extra={
                "types": [e.type for e in result.events],
                "sequence": result.events[-1].sequence,
                "listeners": result.listeners,
                "removed": len(result.removed),
            },
        )


@lambda_logging
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _invocation.failed = False
    _invocation.fanout = fanout().for_one_delivery()
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
