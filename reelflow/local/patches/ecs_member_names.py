"""The Step Functions ECS integration (RunTask.sync) as AWS runs it: moto 5.2.5 hands ASL's PascalCase
parameters to the ECS API unchanged and reads its camelCase answer as it is; here the names are
converted both ways, so production code reads the answer as Step Functions records it (PascalCase)."""

from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
    StateTaskServiceEcs,
)
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for


def _camel(value: Any) -> Any:
    """ASL passes ECS parameters in PascalCase (LaunchType); the ECS API's members are camelCase."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value


def _pascal(value: Any) -> Any:
    """The ECS API answers in camelCase (taskArn); Step Functions records an optimized integration's
    answer in PascalCase (TaskArn), and production code reads it that way only."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
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
    kwargs["env"].stack.append(_pascal(response))


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    StateTaskServiceEcs._eval_service_task = _ecs_eval_service_task  # type: ignore[method-assign,assignment]
