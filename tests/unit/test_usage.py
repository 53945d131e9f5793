"""Usage per period (seed 5.5): period windows, the figures of each period, and the use case on fakes."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from functions.domain.enums import Tier
from functions.domain.models import BatchJob
from functions.domain.usage import usage_report, windows
from functions.services.batches import Caller
from functions.services.usage import get_usage

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # a Tuesday, ISO week 48


def batch(user: str, created: datetime, completed: int = 0, failed: int = 0, seconds: float = 0.0):
    return BatchJob(
        user_id=user,
        name="b",
        created_at=created,
        updated_at=created,
        total_videos=completed + failed,
        completed_videos=completed,
        failed_videos=failed,
        processed_duration_seconds=seconds,
    )


def test_windows_are_newest_first_contiguous_and_labelled_in_utc():
    days = windows("day", NOW)
    assert [w.label for w in days[:2]] == ["2026-11-24", "2026-11-23"] and len(days) == 7
    weeks = windows("week", NOW)
    assert weeks[0].label == "2026-W48" and weeks[0].start == datetime(2026, 11, 23, tzinfo=UTC)
    assert weeks[0].end - weeks[0].start == timedelta(days=7) and len(weeks) == 8
    months = windows("month", datetime(2026, 2, 10, tzinfo=UTC))
    assert [w.label for w in months] == ["2026-02", "2026-01", "2025-12", "2025-11", "2025-10", "2025-09"]
    assert months[1].end == months[0].start == datetime(2026, 2, 1, tzinfo=UTC)
    for shown in (days, weeks, months):
        assert all(newer.start == older.end for newer, older in pairwise(shown))


def test_each_period_sums_its_batches_and_the_rate_is_completed_over_finished():
    batches = [
        batch("a", NOW - timedelta(hours=1), completed=3, failed=1, seconds=120),
        batch("a", NOW - timedelta(hours=2), completed=1, seconds=60),
        batch("a", NOW - timedelta(days=1), failed=2),
        batch("a", NOW - timedelta(days=3)),  # nothing finished yet
        batch("a", NOW - timedelta(days=30), completed=9),  # outside the 7 days shown
    ]
    report = usage_report(Tier.PRO, "day", NOW, batches)
    today, yesterday, _, three_days_ago = report.periods[:4]
    assert (today.batches, today.videos_processed, today.minutes_processed) == (2, 5, 3.0)
    assert today.success_rate == 0.8
    assert (yesterday.videos_failed, yesterday.success_rate) == (2, 0.0)
    assert (three_days_ago.batches, three_days_ago.success_rate) == (1, None)
    total = report.total
    assert (total.batches, total.videos_completed, total.videos_processed) == (4, 4, 7)


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_the_use_case_reads_only_the_callers_batches_of_the_window(fake, alice, period):
    fake.clock.now = NOW
    for created, user in [(NOW, "alice"), (NOW, "bob"), (NOW - timedelta(days=400), "alice")]:
        fake.ctx.batches.create(batch(user, created, completed=2, seconds=90), [])
    report = get_usage(fake.ctx, alice, period)
    assert report.tier is Tier.CREATOR and report.period == period
    assert report.total.batches == 1 and report.periods[0].videos_completed == 2
    assert report.periods[0].minutes_processed == 1.5 and report.periods[0].success_rate == 1.0


def test_nothing_yet_is_zero_not_an_error(fake):
    report = get_usage(fake.ctx, Caller("new", Tier.FREE), "month")
    assert len(report.periods) == 6
    assert report.total.videos_processed == 0 and report.total.success_rate is None


@pytest.mark.parametrize(
    ("tier", "created", "left"),
    [(Tier.FREE, [10, 30, 59, 61, 600], 2), (Tier.FREE, [1, 2, 3, 4, 5, 6], 0), (Tier.CREATOR, [1, 2], None)],
)
def test_the_report_carries_the_plan_and_what_is_left_of_its_hourly_cap(tier, created, left):
    batches = [batch("a", NOW - timedelta(minutes=m)) for m in created]
    plan = usage_report(tier, "week", NOW, batches).plan
    assert plan.batch_creations_left == left
    assert plan.batches_created_last_hour == sum(1 for m in created if m <= 60)
    assert (plan.max_videos_per_batch, plan.running_batches) == (
        {Tier.FREE: 3, Tier.CREATOR: 20}[tier],
        {Tier.FREE: 1, Tier.CREATOR: 2}[tier],
    )
