"""The Fargate worker: every stage of one long video in a container, then the task token answered.

Started by the state machine's "Process on Fargate" state (`ecs:runTask.waitForTaskToken`) with
REELFLOW_TASK_TOKEN, REELFLOW_BATCH_ID and REELFLOW_VIDEO_ID in its environment. It beats a heartbeat
while it works, so Step Functions notices a container that died.

    python -m functions.handlers.worker
"""

import os
import sys
import threading
from collections.abc import Mapping

from aws_lambda_powertools import Logger

from functions.domain.enums import Stage
from functions.domain.pipeline_contract import VideoRef
from functions.domain.stage_plan import MEDIA_STAGES
from functions.services.context import Services, services
from functions.services.stages import STAGE_RUNNERS
from functions.services.transcription import transcribe_and_wait

logger = Logger(service="reelflow-worker")
HEARTBEAT_SECONDS = 60.0  # well inside the states' HeartbeatSeconds (900)
HEARTBEAT_VARIABLE = "REELFLOW_HEARTBEAT_SECONDS"  # local mode's time scale sets it
HEARTBEAT_THREAD = "reelflow-heartbeat"
HEARTBEAT_JOIN_SECONDS = 120.0  # a heartbeat in flight when the work ends: botocore's own timeouts bound it


def heartbeat_seconds(environ: Mapping[str, str]) -> float:
    return float(environ.get(HEARTBEAT_VARIABLE) or HEARTBEAT_SECONDS)


def _heartbeat(ctx: Services, token: str, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            ctx.workflow.send_heartbeat(token)
        except Exception:  # the state may have moved on; the main loop reports real failures
            logger.exception("Heartbeat failed")


def run(environ: Mapping[str, str]) -> int:
    token = environ["REELFLOW_TASK_TOKEN"]
    ref = VideoRef(batch_id=environ["REELFLOW_BATCH_ID"], video_id=environ["REELFLOW_VIDEO_ID"])
    ctx = services()
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat,
        args=(ctx, token, stop, heartbeat_seconds(environ)),
        daemon=True,
        name=HEARTBEAT_THREAD,
    )
    beat.start()
    try:
        for step in MEDIA_STAGES:  # the probe already ran: it chose this route
            logger.info("Stage starting", extra={"stage": step.name, **ref.model_dump()})
            if step.stage is Stage.TRANSCRIBING:  # here waiting is cheap: no task token to park
                transcribe_and_wait(ctx, ref)
            else:
                STAGE_RUNNERS[step.name](ctx, ref)
    except Exception as error:
        logger.exception("Worker failed")
        ctx.workflow.send_failure(token, type(error).__name__, str(error))
        return 1
    finally:
        stop.set()
        beat.join(HEARTBEAT_JOIN_SECONDS)  # the heartbeat ends with the work, not after it
    ctx.workflow.send_success(token, {"route": "fargate"})
    return 0


def main(environ: Mapping[str, str]) -> int:
    """The container's entry point: an export task (REELFLOW_EXPORT_ID set) or one long video."""
    if "REELFLOW_EXPORT_ID" in environ:
        from functions.handlers import export_worker

        return export_worker.run(environ)
    return run(environ)


if __name__ == "__main__":  # pragma: no cover - the container's entry point
    sys.exit(main(os.environ))
