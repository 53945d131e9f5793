"""Tasks of the export state machine (statemachines/export.asl.json), in the export Lambda function:
`run` produces the export, `fail` records why an export ended without a file (a Lambda timeout, the
Fargate task dying)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.observability import lambda_logging, metrics, request_keys, tracer
from functions.services.context import services
from functions.services.export_runner import run_export
from functions.services.exports import fail_export


def _cause(error: dict[str, Any]) -> str:
    return f"{error.get('Error', 'Error')}: {error.get('Cause', '')}".strip(": ")[:1000]


@lambda_logging
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch_id, export_id = event["batch_id"], event["export_id"]
    request_keys(task=event.get("task"), batch_id=batch_id, export_id=export_id)
    ctx = services()
    if event.get("task") == "fail":
        changed = fail_export(ctx, batch_id, export_id, _cause(event.get("error") or {}))
        return {"export_id": export_id, "status": "failed", "changed": changed}
    if event.get("task") != "run":
        raise ValueError(f"Unknown task {event.get('task')!r}; expected 'run' or 'fail'")
    record = run_export(ctx, batch_id, export_id)
    metrics.add_metric(name="ExportsCompleted", unit="Count", value=1)
    return {"export_id": record.id, "status": record.status.value, "file_size": record.file_size}
