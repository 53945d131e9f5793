"""WebSocket use cases: open a connection, listen to one batch (or all of a user's) and catch up on it,
close it; the progress snapshot a polling client reads."""

from datetime import timedelta

from functions.domain.errors import NotFound
from functions.domain.models import BatchJob, BatchVideo, Connection
from functions.domain.progress_events import BatchSnapshot, encode
from functions.observability import tracer
from functions.services.access import BATCH_NOT_FOUND, require_batch
from functions.services.context import Services
from functions.services.progress_fanout import EventSink, SequenceSource, catch_up


class ConnectionGone(NotFound):
    title = "Connection not found"
    http_status = 410


@tracer.capture_method
def open_connection(ctx: Services, connection_id: str, user_id: str) -> Connection:
    now = ctx.clock()
    connection = Connection(
        connection_id=connection_id,
        user_id=user_id,
        connected_at=now,
        expires_at=now + timedelta(seconds=ctx.config.connection_ttl_seconds),
    )
    ctx.connections.put(connection)
    return connection


@tracer.capture_method
def subscribe(ctx: Services, connection_id: str, batch_id: str | None) -> str:
    """What the connection now listens to; NotFound for a batch of someone else, ConnectionGone when
    the connection is unknown."""
    connection = ctx.connections.get(connection_id)
    if connection is None:
        raise ConnectionGone(f"No open connection {connection_id}")
    if batch_id is None:
        ctx.connections.subscribe_to_user(connection)
        return "subscribed to all your batches"
    require_batch(ctx, batch_id, connection.user_id)
    ctx.connections.subscribe_to_batch(connection, batch_id)
    return f"subscribed to batch {batch_id}"


@tracer.capture_method
def close_connection(ctx: Services, connection_id: str) -> None:
    ctx.connections.delete(connection_id)


@tracer.capture_method
def batch_progress(ctx: Services, sequence: SequenceSource, batch_id: str, user_id: str) -> BatchSnapshot:
    """The whole state of the user's batch with the last sequence number issued (NotFound otherwise)."""
    require_batch(ctx, batch_id, user_id)
    found = catch_up(sequence, lambda b: _read_batch(ctx, b), batch_id)
    if found is None:  # deleted between the two reads
        raise NotFound(f"No batch job with id '{batch_id}' exists for this user", title=BATCH_NOT_FOUND)
    return found


def _read_batch(ctx: Services, batch_id: str) -> tuple[BatchJob, list[BatchVideo]] | None:
    batch = ctx.batches.get(batch_id)
    return (batch, ctx.batch_videos.of_batch(batch_id)) if batch else None


@tracer.capture_method
def catch_up_connection(
    ctx: Services, sequence: SequenceSource, sink: EventSink, connection_id: str, batch_id: str
) -> BatchSnapshot:
    """Posts the batch's snapshot to a connection that just subscribed to it. It subscribed first, so
    every event numbered after the snapshot's `sequence` reaches it live (some may arrive before the
    snapshot: the client drops those at or below its sequence)."""
    connection = ctx.connections.get(connection_id)
    if connection is None:
        raise ConnectionGone(f"No open connection {connection_id}")
    found = batch_progress(ctx, sequence, batch_id, connection.user_id)
    if sink.post([connection_id], encode(found)).gone:
        ctx.connections.delete(connection_id)
    return found
