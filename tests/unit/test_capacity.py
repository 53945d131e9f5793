"""The global caps come from the deployment, live in the table, and change without a redeploy; admission
counts videos in flight."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from functions.domain.capacity import (
    NEW_ACCOUNT,
    RAISED_ACCOUNT,
    AccountQuotas,
    Capacity,
    derived_capacity,
)
from functions.domain.enums import BatchStatus, Tier
from functions.domain.scheduling import batch_videos
from functions.services import batches
from functions.services.admission import admit_waiting
from functions.services.batch_lifecycle import complete_batch
from functions.services.batches import Caller
from functions.services.capacity import change_capacity, current_capacity, deployed_capacity
from tests.fakes.container import FakeServices, fake_services
from tests.unit.test_batch_use_cases import create, mark_uploaded


def started(fake: FakeServices, user: str, tier: Tier, videos: int) -> str:
    caller = Caller(user, tier)
    created = create(fake, caller, count=videos, name=f"{user}-{videos}")
    for upload in created.uploads:
        mark_uploaded(fake, upload.video_id)
    fake.clock.advance(1)
    batches.start_batch(fake.ctx, caller, created.batch_job.id)
    fake.clock.advance(1)
    return created.batch_job.id


def status(fake: FakeServices, batch_id: str) -> BatchStatus:
    batch = fake.ctx.batches.get(batch_id)
    assert batch is not None
    return batch.status


def test_defaults_come_from_the_account_quotas():
    new = derived_capacity(NEW_ACCOUNT)
    # 1,000 Lambda executions less 100 kept for the other functions, bounded by Transcribe's 250 jobs.
    # The 900 are the media function's slots: 250 videos, each with a share of 3 for its render parts.
    assert new == Capacity(
        running_batches=250, videos_in_flight=250, transcribe_jobs=250, fargate_tasks=3, lambda_slots=900
    )
    assert new.part_slots == 3
    raised = derived_capacity(RAISED_ACCOUNT)
    assert raised.videos_in_flight == 1000 and raised.fargate_tasks == 2000
    assert (raised.lambda_slots, raised.part_slots) == (9500, 9)
    lambda_bound = derived_capacity(AccountQuotas(lambda_concurrency=200, lambda_kept_for_others=50))
    assert lambda_bound.videos_in_flight == 150


def test_every_admitted_video_rendering_its_parts_at_once_fits_the_lambda_slots():
    for slots in (250, 251, 499, 500, 900, 9500):
        caps = Capacity(
            running_batches=250,
            videos_in_flight=250,
            transcribe_jobs=250,
            fargate_tasks=3,
            lambda_slots=slots,
        )
        assert caps.part_slots >= 1
        assert caps.admission_videos * caps.part_slots <= slots
    # an item stored before the cap existed: one part at a time (no more than the videos' own slots)
    old = Capacity(running_batches=250, videos_in_flight=250, transcribe_jobs=250, fargate_tasks=3)
    assert old.part_slots == 1
    # fewer slots than the videos admitted at once (only the videos raised): one part at a time
    raised_videos = Capacity(
        running_batches=900, videos_in_flight=2000, transcribe_jobs=1000, fargate_tasks=3, lambda_slots=900
    )
    assert raised_videos.part_slots == 1


def test_the_deployment_seeds_the_stored_caps_and_a_new_deployment_replaces_them(tmp_path: Path):
    fake = fake_services(tmp_path, capacity_running_batches=7, capacity_videos_in_flight=40)
    assert fake.table.capacity is None
    first = current_capacity(fake.ctx)
    assert (first.running_batches, first.videos_in_flight, first.transcribe_jobs) == (7, 40, 250)
    assert fake.table.capacity is not None and fake.table.capacity.capacity == first
    change_capacity(fake.ctx, {"running_batches": 9})
    assert current_capacity(fake.ctx).running_batches == 9  # an operator's change stays in force
    fake.ctx.config = fake.ctx.config.model_copy(update={"capacity_running_batches": 12})
    assert deployed_capacity(fake.ctx.config).running_batches == 12
    assert current_capacity(fake.ctx).running_batches == 12  # until a deployment brings other caps


def test_caps_too_small_for_a_pro_batch_are_refused(fake):
    with pytest.raises(ValidationError, match="at least 5"):
        change_capacity(fake.ctx, {"videos_in_flight": 4})
    with pytest.raises(ValidationError):
        change_capacity(fake.ctx, {"running_batches": 0})


def test_a_raised_cap_admits_the_waiting_batches_without_a_redeploy(tmp_path: Path):
    fake = fake_services(tmp_path, capacity_running_batches=1)
    first = started(fake, "ana", Tier.FREE, 1)
    second = started(fake, "ben", Tier.FREE, 1)
    assert [status(fake, first), status(fake, second)] == [BatchStatus.PROCESSING, BatchStatus.QUEUED]
    assert admit_waiting(fake.ctx) == []

    change_capacity(fake.ctx, {"running_batches": 2})  # what `reelflow capacity --running-batches 2` does

    assert admit_waiting(fake.ctx) == [second]  # same process, same configuration: the item decides
    assert fake.table.global_running == 2


def test_admission_counts_videos_in_flight_not_only_batches(tmp_path: Path):
    fake = fake_services(tmp_path, capacity_videos_in_flight=8, capacity_running_batches=100)
    pro = started(fake, "cy", Tier.PRO, 12)  # runs 5 at once
    assert batch_videos(Tier.PRO, 12) == 5 and fake.table.global_videos == 5
    small = started(fake, "ana", Tier.FREE, 2)  # 1 at once
    creator = started(fake, "ben", Tier.CREATOR, 3)  # 3 at once: 5 + 1 + 3 > 8
    assert status(fake, small) is BatchStatus.PROCESSING
    assert status(fake, creator) is BatchStatus.QUEUED
    assert fake.table.global_videos == 6
    late_free = started(fake, "dee", Tier.FREE, 1)  # would fit, but waits behind the creator batch
    assert status(fake, late_free) is BatchStatus.QUEUED

    complete_batch(fake.ctx, pro)

    assert status(fake, creator) is BatchStatus.PROCESSING
    assert status(fake, late_free) is BatchStatus.PROCESSING
    assert fake.table.global_videos == 1 + 3 + 1
