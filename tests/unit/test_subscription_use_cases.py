"""WebSocket use cases on fakes: a connection listens to its own batches only, and is cleaned up."""

import pytest

from functions.domain.errors import NotFound
from functions.domain.schemas import BatchJobCreate
from functions.services import batches, subscriptions
from functions.services.subscriptions import ConnectionGone


def test_subscribe_to_own_batch_or_all_and_close(fake, alice):
    batch_id = batches.create_batch(fake.ctx, alice, BatchJobCreate(name="b", video_count=1)).batch_job.id
    connection = subscriptions.open_connection(fake.ctx, "c1", alice.user_id)
    assert connection.expires_at > connection.connected_at
    assert subscriptions.subscribe(fake.ctx, "c1", batch_id) == f"subscribed to batch {batch_id}"
    assert subscriptions.subscribe(fake.ctx, "c1", None) == "subscribed to all your batches"
    assert fake.ctx.connections.batch_listeners(batch_id) == ["c1"]
    assert fake.ctx.connections.user_listeners(alice.user_id) == ["c1"]
    subscriptions.open_connection(fake.ctx, "c2", "mallory")
    with pytest.raises(NotFound) as foreign:
        subscriptions.subscribe(fake.ctx, "c2", batch_id)
    assert foreign.value.title == "Batch job not found"
    subscriptions.close_connection(fake.ctx, "c1")
    assert fake.ctx.connections.batch_listeners(batch_id) == []
    with pytest.raises(ConnectionGone) as gone:
        subscriptions.subscribe(fake.ctx, "c1", None)
    assert gone.value.http_status == 410
