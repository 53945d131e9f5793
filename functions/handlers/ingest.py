"""Uploads arriving in the ingest bucket: S3 notifications (local mode) or EventBridge (AWS)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.observability import logger, tracer
from functions.services.context import services
from functions.services.ingestion import ObjectCreated, handle_upload


def objects_in(event: dict[str, Any]) -> list[ObjectCreated]:
    """The created objects an event names, from either delivery path."""
    if event.get("detail-type") == "Object Created":
        detail = event["detail"]
        return [
            ObjectCreated.from_raw(
                detail["bucket"]["name"], detail["object"]["key"], detail["object"].get("size")
            )
        ]
    found = []
    for record in event.get("Records", []):
        s3 = record.get("s3")
        if s3 and str(record.get("eventName", "")).startswith("ObjectCreated"):
            found.append(
                ObjectCreated.from_raw(s3["bucket"]["name"], s3["object"]["key"], s3["object"].get("size"))
            )
    return found


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = {}
    for created in objects_in(event):
        outcomes[created.key] = handle_upload(services(), created)
        logger.info("Upload handled", extra={"key": created.key, "outcome": outcomes[created.key]})
    return {"handled": outcomes}
