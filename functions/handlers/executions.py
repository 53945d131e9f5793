"""Step Functions execution status changes (EventBridge): a batch whose execution failed, timed out or
was aborted outside reelflow is failed cleanly, so nothing stays "processing" forever."""

import re
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain.errors import NotFound
from functions.observability import logger, tracer
from functions.services.batch_lifecycle import fail_batch
from functions.services.context import services

RUN_SUFFIX = re.compile(r"-run\d+$")


def batch_id_of(execution_name: str) -> str:
    return RUN_SUFFIX.sub("", execution_name)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    detail = event.detail or {}
    status = str(detail.get("status", ""))
    batch_id = batch_id_of(str(detail.get("name", "")))
    cause = detail.get("cause") or detail.get("error") or f"The batch's execution ended {status}"
    try:
        result = fail_batch(
            services(), batch_id, {"Error": f"Execution{status.title()}", "Cause": str(cause)}
        )
    except NotFound:
        return {"batch_id": batch_id, "status": "unknown"}
    logger.info(
        "Execution ended abnormally", extra={"batch_id": batch_id, "execution_status": status, **result}
    )
    return {"batch_id": batch_id, **result}
