"""The service's global capacity: how much may run at once across every user, derived from the account.

The fair queue (scheduling.py) admits a batch only while the whole service has room for it: a running-batch
slot and as many videos in flight as the batch can run at once (its plan's Map concurrency, never more
than its videos). The numbers come from the deployment (CDK context `reelflow:capacity_*`, defaults
derived from the account's quotas below), are stored in the table (one config item) and are read by every
admission, so an operator changes them without a redeploy (`reelflow capacity --set …`).

Why each default (AWS quotas of a region, as documented on 2026-12-01):

- videos in flight: Lambda concurrency left for the media function (the account's concurrent executions
  minus what the API, control and progress functions keep), and never more than Transcribe's concurrent
  batch jobs, since every video in flight may be transcribing at the same moment;
- Transcribe jobs: the account's `Concurrent batch transcription jobs` quota (250);
- Fargate tasks: the account's Fargate On-Demand vCPU quota divided by one worker task's vCPUs;
- running batches: one per video in flight (each running batch keeps at least one video in flight);
- Lambda slots: the Lambda concurrency left for the media function, for the videos in flight and the
  parts of their split renders (or the groups of their transcriptions, on the Transcriber): each video
  in flight may hold `part_slots` of them while its pieces run (the share of the slots each admitted
  video gets), so admission by videos bounds the pieces too.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from functions.domain.quotas import TIER_LIMITS

# The most videos one batch runs at once (the pro plan's Map concurrency): a smaller cap would keep such a
# batch queued forever.
LARGEST_BATCH_VIDEOS = max(limits.videos_in_flight for limits in TIER_LIMITS.values())


class Capacity(BaseModel):
    """The global caps the admission checks, as stored in the table and shown by `reelflow capacity`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    running_batches: int = Field(ge=1, le=100_000, description="Batches processing at once, all users.")
    videos_in_flight: int = Field(ge=1, le=100_000, description="Videos processing at once, all users.")
    transcribe_jobs: int = Field(ge=1, le=100_000, description="Amazon Transcribe jobs running at once.")
    fargate_tasks: int = Field(ge=1, le=100_000, description="Fargate worker tasks running at once.")
    lambda_slots: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Media function invocations at once: the videos in flight and their render parts "
        "(None, as in items stored before this cap: no more than the videos, one part at a time).",
    )

    @model_validator(mode="after")
    def _every_plan_fits(self) -> Self:
        if self.admission_videos < LARGEST_BATCH_VIDEOS:
            raise ValueError(
                f"videos_in_flight and transcribe_jobs must be at least {LARGEST_BATCH_VIDEOS}, "
                "the videos one pro batch runs at once"
            )
        return self

    @property
    def admission_videos(self) -> int:
        """The videos-in-flight cap admission applies: every video in flight may be transcribing."""
        return min(self.videos_in_flight, self.transcribe_jobs)

    @property
    def part_slots(self) -> int:
        """Lambda slots one video in flight may hold while its parts render or its speech groups are
        heard (the Render parts and Transcribe parts Maps' concurrency at most; never both at once):
        the slots shared evenly by the most videos admission lets run at once, so every video running
        its pieces at the same moment still fits `lambda_slots`. Fewer slots than videos (say, a
        deployment raising only the videos) leave each video its own slot: one piece at a time."""
        return max(1, (self.lambda_slots or self.admission_videos) // self.admission_videos)


def parts_at_once(pieces: int, configured: int, capacity: Capacity) -> int:
    """How many pieces of one video's split render, or groups of its speech, run at once (the Render parts
    or Transcribe parts Map's concurrency): all of them, at most the configured `render_part_concurrency`
    and the video's share of the Lambda slots."""
    return max(1, min(pieces, configured, capacity.part_slots))


@dataclass(frozen=True)
class AccountQuotas:
    """The account quotas the defaults come from (a new account's documented defaults)."""

    lambda_concurrency: int = 1000  # Lambda concurrent executions per region
    lambda_kept_for_others: int = 100  # API, control, progress, ingest and sweep functions
    transcribe_jobs: int = 250  # Amazon Transcribe concurrent batch transcription jobs
    fargate_vcpus: int = 6  # Fargate On-Demand vCPU resource count of a new account
    worker_vcpus: float = 2.0  # one worker task (infra/config.py worker_cpu 2048)


NEW_ACCOUNT = AccountQuotas()
RAISED_ACCOUNT = AccountQuotas(
    lambda_concurrency=10_000, lambda_kept_for_others=500, transcribe_jobs=1000, fargate_vcpus=4000
)


def derived_capacity(quotas: AccountQuotas = NEW_ACCOUNT) -> Capacity:
    """The caps an account with these quotas supports."""
    lambda_left = max(quotas.lambda_concurrency - quotas.lambda_kept_for_others, 1)
    videos = max(min(lambda_left, quotas.transcribe_jobs), 1)
    return Capacity(
        running_batches=videos,
        videos_in_flight=videos,
        transcribe_jobs=quotas.transcribe_jobs,
        fargate_tasks=max(int(quotas.fargate_vcpus // quotas.worker_vcpus), 1),
        lambda_slots=max(lambda_left, videos),
    )


DEFAULT_CAPACITY = derived_capacity()


class CapacitySetting(BaseModel):
    """The stored config item: the caps in force and the deployment's caps they started from.

    When a deployment brings other caps than `deployed`, they replace the item (the new deployment wins);
    until then an operator's change (`capacity` differing from `deployed`) stays in force.
    """

    capacity: Capacity
    deployed: Capacity
    updated_at: datetime


def with_overrides(base: Capacity, overrides: dict[str, int | None]) -> Capacity:
    """`base` with every non-None override applied (validated: a bad value raises ValidationError)."""
    changes = {name: value for name, value in overrides.items() if value is not None}
    return Capacity.model_validate({**base.model_dump(), **changes})


def edited(setting: CapacitySetting, changes: dict[str, int | None], now: datetime) -> CapacitySetting:
    """An operator's change: new caps in force, the deployment's caps kept (so a redeploy with the same
    context leaves the change alone)."""
    capacity = with_overrides(setting.capacity, changes)
    return setting.model_copy(update={"capacity": capacity, "updated_at": now})
