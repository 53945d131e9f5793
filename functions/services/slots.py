"""The one place a freed running slot is announced.

Called after a batch leaves `processing` (pause, cancel, complete, fail): a slot of the user's plan and
of the global cap may have opened, so the fair queue (`functions/domain/scheduling.py`) may admit the
next queued batch. The queue admission plugs in here (the integrator wires it); until then this only
logs. It must stay cheap and must not raise: callers have already committed their own change.
"""

from functions.observability import logger
from functions.services.context import Services


def slot_freed(ctx: Services, batch_id: str) -> None:
    """A running slot may have opened because `batch_id` stopped running."""
    logger.debug("Running slot may have opened", extra={"batch_id": batch_id})
