"""Amazon Transcribe job state changes (EventBridge) → answer the waiting Transcribe task."""

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.observability import lambda_logging, logger, tracer
from functions.services.context import services
from functions.services.transcription import finish_transcription


@lambda_logging
@tracer.capture_lambda_handler
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, str]:
    detail = event.detail or {}
    name = str(detail.get("TranscriptionJobName", ""))
    outcome = finish_transcription(services(), name, str(detail.get("TranscriptionJobStatus", "")))
    logger.info("Transcription job finished", extra={"job": name, "outcome": outcome})
    return {"job": name, "outcome": outcome}
