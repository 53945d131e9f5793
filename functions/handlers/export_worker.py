"""The export entry point of the worker container, for exports Lambda cannot finish in 15 minutes.

Started by the export state machine's "Export on Fargate" state (`ecs:runTask.waitForTaskToken`) with
REELFLOW_TASK_TOKEN, REELFLOW_BATCH_ID and REELFLOW_EXPORT_ID; beats a heartbeat while it works.

    python -m functions.handlers.export_worker
"""

import os
import sys
import threading
from collections.abc import Mapping

from aws_lambda_powertools import Logger

from functions.handlers.worker import HEARTBEAT_JOIN_SECONDS, HEARTBEAT_THREAD, heartbeat_seconds
from functions.services.context import services
from functions.services.export_runner import run_export

logger = Logger(service="reelflow-export-worker")
EXPORT_ID_VARIABLE = "REELFLOW_EXPORT_ID"


def run(environ: Mapping[str, str]) -> int:
    token = environ["REELFLOW_TASK_TOKEN"]
    batch_id, export_id = environ["REELFLOW_BATCH_ID"], environ[EXPORT_ID_VARIABLE]
    ctx = services()
    stop = threading.Event()
    every = heartbeat_seconds(environ)

    def beat() -> None:
        while not stop.wait(every):
            try:
                ctx.export_workflow.send_heartbeat(token)
            except Exception:  # the state may have moved on; the export reports real failures
                logger.exception("Heartbeat failed")

    beating = threading.Thread(target=beat, daemon=True, name=HEARTBEAT_THREAD)
    beating.start()
    try:
        record = run_export(ctx, batch_id, export_id)
    except Exception as error:
        logger.exception("Export failed", extra={"batch_id": batch_id, "export_id": export_id})
        ctx.export_workflow.send_failure(token, type(error).__name__, str(error))
        return 1
    finally:
        stop.set()
        beating.join(HEARTBEAT_JOIN_SECONDS)  # the heartbeat ends with the work, not after it
    ctx.export_workflow.send_success(token, {"route": "fargate", "file_size": record.file_size})
    return 0


if __name__ == "__main__":  # pragma: no cover - the container's command for exports
    sys.exit(run(os.environ))
