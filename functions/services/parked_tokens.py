"""Task tokens parked at the gate while a batch waits (paused, or resumed into the queue)."""

from functions.domain.errors import TaskNotAwaited
from functions.observability import logger
from functions.services.context import Services


def release_parked(ctx: Services, batch_id: str) -> int:
    """Send every parked task token back: each waiting video goes back through the gate.

    A token is deleted only once sent (or once nobody awaits it): a send that fails for another
    reason keeps it parked, and the sweep sends it again, so no video waits out the batch timeout.
    """
    sent = 0
    for parked in ctx.task_tokens.parked(batch_id):
        try:
            ctx.workflow.send_success(parked.token, {"resumed": True})
            sent += 1
        except TaskNotAwaited:  # the execution ended (stopped or timed out)
            logger.warning("A parked task token was no longer awaited", extra={"batch_id": batch_id})
        except Exception:
            logger.exception(
                "Could not send a parked task token; kept for the sweep", extra={"batch_id": batch_id}
            )
            continue
        ctx.task_tokens.remove(parked)
    return sent
