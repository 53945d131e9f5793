"""Local stand-in for Fargate: when the state machine runs the worker task (ecs:runTask), moto records
the task and this runs the same worker entry point on a thread, with the overridden environment.

The thread is the task's container: what the worker returns (or raises) is the container's exit code,
and the task is then STOPPED in the embedded ECS ("Essential container in task exited"), as ECS reports
an ended task. A worker that raises (for example its late SendTaskSuccess refused because the state
timed out, as it would be on AWS) exits 1 with the error logged; nothing escapes the thread.

Installed on the first ECS call (`lazy_moto.py`), not at start: moto.ecs imports moto.ec2, which
costs seconds of every fresh `reelflow run` that sends no video to Fargate."""

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from functions.deployment import WORKER_EPHEMERAL_GIB, WORKER_MEMORY_MB
from functions.services.workspace import invocation_scratch
from reelflow.local import sandboxes
from reelflow.local.access_control import Identity, acting_as

if TYPE_CHECKING:
    from moto.ecs.models import Task

log = logging.getLogger(__name__)
WORKER_THREAD = "reelflow-worker"  # the name of every task's thread (tests wait for them by it)
_original_run_task: list[Any] = []
# Local mode's time scale: the worker's heartbeat interval follows the state machine's timers.
time_scale: list[float] = [1.0]
# The task role's credentials (None: the worker runs as the caller, local mode without enforcement).
task_role: list[Identity | None] = [None]
# The containers still running, by task ARN.
_running: dict[str, threading.Thread] = {}
_running_lock = threading.Lock()


def _environment(overrides: dict[str, Any] | None) -> dict[str, str]:
    containers = (overrides or {}).get("containerOverrides") or []
    variables = containers[0].get("environment", []) if containers else []
    return {item["name"]: item["value"] for item in variables}


def _run_task(self: Any, *args: Any, **kwargs: Any) -> Any:
    tasks = _original_run_task[0](self, *args, **kwargs)
    overrides = kwargs.get("overrides") if "overrides" in kwargs else (args[3] if len(args) > 3 else None)
    environment = _environment(overrides)
    if "REELFLOW_TASK_TOKEN" in environment:
        from functions.handlers.worker import HEARTBEAT_SECONDS, HEARTBEAT_VARIABLE, main

        if time_scale[0] != 1:
            environment[HEARTBEAT_VARIABLE] = str(HEARTBEAT_SECONDS * time_scale[0])

        for task in tasks:
            container = threading.Thread(
                target=_container, args=(task, main, environment), daemon=True, name=WORKER_THREAD
            )
            with _running_lock:
                _running[task.task_arn] = container
            container.start()
    return tasks


def _container(task: "Task", main: Any, environment: dict[str, str]) -> None:
    try:
        exit_code = _run_as_task_role(main, environment)
    except Exception:
        log.exception("the worker task %s exited with an error", task.task_arn)
        exit_code = 1
    finally:
        with _running_lock:
            _running.pop(task.task_arn, None)
    _stopped(task, exit_code)


def _run_as_task_role(main: Any, environment: dict[str, str]) -> int:
    """The task's container: its role's credentials, and a scratch volume that dies with it."""
    # the task definition's (provisioning.create_worker)
    storage, memory = WORKER_EPHEMERAL_GIB * 1024**3, WORKER_MEMORY_MB * 1024**2
    with (
        acting_as(task_role[0]),
        sandboxes.invocation("fargate-worker", storage, memory),
        invocation_scratch(),
    ):
        return int(main(environment) or 0)


def _stopped(task: "Task", exit_code: int) -> None:
    """The task as ECS shows it once its only (essential) container has exited."""
    for container in task.containers:
        container.exitCode = exit_code
        container.last_status = "STOPPED"
    if task.last_status != "STOPPED":  # a StopTask before keeps its reason
        task.stopped_reason = "Essential container in task exited"
    task.last_status = task.desired_status = "STOPPED"


def running_tasks() -> list[str]:
    with _running_lock:
        return list(_running)


def wait_for_tasks(timeout: float) -> list[str]:
    """Wait until every running task's container has exited, up to `timeout` seconds; returns the
    ARNs of the tasks still running then."""
    deadline = time.monotonic() + timeout
    with _running_lock:
        containers = list(_running.items())
    for _, container in containers:
        container.join(max(0.0, deadline - time.monotonic()))
    return running_tasks()


def install() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    if not _original_run_task:
        _original_run_task.append(EC2ContainerServiceBackend.run_task)
    EC2ContainerServiceBackend.run_task = _run_task  # type: ignore[method-assign]
