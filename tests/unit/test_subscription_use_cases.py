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


def test_opting_in_to_emails_without_a_topic_is_a_conflict_not_a_crash():
    from functions.services.notification_settings import NotificationsUnavailable, opt_in_email

    class Subscriber:
        def subscribe_email(self, email: str, user_id: str) -> str:
            return f"arn:sub:{user_id}:{email}"

    assert opt_in_email(Subscriber(), "u1", "a@b.io") == "arn:sub:u1:a@b.io"
    with pytest.raises(NotificationsUnavailable) as raised:
        opt_in_email(None, "u1", "a@b.io")
    assert raised.value.http_status == 409


class Numbers:
    def __init__(self, last: int) -> None:
        self.value = last

    def allocate(self, batch_id: str, event_id: str, count: int) -> int:
        raise AssertionError("catching up never allocates")

    def last(self, batch_id: str) -> int:
        return self.value


class Posted:
    def __init__(self, gone: set[str]) -> None:
        self.gone_ids = gone
        self.frames: list[tuple[str, bytes]] = []

    def post(self, connection_ids, data):
        self.frames += [(c, data) for c in connection_ids]

        class Result:
            gone = [c for c in connection_ids if c in self.gone_ids]

        return Result()


def test_a_batch_subscriber_catches_up_with_a_snapshot_and_a_gone_one_is_forgotten(fake, alice):
    batch_id = batches.create_batch(fake.ctx, alice, BatchJobCreate(name="b", video_count=2)).batch_job.id
    snapshot = subscriptions.batch_progress(fake.ctx, Numbers(7), batch_id, alice.user_id)
    assert snapshot.type == "batch_snapshot" and snapshot.sequence == 7 and len(snapshot.videos) == 2
    with pytest.raises(NotFound):
        subscriptions.batch_progress(fake.ctx, Numbers(7), batch_id, "mallory")

    for cid in ("c1", "c2"):
        subscriptions.open_connection(fake.ctx, cid, alice.user_id)
        subscriptions.subscribe(fake.ctx, cid, batch_id)
    sink = Posted(gone={"c2"})
    sent = subscriptions.catch_up_connection(fake.ctx, Numbers(3), sink, "c1", batch_id)
    assert sent.sequence == 3 and [c for c, _ in sink.frames] == ["c1"]
    assert b'"type":"batch_snapshot"' in sink.frames[0][1]
    subscriptions.catch_up_connection(fake.ctx, Numbers(3), sink, "c2", batch_id)
    assert fake.ctx.connections.get("c2") is None and fake.ctx.connections.batch_listeners(batch_id) == ["c1"]
