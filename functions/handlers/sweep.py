"""The scheduled sweep (EventBridge rule, every minute): settle batches whose execution ended without
telling us, recover those that can go on, and admit queued batches a lost event left waiting."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.observability import lambda_logging, tracer
from functions.services.context import services
from functions.services.sweep import sweep


@lambda_logging
@tracer.capture_lambda_handler
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    return sweep(services()).as_dict()
