"""Who may see what: another user's batch is indistinguishable from a missing one."""

from functions.domain.errors import NotFound
from functions.domain.models import BatchJob
from functions.services.context import Services

BATCH_NOT_FOUND = "Batch job not found"


def batch_not_found(batch_id: str) -> NotFound:
    return NotFound(f"No batch job with id '{batch_id}' exists for this user", title=BATCH_NOT_FOUND)


def require_batch(ctx: Services, batch_id: str, user_id: str | None = None) -> BatchJob:
    """The batch, or NotFound; with `user_id`, a batch of someone else is NotFound as well."""
    batch = ctx.batches.get(batch_id)
    if batch is None or (user_id is not None and batch.user_id != user_id):
        raise batch_not_found(batch_id)
    return batch
