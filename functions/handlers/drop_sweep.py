"""The drop folder's scheduled check (EventBridge schedule in AWS, a timer thread in local mode): every
pending drop-folder batch whose folder is complete or quiet starts. No Lambda sleeps while a folder
fills."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.observability import lambda_logging, logger, tracer
from functions.services.context import services
from functions.services.drop_folder import sweep


@lambda_logging
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = sweep(services())
    if outcomes:
        logger.info("Drop folders checked", extra={"outcomes": outcomes})
    return {"checked": outcomes}
