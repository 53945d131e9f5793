"""An execution that fails, times out or is aborted outside reelflow leaves no batch "processing"."""

import pytest

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.transitions import BatchAction, VideoAction

pytestmark = pytest.mark.usefixtures("local_cloud")


def execution_event(name: str, status: str) -> dict:
    return {
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "detail": {"name": name, "status": status, "cause": None},
    }


def test_a_timed_out_execution_fails_its_batch_and_unfinished_videos(ctx, user_id, now):
    from functions.handlers.executions import handler
    from reelflow.local.invoker import LocalLambdaContext

    batch = BatchJob(user_id=user_id, name="stuck", created_at=now, updated_at=now, total_videos=2)
    videos = [
        BatchVideo(
            batch_job_id=batch.id,
            video_id=f"{batch.id}-v{i}",
            position=i,
            status=VideoStatus.PENDING,
            created_at=now,
            updated_at=now,
        )
        for i in (1, 2)
    ]
    ctx.batches.create(batch, videos)
    ctx.batches.transition(batch, BatchAction.START, now)
    ctx.batch_videos.transition(batch.id, videos[0].video_id, VideoAction.START, now)
    ctx.batch_videos.transition(
        batch.id, videos[0].video_id, VideoAction.COMPLETE, now, batch_add={"completed_videos": 1}
    )

    result = handler(execution_event(f"{batch.id}-run2", "TIMED_OUT"), LocalLambdaContext(function_name="x"))
    assert result == {"batch_id": batch.id, "status": "failed"}
    stored = ctx.batches.get(batch.id)
    assert stored.status is BatchStatus.FAILED and stored.failed_videos == 1 and stored.completed_videos == 1
    assert "TIMED_OUT" in stored.error_message
    statuses = {v.position: v.status for v in ctx.batch_videos.of_batch(batch.id)}
    assert statuses == {1: VideoStatus.COMPLETED, 2: VideoStatus.FAILED}
    # delivered again: nothing changes
    assert (
        handler(execution_event(batch.id, "TIMED_OUT"), LocalLambdaContext(function_name="x"))["status"]
        == "failed"
    )
    assert ctx.batches.get(batch.id).failed_videos == 1


def test_unknown_executions_are_ignored():
    from functions.handlers.executions import handler
    from reelflow.local.invoker import LocalLambdaContext

    result = handler(execution_event("not-a-batch", "FAILED"), LocalLambdaContext(function_name="x"))
    assert result == {"batch_id": "not-a-batch", "status": "unknown"}
