"""What each plan allows. Numbers live here so the API, the scheduler and the docs agree."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from functions.domain.enums import Tier

if TYPE_CHECKING:
    from functions.domain.models import BatchJob


@dataclass(frozen=True)
class TierLimits:
    max_videos_per_batch: int
    batch_creations_per_hour: int | None  # None: no hourly cap
    videos_in_flight: int  # Map concurrency of one batch
    running_batches: int  # batches of one user processing at once
    priority_bonus: int  # added to BatchJob.priority when ordering the queue


TIER_LIMITS: dict[Tier, TierLimits] = {
    Tier.FREE: TierLimits(3, 5, 1, 1, 0),
    Tier.CREATOR: TierLimits(20, None, 3, 2, 1),
    Tier.PRO: TierLimits(50, None, 5, 3, 2),
}


def limits_for(tier: Tier) -> TierLimits:
    return TIER_LIMITS[tier]


def effective_priority(batch: "BatchJob") -> int:
    """The batch's own priority plus its plan's bonus: what orders the queue."""
    return batch.priority + limits_for(batch.tier).priority_bonus
