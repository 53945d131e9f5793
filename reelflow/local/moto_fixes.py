"""Small corrections to moto where it differs from AWS in ways reelflow depends on."""

from typing import Any

from moto.core.responses import EmptyResult
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
    StateTaskServiceEcs,
)
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
from moto.stepfunctions.responses import StepFunctionResponse


def _send_task_failure(self: StepFunctionResponse) -> EmptyResult:
    # moto 5.2.5 drops `cause`; AWS passes it to the Catch (where error messages come from).
    task_token = self._get_param("taskToken")
    backend: Any = self.stepfunction_backend  # the interpreter's backend accepts `cause`
    backend.send_task_failure(task_token, error=self._get_param("error"), cause=self._get_param("cause"))
    return EmptyResult()


def _camel(value: Any) -> Any:
    """ASL passes ECS parameters in PascalCase (LaunchType); the ECS API's members are camelCase."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value


def _ecs_eval_service_task(self: StateTaskServiceEcs, **kwargs: Any) -> None:
    # moto 5.2.5 hands the PascalCase keys to botocore unchanged (which rejects them), then reads the
    # answer with keys it never normalised. Call RunTask with the ECS API's names and keep its answer.
    runtime = kwargs["resource_runtime_part"]
    client: Any = boto_client_for(
        region=runtime.region, service="ecs", state_credentials=kwargs["state_credentials"]
    )
    response = client.run_task(**_camel(kwargs["normalised_parameters"]))
    response.pop("ResponseMetadata", None)
    kwargs["env"].stack.append(response)


def install() -> None:
    StepFunctionResponse.send_task_failure = _send_task_failure  # type: ignore[method-assign]
    StateTaskServiceEcs._eval_service_task = _ecs_eval_service_task  # type: ignore[method-assign,assignment]
