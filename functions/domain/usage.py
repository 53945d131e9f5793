"""Usage per period (seed 5.5): videos and minutes processed and the success rate, from a user's batches.

A batch counts in the period it was created in (the index the usage Query reads is ordered by creation
time); its finished videos and processed minutes are its own counters, so the figures need no other read.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from functions.domain.enums import Tier
from functions.domain.models import BatchJob
from functions.domain.quotas import limits_for

Period = Literal["day", "week", "month"]
PERIODS_SHOWN: dict[Period, int] = {"day": 7, "week": 8, "month": 6}


class UsagePeriod(BaseModel):
    period: str = Field(description="Label of the period: 2026-11-24, 2026-W48 or 2026-11 (UTC).")
    start: datetime
    end: datetime = Field(description="Exclusive.")
    batches: int = Field(ge=0)
    videos_processed: int = Field(ge=0, description="Videos the pipeline finished, completed or failed.")
    videos_completed: int = Field(ge=0)
    videos_failed: int = Field(ge=0)
    minutes_processed: float = Field(ge=0, description="Duration of the completed videos, in minutes.")
    success_rate: float | None = Field(
        ge=0, le=1, description="Completed / processed videos; null when none finished in the period."
    )


class PlanAllowance(BaseModel):
    """The caller's plan limits and what is left of the hourly one (the usage page shows both)."""

    max_videos_per_batch: int = Field(ge=1)
    videos_in_flight: int = Field(ge=1, description="Videos of one batch processed at once.")
    running_batches: int = Field(ge=1, description="Batches of one user processing at once.")
    batch_creations_per_hour: int | None = Field(description="null: no hourly cap.")
    batches_created_last_hour: int = Field(ge=0)
    batch_creations_left: int | None = Field(ge=0, description="This hour; null when there is no cap.")


class UsageReport(BaseModel):
    tier: Tier
    period: Period
    periods: list[UsagePeriod] = Field(description="Newest first.")
    total: UsagePeriod
    plan: PlanAllowance


def plan_allowance(tier: Tier, now: datetime, batches: list[BatchJob]) -> PlanAllowance:
    limits = limits_for(tier)
    recent = sum(1 for b in batches if now - timedelta(hours=1) <= b.created_at <= now)
    cap = limits.batch_creations_per_hour
    return PlanAllowance(
        max_videos_per_batch=limits.max_videos_per_batch,
        videos_in_flight=limits.videos_in_flight,
        running_batches=limits.running_batches,
        batch_creations_per_hour=cap,
        batches_created_last_hour=recent,
        batch_creations_left=None if cap is None else max(0, cap - recent),
    )


@dataclass(frozen=True)
class Window:
    label: str
    start: datetime
    end: datetime


def _month_start(moment: datetime, months_back: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def windows(period: Period, now: datetime, count: int | None = None) -> list[Window]:
    """The last `count` periods up to and including the current one, newest first (UTC)."""
    shown = PERIODS_SHOWN[period] if count is None else count
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    found = []
    for back in range(shown):
        if period == "day":
            start = today - timedelta(days=back)
            found.append(Window(start.strftime("%Y-%m-%d"), start, start + timedelta(days=1)))
        elif period == "week":
            start = today - timedelta(days=today.weekday() + 7 * back)
            year, week, _ = start.isocalendar()
            found.append(Window(f"{year}-W{week:02d}", start, start + timedelta(days=7)))
        else:
            start = _month_start(today, back)
            found.append(Window(start.strftime("%Y-%m"), start, _month_start(today, back - 1)))
    return found


def _summary(label: str, start: datetime, end: datetime, batches: list[BatchJob]) -> UsagePeriod:
    completed = sum(b.completed_videos for b in batches)
    failed = sum(b.failed_videos for b in batches)
    processed = completed + failed
    return UsagePeriod(
        period=label,
        start=start,
        end=end,
        batches=len(batches),
        videos_processed=processed,
        videos_completed=completed,
        videos_failed=failed,
        minutes_processed=round(sum(b.processed_duration_seconds for b in batches) / 60, 2),
        success_rate=round(completed / processed, 4) if processed else None,
    )


def usage_report(tier: Tier, period: Period, now: datetime, batches: Iterable[BatchJob]) -> UsageReport:
    shown = windows(period, now)
    oldest, newest = shown[-1].start, shown[0].end
    inside = [b for b in batches if oldest <= b.created_at < newest]  # the last hour is always inside
    rows = [
        _summary(w.label, w.start, w.end, [b for b in inside if w.start <= b.created_at < w.end])
        for w in shown
    ]
    return UsageReport(
        tier=tier,
        period=period,
        periods=rows,
        total=_summary("total", oldest, newest, inside),
        plan=plan_allowance(tier, now, inside),
    )
