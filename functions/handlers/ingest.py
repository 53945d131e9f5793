"""Uploads arriving in the ingest bucket: S3 notifications (local mode) or EventBridge (AWS), read with
Powertools' event classes."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import S3Event, S3EventBridgeNotificationEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain.drop_folder import parse_drop_key
from functions.observability import lambda_logging, logger, tracer
from functions.services.context import services
from functions.services.drop_folder import note_object
from functions.services.ingestion import ObjectCreated, handle_upload


def objects_in(event: dict[str, Any]) -> list[ObjectCreated]:
    """The created objects an event names, from either delivery path. Keys arrive URL-encoded in both;
    ObjectCreated.from_raw decodes them once (the raw key is read, not the class's decoded one)."""
    if event.get("detail-type") == "Object Created":
        detail = S3EventBridgeNotificationEvent(event).detail
        return [ObjectCreated.from_raw(detail.bucket.name, detail.object["key"], detail.object.get("size"))]
    found = []
    for record in S3Event(event).records:
        if record.event_name.startswith("ObjectCreated"):
            s3 = record.s3
            found.append(
                ObjectCreated.from_raw(s3.bucket.name, s3.get_object["key"], s3.get_object.get("size"))
            )
    return found


@lambda_logging
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = {}
    for created in objects_in(event):
        if parse_drop_key(created.key) is not None:
            outcomes[created.key] = note_object(services(), created.key)
        else:
            outcomes[created.key] = handle_upload(services(), created)
        logger.info("Upload handled", extra={"key": created.key, "outcome": outcomes[created.key]})
    return {"handled": outcomes}
