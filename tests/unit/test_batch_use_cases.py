"""The batch endpoints' use cases on in-memory fakes: create, list, read, add videos, start."""

import pytest

from functions.domain.enums import BatchStatus, Tier, UploadStatus, VideoStatus
from functions.domain.errors import Conflict, InvalidRequest, NotFound, QuotaExceeded, RateLimited
from functions.domain.schemas import BatchJobCreate
from functions.services import batches
from functions.services.batches import Caller
from functions.services.ingestion import release_batches
from tests.fakes.container import FakeServices


def create(fake: FakeServices, caller: Caller, count: int = 2, **fields):
    sizing = {} if "files" in fields else {"video_count": count}
    request = BatchJobCreate.model_validate({"name": "b", **sizing, **fields})
    return batches.create_batch(fake.ctx, caller, request)


def mark_uploaded(fake: FakeServices, video_id: str, duration: float = 2.0) -> None:
    fields = {"status": UploadStatus.UPLOADED.value, "duration": duration}
    video, bucket = fake.ctx.videos.get(video_id), fake.ctx.config.ingest_bucket
    fake.storage.put_bytes(bucket, video.s3_key, b"the probed object")  # what S3 holds, by its ETag
    etag = fake.storage.head(bucket, video.s3_key)["ETag"]
    assert fake.ctx.videos.record_probe(video_id, etag, fields, fake.clock()) is not None
    release_batches(fake.ctx, video_id)


def test_create_writes_batch_videos_and_signed_upload_targets(fake, alice):
    created = create(fake, alice, files=[{"name": "a.mp4", "size": 10}, {"name": "b.mov", "size": 20}])
    batch = fake.ctx.batches.get(created.batch_job.id)
    assert batch is not None and batch.total_videos == 2 and batch.status is BatchStatus.PENDING
    members = fake.ctx.batch_videos.of_batch(batch.id)
    assert [m.position for m in members] == [1, 2]
    assert [m.status for m in members] == [VideoStatus.UPLOADING] * 2
    assert [u.headers["Content-Length"] for u in created.uploads] == ["10", "20"]
    assert created.upload_urls == [u.url for u in created.uploads]
    video = fake.ctx.videos.get(created.uploads[0].video_id)
    assert video.s3_key == created.uploads[0].key and video.s3_key.endswith("a.mp4")


def test_the_plan_limits_videos_per_batch(fake):
    with pytest.raises(QuotaExceeded):
        create(fake, Caller("f", Tier.FREE), count=4)


def test_the_free_plan_creates_five_batches_an_hour_counted_exactly(fake):
    free = Caller("f", Tier.FREE)
    for _ in range(5):
        create(fake, free, count=1)
    with pytest.raises(RateLimited):
        create(fake, free, count=1)
    assert len(fake.ctx.batches.list_for_user("f")) == 5
    fake.clock.advance(3600)  # next hour, new window
    create(fake, free, count=1)
    assert len(fake.ctx.batches.list_for_user("f")) == 6


def test_list_filters_sorts_and_pages(fake, alice):
    ids = []
    for priority in (3, 9, 5):
        ids.append(create(fake, alice, count=1, priority=priority).batch_job.id)
        fake.clock.advance(1)
    newest_first = batches.list_batches(fake.ctx, alice, None, 10, 0, "created_at")
    assert [b.id for b in newest_first.batch_jobs] == list(reversed(ids)) and newest_first.total == 3
    by_priority = batches.list_batches(fake.ctx, alice, None, 2, 0, "priority")
    assert [b.priority for b in by_priority.batch_jobs] == [9, 5]
    assert batches.list_batches(fake.ctx, alice, None, 2, 2, "priority").batch_jobs[0].priority == 3
    assert batches.list_batches(fake.ctx, alice, BatchStatus.PROCESSING, 10, 0, "status").total == 0
    assert batches.list_batches(fake.ctx, Caller("bob", Tier.PRO), None, 10, 0, "created_at").total == 0


def test_another_users_batch_is_a_missing_one(fake, alice):
    batch_id = create(fake, alice).batch_job.id
    bob = Caller("bob", Tier.PRO)
    for call in (
        lambda: batches.get_batch_detail(fake.ctx, bob, batch_id),
        lambda: batches.start_batch(fake.ctx, bob, batch_id),
        lambda: batches.add_videos(fake.ctx, bob, batch_id, ["x"]),
    ):
        with pytest.raises(NotFound) as missing:
            call()
        assert missing.value.title == "Batch job not found"


def test_detail_shows_upload_status_until_uploaded(fake, alice):
    created = create(fake, alice)
    detail = batches.get_batch_detail(fake.ctx, alice, created.batch_job.id)
    assert [v.upload_status for v in detail.videos] == [UploadStatus.AWAITING_UPLOAD] * 2
    mark_uploaded(fake, created.uploads[0].video_id)
    detail = batches.get_batch_detail(fake.ctx, alice, created.batch_job.id)
    assert detail.videos[0].status is VideoStatus.PENDING and detail.videos[0].duration == 2.0


def test_add_videos_checks_ownership_uploads_and_duplicates(fake, alice):
    source = create(fake, alice)
    target = create(fake, alice, count=1).batch_job.id
    uploaded, waiting = (u.video_id for u in source.uploads)
    mark_uploaded(fake, uploaded, duration=3.0)
    with pytest.raises(Conflict, match="not been uploaded"):
        batches.add_videos(fake.ctx, alice, target, [waiting])
    with pytest.raises(InvalidRequest, match="more than once"):
        batches.add_videos(fake.ctx, alice, target, [uploaded, uploaded])
    with pytest.raises(InvalidRequest, match="not found"):
        batches.add_videos(
            fake.ctx,
            Caller("bob", Tier.CREATOR),
            create(fake, Caller("bob", Tier.CREATOR)).batch_job.id,
            [uploaded],
        )
    detail = batches.add_videos(fake.ctx, alice, target, [uploaded])
    assert detail.total_videos == 2 and detail.videos[-1].position == 2
    # A pending batch's total duration is computed when it starts (a probe changes members' durations).
    assert fake.ctx.batches.get(target).total_duration_seconds == 0.0
    assert detail.videos[-1].duration == 3.0
    with pytest.raises(Conflict, match="already in this batch"):
        batches.add_videos(fake.ctx, alice, target, [uploaded])


def test_start_needs_every_upload_then_starts_one_execution(fake, alice):
    created = create(fake, alice)
    batch_id = created.batch_job.id
    with pytest.raises(InvalidRequest) as waiting:
        batches.start_batch(fake.ctx, alice, batch_id)
    assert waiting.value.title == "All videos must be uploaded before starting"
    for upload in created.uploads:
        mark_uploaded(fake, upload.video_id)
    started = batches.start_batch(fake.ctx, alice, batch_id)
    assert started.batch_job.status is BatchStatus.PROCESSING
    assert fake.workflow.executions == {batch_id: {"batch_id": batch_id}}
    assert started.job_id == fake.workflow.execution_arn(batch_id)
    stored = fake.ctx.batches.get(batch_id)
    assert (
        stored.execution_count == 1 and stored.total_duration_seconds == 4.0 and stored.started_at is not None
    )
    with pytest.raises(InvalidRequest) as again:
        batches.start_batch(fake.ctx, alice, batch_id)
    assert again.value.title == "Batch is already processing"
    assert len(fake.workflow.executions) == 1


def test_an_empty_batch_cannot_start(fake, alice):
    batch_id = create(fake, alice).batch_job.id
    fake.table.members.clear()
    with pytest.raises(InvalidRequest, match="no videos"):
        batches.start_batch(fake.ctx, alice, batch_id)


def test_a_workflow_that_cannot_start_fails_the_batch(fake, alice):
    created = create(fake, alice, count=1)
    mark_uploaded(fake, created.uploads[0].video_id)
    fake.workflow.fail_next_start = RuntimeError("throttled")
    answered = batches.start_batch(fake.ctx, alice, created.batch_job.id)
    assert answered.batch_job.status is BatchStatus.FAILED
    failed = fake.ctx.batches.get(created.batch_job.id)
    assert failed.status is BatchStatus.FAILED and "throttled" in failed.error_message
    assert fake.ctx.batches.slot_counts([alice.user_id]).running_by_user == {alice.user_id: 0}


def test_the_upload_status_is_read_from_the_slot_or_for_older_slots_from_the_video(fake, alice):
    created = create(fake, alice, count=2)
    first, second = (u.video_id for u in created.uploads)
    mark_uploaded(fake, first)
    batch_id = created.batch_job.id
    detail = batches.get_batch_detail(fake.ctx, alice, batch_id)
    assert [(v.status, v.upload_status) for v in detail.videos] == [
        (VideoStatus.PENDING, UploadStatus.UPLOADED),
        (VideoStatus.UPLOADING, UploadStatus.AWAITING_UPLOAD),
    ]
    older = fake.ctx.batch_videos.get(batch_id, second).model_copy(update={"upload_status": None})
    fake.table.members[(batch_id, second)] = older  # a slot written before slots kept it
    fake.ctx.videos.record_probe(second, "etag-2", {"status": UploadStatus.INVALID.value}, fake.clock())
    detail = batches.get_batch_detail(fake.ctx, alice, batch_id)
    assert detail.videos[1].upload_status is UploadStatus.INVALID


def test_list_pages_follow_next_token_and_a_foreign_token_is_refused(fake, alice):
    ids = []
    for _ in range(5):
        ids.append(create(fake, alice, count=1).batch_job.id)
        fake.clock.advance(60)
    first = batches.list_batches(fake.ctx, alice, None, 2, 0, "created_at")
    second = batches.list_batches(fake.ctx, alice, None, 2, 0, "created_at", first.next_token)
    last = batches.list_batches(fake.ctx, alice, None, 2, 0, "created_at", second.next_token)
    pages = [first, second, last]
    assert [b.id for p in pages for b in p.batch_jobs] == ids[::-1]
    assert last.next_token is None and {p.total for p in pages} == {5}
    with pytest.raises(InvalidRequest, match="next_token"):
        batches.list_batches(fake.ctx, alice, None, 2, 0, "priority", first.next_token)
