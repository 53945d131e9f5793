"""Two moto 5.2.5 stop bugs, corrected as AWS behaves:

- A stopped execution is reported as FAILED when the stop lands while a Map iteration runs (the
  iteration's abort surfaces as a `MapIterationAborted` error that overwrites the stopped state); AWS
  reports ABORTED. The recovery sweep tells the two apart, so a stopped execution ends ABORTED here too.
- StopExecution right after StartExecution raises AttributeError (a 500) while the execution's thread is
  still parsing the definition (its environment does not exist yet), and a stop that lands after the
  environment exists but before the program runs is silently lost; AWS stops it in both cases. A cancel
  racing an admission met exactly this. Here the stop waits (bounded) until the program runs, then
  stops it: the execution ends ABORTED.
"""

import datetime
import time
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

_STOPPED = "_reelflow_stopped"
_STARTING_BOUND_SECONDS = 60.0  # parsing a definition takes about a second, more on a busy machine
_installed: list[bool] = []


def _running_environment(worker: ExecutionWorker) -> Environment | None:
    """The worker's environment once its program has begun (or ended); None if it never got there."""
    deadline = time.monotonic() + _STARTING_BOUND_SECONDS
    while True:
        env = worker.env
        if env is not None and env.program_state() is not None:
            return env
        if time.monotonic() > deadline:
            return env
        time.sleep(0.01)


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    original_stop = Execution.stop
    original_reflect = BaseExecutionWorkerCommunication._reflect_execution_status

    def stop(self: Execution, stop_date: datetime.datetime, error: str | None, cause: str | None) -> None:
        setattr(self, _STOPPED, True)
        original_stop(self, stop_date, error, cause)

    def reflect(self: Any) -> None:
        original_reflect(self)  # type: ignore[no-untyped-call]
        if getattr(self.execution, _STOPPED, False):
            self.execution.exec_status = ExecutionStatus.ABORTED

    def worker_stop(
        self: ExecutionWorker, stop_date: datetime.datetime, error: str | None, cause: str | None
    ) -> None:
        env = _running_environment(self)
        if env is not None:
            env.set_stop(stop_date=stop_date, cause=cause, error=error)

    Execution.stop = stop  # type: ignore[method-assign]
    BaseExecutionWorkerCommunication._reflect_execution_status = reflect  # type: ignore[method-assign]
    ExecutionWorker.stop = worker_stop  # type: ignore[method-assign]
