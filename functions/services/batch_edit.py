"""Edit a batch's name and description while it is pending (seed: "editable if pending").

The rule (only `pending`) is checked on the read for a clear message and held by the store's write,
conditional on `status = pending`: a start or cancel that lands between the two makes the edit a 409,
never a half-applied change or a renamed running batch.
"""

from functions.domain.enums import BatchStatus
from functions.domain.errors import Conflict
from functions.domain.schemas import BatchJobDetail, BatchJobEdit
from functions.observability import tracer
from functions.services.access import require_batch
from functions.services.batches import Caller, get_batch_detail
from functions.services.context import Services

NOT_EDITABLE = "Batch can no longer be edited"


def not_editable(status: BatchStatus) -> Conflict:
    return Conflict(
        f"The name and description can only be edited before the batch starts; it is '{status.value}'",
        title=NOT_EDITABLE,
    )


@tracer.capture_method
def edit_batch(ctx: Services, caller: Caller, batch_id: str, edit: BatchJobEdit) -> BatchJobDetail:
    """The batch with its new name and/or description; NotFound for someone else's batch."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    if batch.status is not BatchStatus.PENDING:
        raise not_editable(batch.status)
    if ctx.batches.update_pending(batch_id, ctx.clock(), edit.changes()) is None:
        raise not_editable(require_batch(ctx, batch_id, caller.user_id).status)
    return get_batch_detail(ctx, caller, batch_id)
