"""The service's global caps in force: the stored config item, seeded from the deployment.

Admission reads `current_capacity` on every run (one GetItem), so an operator's `change_capacity` takes
effect at the next admission, with no redeploy. A deployment whose caps differ from the ones the item was
seeded from replaces it (see `CapacitySetting`).
"""

from functions.config import RuntimeConfig
from functions.domain.capacity import DEFAULT_CAPACITY, Capacity, CapacitySetting, edited, with_overrides
from functions.services.context import Services


def deployed_capacity(config: RuntimeConfig) -> Capacity:
    """The deployment's caps: CDK context where set, the new-account defaults elsewhere."""
    return with_overrides(
        DEFAULT_CAPACITY,
        {
            "running_batches": config.capacity_running_batches,
            "videos_in_flight": config.capacity_videos_in_flight,
            "transcribe_jobs": config.capacity_transcribe_jobs,
            "fargate_tasks": config.capacity_fargate_tasks,
            "lambda_slots": config.capacity_lambda_slots,
        },
    )


def current_setting(ctx: Services) -> CapacitySetting:
    """The stored setting, written from the deployment on first read or when the deployment changed."""
    deployed = deployed_capacity(ctx.config)
    stored = ctx.capacity.get()
    if stored is not None and stored.deployed == deployed:
        return stored
    seeded = CapacitySetting(capacity=deployed, deployed=deployed, updated_at=ctx.clock())
    ctx.capacity.put(seeded)
    return seeded


def current_capacity(ctx: Services) -> Capacity:
    return current_setting(ctx).capacity


def capacity_in_force(ctx: Services) -> Capacity:
    """The caps in force without seeding the item (a reader other than admission: admission seeds it
    before any video runs)."""
    stored = ctx.capacity.get()
    return stored.capacity if stored is not None else deployed_capacity(ctx.config)


def change_capacity(ctx: Services, changes: dict[str, int | None]) -> CapacitySetting:
    """Set some caps (the others stay); in force from the next admission. Raises ValidationError."""
    changed = edited(current_setting(ctx), changes, ctx.clock())
    ctx.capacity.put(changed)
    return changed
