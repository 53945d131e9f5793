"""Local mode's stand-in for the scheduled rule: a timer thread that runs the sweep handler."""

import time
import uuid
from datetime import UTC, datetime

import pytest

from functions.domain.enums import BatchStatus, Tier, VideoStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.transitions import BatchAction
from reelflow.local import sweeper

pytestmark = pytest.mark.usefixtures("local_cloud")


def test_the_timer_admits_a_batch_a_lost_call_left_queued(ctx, monkeypatch):
    monkeypatch.setenv(sweeper.INTERVAL_ENV, "0.1")
    now = datetime.now(UTC)
    batch = BatchJob(
        user_id=f"lost-{uuid.uuid4().hex[:8]}", tier=Tier.FREE, name="w", created_at=now, updated_at=now
    )
    member = BatchVideo(
        batch_job_id=batch.id,
        video_id=f"{batch.id}-v",
        position=1,
        status=VideoStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    ctx.batches.create(batch, [member])
    # queued, and the admission that should have followed never ran
    ctx.batches.transition(batch, BatchAction.ENQUEUE, now, set_fields={"queued_at": now})
    timer = sweeper.Sweeper(sweeper.interval_from_env()).start()
    try:
        deadline = time.monotonic() + 20
        while ctx.batches.get(batch.id).status is BatchStatus.QUEUED and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        timer.stop()
    assert timer.runs >= 1
    admitted = ctx.batches.get(batch.id)
    assert admitted.status is not BatchStatus.QUEUED and admitted.execution_count == 1
    assert admitted.execution_arn.endswith(f":{batch.id}")
