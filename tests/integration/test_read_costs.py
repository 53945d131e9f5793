"""What a read costs in DynamoDB calls: a batch's GET is one Query, a list page does not grow with the
number of batches the user owns."""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from functions.adapters import aws
from functions.domain.enums import Tier
from functions.domain.schemas import BatchJobCreate
from functions.services import batches
from functions.services.batches import Caller


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    calls: Counter[str] = Counter()
    events = aws.dynamodb().meta.client.meta.events
    reader = threading.get_ident()  # the local cloud's sweepers share the client: count only this thread

    def count(model: object, **_: object) -> None:
        if threading.get_ident() == reader:
            calls[getattr(model, "name", "?")] += 1

    events.register("before-call.dynamodb.*", count)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb.*", count)


def test_a_50_video_batch_is_read_in_one_query(ctx, user_id):
    caller = Caller(user_id=user_id, tier=Tier.PRO)
    created = batches.create_batch(ctx, caller, BatchJobCreate(name="fifty", video_count=50))
    with dynamodb_calls() as calls:
        detail = batches.get_batch_detail(ctx, caller, created.batch_job.id)
    assert calls == {"Query": 1}
    assert [v.position for v in detail.videos] == list(range(1, 51))
    assert {v.upload_status for v in detail.videos} == {"awaiting_upload"}


def test_the_first_page_costs_the_same_for_3_and_for_30_batches(ctx, user_id):
    caller = Caller(user_id=user_id, tier=Tier.PRO)
    costs = []
    for owned in (3, 30):
        while len(batches.list_batches(ctx, caller, None, 100, 0, "created_at").batch_jobs) < owned:
            batches.create_batch(ctx, caller, BatchJobCreate(name="b", video_count=1))
        with dynamodb_calls() as calls:
            page = batches.list_batches(ctx, caller, None, 2, 0, "created_at")
        assert len(page.batch_jobs) == 2 and page.total == owned and page.next_token
        costs.append(dict(calls))
    assert costs[0] == costs[1] == {"Query": 2}  # the page (Limit 3) and the COUNT
