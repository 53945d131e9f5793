"""Uploads over presigned URLs trigger ingestion; each event handled twice changes nothing."""

import pytest

from tests.helpers import api, files_payload, upload

pytestmark = pytest.mark.usefixtures("local_cloud")


def s3_event(bucket: str, key: str, size: int) -> dict:
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": size}},
            }
        ]
    }


def eventbridge_event(bucket: str, key: str, size: int) -> dict:
    return {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {
            "bucket": {"name": bucket},
            "object": {"key": key, "size": size},
            "reason": "CompleteMultipartUpload",
        },
    }


def ingest(event: dict) -> dict:
    from functions.handlers.ingest import handler
    from reelflow.local.invoker import LocalLambdaContext

    return handler(event, LocalLambdaContext(function_name="reelflow-ingest"))


def snapshot(ctx, batch_id, video_id):
    video = ctx.videos.get(video_id)
    slot = ctx.batch_videos.get(batch_id, video_id)
    return video.model_dump(), slot.model_dump()


def test_a_real_upload_is_probed_and_a_redelivery_changes_nothing(ctx, user_id, clips, local_cloud):
    clip = clips[".webm"]
    _, body = api("POST", "/api/batch-jobs", {"name": "x", "files": files_payload([clip])}, user=user_id)
    target, batch_id = body["uploads"][0], body["batch_job"]["id"]
    upload(target, clip)  # the S3 notification runs ingestion during this PUT
    video = ctx.videos.get(target["video_id"])
    assert video.status.value == "uploaded"
    assert (video.width, video.height, video.video_codec, video.audio_codec) == (320, 180, "vp9", "opus")
    assert video.duration == pytest.approx(2.0, abs=0.1)
    assert video.size == clip.stat().st_size
    slot = ctx.batch_videos.get(batch_id, target["video_id"])
    assert slot.status.value == "pending" and slot.duration == video.duration and slot.error_message is None

    before = snapshot(ctx, batch_id, target["video_id"])
    size = clip.stat().st_size
    assert ingest(s3_event(local_cloud.ingest_bucket, target["key"], size))["handled"] == {
        target["key"]: "already-probed"
    }
    assert ingest(eventbridge_event(local_cloud.ingest_bucket, target["key"], size))["handled"] == {
        target["key"]: "already-probed"
    }
    assert snapshot(ctx, batch_id, target["video_id"]) == before


def test_a_corrupt_upload_is_marked_invalid_visibly_before_start(ctx, user_id, clips, local_cloud):
    corrupt = clips["corrupt"]
    _, body = api("POST", "/api/batch-jobs", {"name": "x", "files": files_payload([corrupt])}, user=user_id)
    target, batch_id = body["uploads"][0], body["batch_job"]["id"]
    upload(target, corrupt)
    video = ctx.videos.get(target["video_id"])
    assert video.status.value == "invalid"
    assert video.error_message.startswith("corrupt.mp4: The file is not a decodable video")
    _, detail = api("GET", f"/api/batch-jobs/{batch_id}", user=user_id)
    row = detail["videos"][0]
    assert row["status"] == "pending" and row["upload_status"] == "invalid"
    assert "not a decodable video" in row["error_message"]

    before = snapshot(ctx, batch_id, target["video_id"])
    event = s3_event(local_cloud.ingest_bucket, target["key"], corrupt.stat().st_size)
    assert ingest(event)["handled"][target["key"]] == "already-probed"
    assert ingest(event)["handled"][target["key"]] == "already-probed"
    assert snapshot(ctx, batch_id, target["video_id"]) == before


def test_objects_that_match_no_video_are_ignored(local_cloud):
    result = ingest(s3_event(local_cloud.ingest_bucket, "uploads/nobody/nothing/x.mp4", 10))
    assert result["handled"] == {"uploads/nobody/nothing/x.mp4": "ignored"}
