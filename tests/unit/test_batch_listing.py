"""The listing orders on a plain list: what name, progress and the two directions mean."""

from datetime import timedelta

from functions.domain.batch_listing import order_batches
from functions.domain.models import BatchJob


def test_the_listing_orders_say_what_they_sort(now):
    user, batches = "u", []
    for i, (name, done) in enumerate([("beta", 1), ("Alpha", 3), ("alpha", 3), ("Gamma", 0)]):
        batches.append(
            BatchJob(
                user_id=user,
                name=name,
                total_videos=4,
                completed_videos=done,
                created_at=now + timedelta(minutes=i),
                updated_at=now,
            )
        )
    names = lambda ordered: [b.name for b in ordered]  # noqa: E731
    assert names(order_batches(batches, "name")) == [
        "alpha",
        "Alpha",
        "beta",
        "Gamma",
    ]  # newest first in a tie
    assert names(order_batches(batches, "name", "desc")) == ["Gamma", "beta", "Alpha", "alpha"]
    assert names(order_batches(batches, "progress")) == ["alpha", "Alpha", "beta", "Gamma"]
    assert names(order_batches(batches, "progress", "asc")) == ["Gamma", "beta", "Alpha", "alpha"]
    assert names(order_batches(batches, "created_at", "asc")) == ["beta", "Alpha", "alpha", "Gamma"]
    assert order_batches(batches, "created_at", "desc") == order_batches(batches, "created_at")
