"""Step Functions execution status changes (EventBridge): a batch whose current execution was aborted or
timed out outside reelflow is recovered with a new run while it has recoveries left (as the sweep
would); otherwise the batch is failed cleanly, so nothing stays "processing" forever."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain.batch_control import batch_id_of_execution, execution_name
from functions.domain.enums import BatchStatus
from functions.domain.errors import NotFound
from functions.domain.pipeline_contract import TaskError, dump
from functions.observability import lambda_logging, logger, tracer
from functions.services.batch_lifecycle import fail_batch
from functions.services.context import services
from functions.services.sweep import sweep_batch


def recovered(name: str, batch_id: str, status: str) -> bool:
    """An aborted or timed-out current run of a running batch gets a new run while recoveries are left
    (functions/domain/recovery.py); anything else fails the batch as before."""
    ctx = services()
    batch = ctx.batches.get(batch_id)
    if batch is None or batch.status not in {BatchStatus.PROCESSING, BatchStatus.PAUSED}:
        return False
    if status not in {"ABORTED", "TIMED_OUT"} or name != execution_name(
        batch_id, max(batch.execution_count, 1)
    ):
        return False
    outcome = sweep_batch(ctx, batch, execution_status="ABORTED" if status == "ABORTED" else "TIMED_OUT")
    return outcome == "recovered"


@lambda_logging
@tracer.capture_lambda_handler
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    detail = event.detail or {}
    status = str(detail.get("status", ""))
    batch_id = batch_id_of_execution(str(detail.get("name", "")))
    cause = detail.get("cause") or detail.get("error") or f"The batch's execution ended {status}"
    if recovered(str(detail.get("name", "")), batch_id, status):
        return {"batch_id": batch_id, "status": "recovered"}
    try:
        outcome = fail_batch(
            services(), batch_id, TaskError(error=f"Execution{status.title()}", cause=str(cause))
        )
    except NotFound:
        return {"batch_id": batch_id, "status": "unknown"}
    result = dump(outcome)
    logger.info(
        "Execution ended abnormally", extra={"batch_id": batch_id, "execution_status": status, **result}
    )
    return {"batch_id": batch_id, **result}
