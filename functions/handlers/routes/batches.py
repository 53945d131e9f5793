"""Batch routes: create (idempotent with an Idempotency-Key header), list, read, edit, add videos, start."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from functions.adapters.idempotency import once
from functions.domain.enums import BatchStatus
from functions.domain.schemas import (
    AddVideosRequest,
    BatchJobCreate,
    BatchJobCreated,
    BatchJobDetail,
    BatchJobEdit,
    BatchJobList,
    ReorderRequest,
    StartResponse,
    VideosAdded,
)
from functions.handlers.http import BEARER, BatchId, VideoId, caller_of, responses_for
from functions.observability import metrics
from functions.services import batch_edit, batches
from functions.services.batches import SortField, SortOrder
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="idempotency-key",
        min_length=1,
        max_length=255,
        description="Retries with the same key return the first response and create (and count) one batch.",
    ),
]


@router.post(
    "/api/batch-jobs",
    summary="Create a batch and get one upload URL per video",
    security=BEARER,
    responses=responses_for(
        BatchJobCreated, 403, 409, 429, status=201, description="Batch created", body=True
    ),
)
def create_batch(
    request: BatchJobCreate, idempotency_key: IdempotencyKey = None
) -> Response[BatchJobCreated]:
    ctx, caller = services(), caller_of(router.current_event)
    if idempotency_key is None:
        created = batches.create_batch(ctx, caller, request)
    else:
        created = once(ctx.config.table_name, "create-batch", BatchJobCreated)(
            attempt={"user_id": caller.user_id, "key": idempotency_key},
            work=lambda: batches.create_batch(ctx, caller, request),
        )
    metrics.add_metric(name="BatchesCreated", unit="Count", value=1)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)


@router.get(
    "/api/batch-jobs",
    summary="List your batches, newest first (or by priority, status, name or progress), a page at a time",
    security=BEARER,
    responses=responses_for(BatchJobList, 400),
)
def list_batches(
    status: Annotated[BatchStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[
        int,
        Query(ge=0, le=10_000, description="Batches to skip: read and dropped, so it costs what it skips."),
    ] = 0,
    sort: Annotated[
        SortField,
        Query(
            description="created_at (newest first), priority (highest first), status (by name), "
            "name (A to Z) or progress (highest first); name and progress sort your newest 1000 batches."
        ),
    ] = "created_at",
    order: Annotated[
        SortOrder | None,
        Query(
            description="asc or desc; left out, each sort's own direction (above); the other is its reverse."
        ),
    ] = None,
    next_token: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=2048,
            description="The next_token of the previous page: resumes right after it (same sort and status).",
        ),
    ] = None,
) -> BatchJobList:
    caller = caller_of(router.current_event)
    return batches.list_batches(services(), caller, status, limit, offset, sort, next_token, order)


@router.get(
    "/api/batch-jobs/<batch_id>",
    summary="A batch with its videos and progress",
    security=BEARER,
    responses=responses_for(BatchJobDetail, 404),
)
def get_batch(batch_id: BatchId) -> BatchJobDetail:
    return batches.get_batch_detail(services(), caller_of(router.current_event), batch_id)


@router.patch(
    "/api/batch-jobs/<batch_id>",
    summary="Edit the name or description of a batch that has not started",
    security=BEARER,
    responses=responses_for(BatchJobDetail, 404, 409, body=True),
)
def edit_batch(batch_id: BatchId, request: BatchJobEdit) -> BatchJobDetail:
    return batch_edit.edit_batch(services(), caller_of(router.current_event), batch_id, request)


@router.post(
    "/api/batch-jobs/<batch_id>/videos",
    summary="Add uploaded videos, or new files (with upload targets), to a batch that has not started",
    security=BEARER,
    responses=responses_for(VideosAdded, 403, 404, 409, body=True),
)
def add_videos(batch_id: BatchId, request: AddVideosRequest) -> VideosAdded:
    caller = caller_of(router.current_event)
    return batches.add_videos(services(), caller, batch_id, request.video_ids, request.files)


@router.patch(
    "/api/batch-jobs/<batch_id>/videos",
    summary="Reorder the videos of a batch that has not started (the whole new order)",
    security=BEARER,
    responses=responses_for(BatchJobDetail, 404, 409, body=True),
)
def reorder_videos(batch_id: BatchId, request: ReorderRequest) -> BatchJobDetail:
    return batches.reorder_videos(services(), caller_of(router.current_event), batch_id, request.video_ids)


@router.delete(
    "/api/batch-jobs/<batch_id>/videos/<video_id>",
    summary="Remove a pending video from a batch that has not started",
    security=BEARER,
    responses=responses_for(BatchJobDetail, 404, 409),
)
def remove_video(batch_id: BatchId, video_id: VideoId) -> BatchJobDetail:
    return batches.remove_video(services(), caller_of(router.current_event), batch_id, video_id)


@router.post(
    "/api/batch-jobs/<batch_id>/start",
    summary="Start processing (every video must be uploaded)",
    security=BEARER,
    responses=responses_for(StartResponse, 404, 409, body=True),
)
def start_batch(batch_id: BatchId) -> StartResponse:
    started = batches.start_batch(services(), caller_of(router.current_event), batch_id)
    metrics.add_metric(name="BatchesStarted", unit="Count", value=1)
    return started
