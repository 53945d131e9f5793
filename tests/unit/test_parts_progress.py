"""The bar of a split render moves as its parts render, each in a task of its own: every finished part
counts once, the bar never moves back, writes are throttled per video across the parts (the last part
always lands), and only a processing video's bar moves."""

import threading

from functions.domain.enums import Stage, Tier, VideoStatus
from functions.domain.pipeline_contract import VideoRef
from functions.domain.schemas import BatchJobCreate
from functions.domain.stage_plan import StageSpan
from functions.media.parts import Part
from functions.services.batches import Caller, create_batch
from functions.services.context import Services
from functions.services.stages.parts_progress import PARTS_SHARE, PartsProgress
from tests.fakes.container import FakeServices, fake_services

ALICE = Caller("alice", Tier.CREATOR)

SPAN = StageSpan(Stage.EXPORTING, 20.0, 100.0)
PARTS = tuple(Part(i, ((i * 10.0, i * 10.0 + 10.0),), i * 10.0) for i in range(4))  # four of 10 s


def processing(fake: FakeServices) -> VideoRef:
    created = create_batch(fake.ctx, ALICE, BatchJobCreate(name="Talk", video_count=1))
    batch_id, (upload,) = created.batch_job.id, created.uploads
    member = fake.table.members[(batch_id, upload.video_id)]
    fake.table.members[(batch_id, upload.video_id)] = member.model_copy(
        update={"status": VideoStatus.PROCESSING, "progress_percentage": 20}
    )
    return VideoRef(batch_id=batch_id, video_id=upload.video_id, position=1)


def bar(ctx: Services, ref: VideoRef) -> int:
    member = ctx.batch_videos.get(ref.batch_id, ref.video_id)
    assert member is not None
    return member.progress_percentage


def percent(done: float) -> int:
    return SPAN.percent(PARTS_SHARE * done)


def test_each_finished_part_moves_the_bar_and_counts_once(tmp_path):
    fake = fake_services(tmp_path, progress_write_interval_seconds=0)
    ref = processing(fake)
    seen = []
    for index in (2, 0, 0, 3):  # part 0 recorded twice: a retried task
        PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0).finished(index)
        seen.append(bar(fake.ctx, ref))
    assert seen == [percent(0.25), percent(0.5), percent(0.5), percent(0.75)]
    PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0).finished(1)
    assert bar(fake.ctx, ref) == percent(1.0) < SPAN.percent(1.0)  # the stitch has the rest


def test_parts_finishing_together_lose_none_and_never_move_the_bar_back(tmp_path):
    fake = fake_services(tmp_path, progress_write_interval_seconds=0)
    ref = processing(fake)
    parts = tuple(Part(i, ((float(i), i + 1.0),), float(i)) for i in range(40))
    start = threading.Barrier(len(parts))
    written: list[int] = []
    raise_progress = fake.ctx.batch_videos.raise_progress

    def recorded(*args, **kwargs):
        landed = raise_progress(*args, **kwargs)
        if landed:
            written.append(args[3])
        return landed

    fake.ctx.batch_videos.raise_progress = recorded  # type: ignore[method-assign]

    def render(index: int) -> None:
        start.wait()
        PartsProgress(fake.ctx, ref, SPAN, parts, 1.0).finished(index)

    threads = [threading.Thread(target=render, args=(i,)) for i in range(len(parts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    member = fake.ctx.batch_videos.get(ref.batch_id, ref.video_id)
    assert member is not None and sorted(member.rendered_parts or []) == list(range(40))
    assert member.progress_percentage == percent(1.0)
    assert written == sorted(set(written))  # every write that landed was higher than the one before


def test_a_part_behind_the_others_does_not_pull_the_bar_back(tmp_path):
    fake = fake_services(tmp_path, progress_write_interval_seconds=0)
    ref = processing(fake)
    slow = PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0)  # started when no part was done
    for index in (1, 2, 3):
        PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0).finished(index)
    slow.rendering(0)(0.5)  # it knows of no finished part: 0.125 of the parts
    assert bar(fake.ctx, ref) == percent(0.75)
    late = PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0, done=(1, 2, 3))
    late.rendering(0)(0.5)  # within a part: its own fraction on top of the parts done when it started
    assert bar(fake.ctx, ref) == percent(0.875)


def test_writes_are_throttled_per_video_across_parts_but_the_last_part_lands(tmp_path):
    fake = fake_services(tmp_path, progress_write_interval_seconds=3)
    ref = processing(fake)
    PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0).finished(0)
    assert bar(fake.ctx, ref) == percent(0.25)
    PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0).finished(1)  # another task, within 3 s of that write
    assert bar(fake.ctx, ref) == percent(0.25)
    fake.clock.advance(3)
    PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0).finished(2)
    assert bar(fake.ctx, ref) == percent(0.75)  # parts 1 and 2: the set lost neither
    PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0).finished(3)
    assert bar(fake.ctx, ref) == percent(1.0)

    clock = [0.0]
    within = PartsProgress(fake.ctx, processing(fake), SPAN, PARTS, 1.0, monotonic=lambda: clock[0])
    report = within.rendering(0)
    writes = 0
    for step in range(1, 101):  # ffmpeg reports many times a second, 10 s of it
        clock[0] = step * 0.1
        fake.clock.advance(0.1)
        before = bar(fake.ctx, within.ref)
        report(step / 100)
        writes += bar(fake.ctx, within.ref) != before
    assert 3 <= writes <= 4  # one write per 3 s


def test_only_a_processing_videos_bar_moves(tmp_path):
    fake = fake_services(tmp_path, progress_write_interval_seconds=0)
    ref = processing(fake)
    member = fake.table.members[(ref.batch_id, ref.video_id)]
    fake.table.members[(ref.batch_id, ref.video_id)] = member.model_copy(
        update={"status": VideoStatus.CANCELLED}
    )
    progress = PartsProgress(fake.ctx, ref, SPAN, PARTS, 1.0)
    progress.finished(0)
    progress.rendering(1)(0.9)
    stored = fake.ctx.batch_videos.get(ref.batch_id, ref.video_id)
    assert stored is not None and stored.progress_percentage == 20 and stored.rendered_parts is None
