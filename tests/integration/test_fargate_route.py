"""A video too long for Lambda takes the Fargate branch: the same ASL runs the worker task
(ecs:runTask.waitForTaskToken), which runs every stage and answers the token."""

import pytest

from tests.helpers import batch_states, batch_tasks, start_batch, wait_for_batch

pytestmark = pytest.mark.usefixtures("local_cloud")


def test_a_video_over_the_lambda_budget_is_processed_by_the_worker(
    ctx, user_id, clips, local_cloud, monkeypatch
):
    monkeypatch.setattr(ctx.config, "lambda_max_media_seconds", 0.0)  # everything is "too long for Lambda"
    settings = {"export_quality": "720p", "captions": "sidecar", "cut_lists": True}
    batch_id, execution_arn, _ = start_batch(user_id, [clips[".mov"]], settings)
    batch = wait_for_batch(batch_id, user_id)
    video = batch["videos"][0]
    assert video["status"] == "completed", video["error_message"]
    result = video["processing_result"]
    assert result["probe"]["route"] == "fargate"
    assert set(result["timings"]) >= {"transcribing", "removing_silence", "detecting_highlights", "exporting"}
    assert result["exporting"]["video_codec"] == "h264"
    outputs = result["exporting"][
        "outputs"
    ]  # the worker runs the same export: the same files beside the video
    assert set(outputs) == {"captions_srt", "captions_vtt", "poster", "thumbnail", "edl", "fcpxml"}
    assert all(ctx.storage.head(local_cloud.media_bucket, key) for key in outputs.values())
    assert set(video["artifacts"]) >= set(outputs)

    sfn = local_cloud.client("stepfunctions")
    assert batch_states(sfn, execution_arn) == ["Prepare batch", "Process videos", "Complete batch"]
    assert len(batch_tasks(local_cloud, batch_id)) == 1  # one worker task, named after the batch
