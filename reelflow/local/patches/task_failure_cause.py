"""moto 5.2.5 drops the `cause` of SendTaskFailure; AWS passes it to the Catch (where the video's
error message comes from)."""

from typing import Any

from moto.core.responses import EmptyResult
from moto.stepfunctions.responses import StepFunctionResponse


def _send_task_failure(self: StepFunctionResponse) -> EmptyResult:
    # moto 5.2.5 drops `cause`; AWS passes it to the Catch (where error messages come from).
    task_token = self._get_param("taskToken")
    backend: Any = self.stepfunction_backend  # the interpreter's backend accepts `cause`
    backend.send_task_failure(task_token, error=self._get_param("error"), cause=self._get_param("cause"))
    return EmptyResult()


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    StepFunctionResponse.send_task_failure = _send_task_failure  # type: ignore[method-assign]
