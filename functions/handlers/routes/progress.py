"""Progress route: the snapshot a WebSocket client gets after subscribing, for clients that poll."""

from functools import cache

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.adapters.event_sequence import EventSequence
from functions.domain.progress_events import BatchSnapshot
from functions.handlers.http import BEARER, BatchId, caller_of, responses_for
from functions.services import subscriptions
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]


@cache
def _sequence(table_name: str) -> EventSequence:
    return EventSequence(table_name)


@router.get(
    "/api/batch-jobs/<batch_id>/progress",
    summary="The batch's whole progress state and the last event sequence number (as a batch_snapshot)",
    security=BEARER,
    responses=responses_for(BatchSnapshot, 404),
)
def batch_progress(batch_id: BatchId) -> BatchSnapshot:
    ctx = services()
    caller = caller_of(router.current_event)
    return subscriptions.batch_progress(ctx, _sequence(ctx.config.table_name), batch_id, caller.user_id)
