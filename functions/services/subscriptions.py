"""WebSocket use cases: open a connection, listen to one batch (or all of a user's), close it."""

from datetime import timedelta

from functions.domain.errors import NotFound
from functions.domain.models import Connection
from functions.observability import tracer
from functions.services.access import require_batch
from functions.services.context import Services


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
