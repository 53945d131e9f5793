"""moto 5.2.5 reports a stopped execution as FAILED when the stop lands while a Map iteration runs (the
iteration's abort surfaces as a `MapIterationAborted` error that overwrites the stopped state); AWS
reports ABORTED. The recovery sweep tells the two apart, so a stopped execution ends ABORTED here too."""

import datetime
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution

_STOPPED = "_reelflow_stopped"
_installed: list[bool] = []


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

    Execution.stop = stop  # type: ignore[method-assign]
    BaseExecutionWorkerCommunication._reflect_execution_status = reflect  # type: ignore[method-assign]
