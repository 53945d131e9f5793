"""moto 5.2.5 cannot start an execution on an alias ARN (it looks the ARN up as a state machine), nor on
a version ARN (its versions lack what a start needs). On AWS both run the version's definition (the
alias's version chosen by its routing weights), and the execution belongs to the state machine: the
state machine's execution ARN, its list of executions, its names' idempotency.

Here a start on an alias or a version starts the state machine itself with the version's definition and
role (swapped in under a lock for the moment moto snapshots them, then put back). What differs from AWS:
DescribeExecution does not report stateMachineVersionArn or stateMachineAliasArn."""

import random
import threading
from typing import Any

from moto.core.responses import ActionResult
from moto.stepfunctions.exceptions import ResourceNotFound
from moto.stepfunctions.responses import StepFunctionResponse

from functions.domain.state_machine_arns import unqualified

_snapshot = threading.Lock()


def routed_version(machine: Any, qualifier: str) -> str:
    """The version ARN a start on `machine:qualifier` runs: the version itself, or one of the alias's
    versions picked by weight."""
    if qualifier.isdigit():
        return f"{machine.arn}:{qualifier}"
    alias = machine.aliases.get(qualifier)
    if alias is None:
        raise ResourceNotFound(f"State Machine Alias Does Not Exist: '{machine.arn}:{qualifier}'")
    routes = alias.routing_configuration
    (chosen,) = random.choices(
        [str(r["stateMachineVersionArn"]) for r in routes], weights=[int(r["weight"]) for r in routes]
    )
    return chosen


def _start_execution(self: StepFunctionResponse) -> ActionResult:
    backend = self.stepfunction_backend
    machine_arn, qualifier = unqualified(self._get_param("stateMachineArn"))
    name, execution_input = self._get_param("name"), self._get_param("input", if_none="{}")
    machine = backend.describe_state_machine(machine_arn)
    if qualifier is None:
        execution = backend.start_execution(machine_arn, name, execution_input)
    else:
        version = backend.describe_state_machine(routed_version(machine, qualifier))
        with _snapshot:  # moto copies the machine's definition and role as the execution starts
            current = machine.definition, machine.roleArn
            machine.definition, machine.roleArn = version.definition, version.roleArn
            try:
                execution = backend.start_execution(machine_arn, name, execution_input)
            finally:
                machine.definition, machine.roleArn = current
    return ActionResult({"executionArn": execution.execution_arn, "startDate": execution.start_date})


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    StepFunctionResponse.start_execution = _start_execution  # type: ignore[method-assign]
