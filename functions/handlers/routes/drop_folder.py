"""Drop-folder route: the caller's drop-folder address (docs/drop-folder.md)."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.domain.drop_access import DropFolderAddress
from functions.handlers.http import BEARER, caller_of, responses_for
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]


@router.get(
    "/api/drop-folder",
    summary="Your drop folder: where a folder of videos becomes a batch, and the command that puts it there",
    security=BEARER,
    responses=responses_for(DropFolderAddress),
)
def get_drop_folder() -> DropFolderAddress:
    caller = caller_of(router.current_event)
    return DropFolderAddress.of(services().config.ingest_bucket, caller.user_id)
