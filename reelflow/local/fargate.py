"""Local stand-in for Fargate: when the state machine runs the worker task (ecs:runTask), moto records
the task and this runs the same worker entry point on a thread, with the overridden environment.

Installed on the first ECS call (`lazy_moto.py`), not at start: moto.ecs imports moto.ec2, which
costs seconds of every fresh `reelflow run` that sends no video to Fargate."""

import threading
from typing import Any

from functions.services.workspace import invocation_scratch
from reelflow.local import sandboxes
from reelflow.local.access_control import Identity, acting_as

_original_run_task: list[Any] = []
# Local mode's time scale: the worker's heartbeat interval follows the state machine's timers.
time_scale: list[float] = [1.0]
# The task role's credentials (None: the worker runs as the caller, local mode without enforcement).
task_role: list[Identity | None] = [None]


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

        for _ in tasks:
            threading.Thread(
                target=_run_as_task_role, args=(main, environment), daemon=True, name="reelflow-worker"
            ).start()
    return tasks


def _run_as_task_role(main: Any, environment: dict[str, str]) -> None:
    """The task's container: its role's credentials, and a scratch volume that dies with it."""
    with acting_as(task_role[0]), sandboxes.invocation("fargate-worker"), invocation_scratch():
        main(environment)


def install() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    if not _original_run_task:
        _original_run_task.append(EC2ContainerServiceBackend.run_task)
    EC2ContainerServiceBackend.run_task = _run_task  # type: ignore[method-assign]
