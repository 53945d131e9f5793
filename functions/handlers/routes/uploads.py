"""Upload routes: mint an upload target on demand, and finish, abort or resume a multipart upload."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.schemas import UploadTarget
from functions.domain.upload_schemas import CompleteUploadRequest, UploadParts, UploadRequest, UploadState
from functions.handlers.http import BEARER, BatchId, VideoId, caller_of, responses_for
from functions.services import uploads
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]
BASE = "/api/batch-jobs/<batch_id>/uploads/<video_id>"


@router.post(
    BASE,
    summary="A fresh upload target for a video (its size is signed): a first or corrected upload",
    security=BEARER,
    responses=responses_for(UploadTarget, 400, 403, 404, 409, body=True),
)
def request_upload(batch_id: BatchId, video_id: VideoId, request: UploadRequest) -> UploadTarget:
    user = caller_of(router.current_event).user_id
    return uploads.request_upload(services(), user, batch_id, video_id, request)


@router.post(
    f"{BASE}/complete",
    summary="Finish a multipart upload with its parts' ETags",
    security=BEARER,
    responses=responses_for(UploadState, 400, 404, 409, body=True),
)
def complete_upload(batch_id: BatchId, video_id: VideoId, request: CompleteUploadRequest) -> UploadState:
    user = caller_of(router.current_event).user_id
    return uploads.complete_upload(services(), user, batch_id, video_id, request)


@router.post(
    f"{BASE}/abort",
    summary="Abort a multipart upload (its parts are dropped)",
    security=BEARER,
    responses=responses_for(UploadState, 400, 404, 409),
)
def abort_upload(batch_id: BatchId, video_id: VideoId) -> UploadState:
    return uploads.abort_upload(services(), caller_of(router.current_event).user_id, batch_id, video_id)


@router.get(
    f"{BASE}/parts",
    summary="The parts S3 already holds, and the missing ones (with fresh URLs when urls=true)",
    security=BEARER,
    responses=responses_for(UploadParts, 400, 404, 409),
)
def upload_parts(batch_id: BatchId, video_id: VideoId, urls: Annotated[bool, Query()] = False) -> UploadParts:
    user = caller_of(router.current_event).user_id
    return uploads.upload_parts(services(), user, batch_id, video_id, urls)
