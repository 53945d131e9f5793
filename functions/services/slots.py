"""The one place a freed running slot is announced.

Called after a batch leaves `processing` (pause, cancel, complete, fail): a slot of the user's plan and
of the global cap may have opened, so the fair queue admits the next queued batches
(`admission.admit_waiting`). It must not raise: callers have already committed their own change, and
the scheduled sweep admits anything a failure here left waiting.
"""

from functions.observability import logger
from functions.services.admission import admit_waiting
from functions.services.context import Services


def slot_freed(ctx: Services, batch_id: str) -> None:
    """A running slot may have opened because `batch_id` stopped running: admit what now fits."""
    try:
        admitted = admit_waiting(ctx)
    except Exception:  # the sweep retries admission; the caller's own change must stand
        logger.exception("Admission after a freed slot failed", extra={"batch_id": batch_id})
        return
    if admitted:
        logger.info("Admitted queued batches", extra={"freed_by": batch_id, "admitted": admitted})
