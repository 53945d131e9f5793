"""Local stand-in for Fargate: when the state machine runs the worker task (ecs:runTask), moto records
the task and this runs the same worker entry point on a thread, with the overridden environment."""

import threading
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend

_original_run_task = EC2ContainerServiceBackend.run_task


def _environment(overrides: dict[str, Any] | None) -> dict[str, str]:
    containers = (overrides or {}).get("containerOverrides") or []
    variables = containers[0].get("environment", []) if containers else []
    return {item["name"]: item["value"] for item in variables}


def _run_task(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
    tasks = _original_run_task(self, *args, **kwargs)
    overrides = kwargs.get("overrides") if "overrides" in kwargs else (args[3] if len(args) > 3 else None)
    environment = _environment(overrides)
    if "REELFLOW_TASK_TOKEN" in environment:
        from functions.handlers.worker import main

        for _ in tasks:
            threading.Thread(target=main, args=(environment,), daemon=True, name="reelflow-worker").start()
    return tasks


def install() -> None:
    EC2ContainerServiceBackend.run_task = _run_task  # type: ignore[method-assign]
