"""Local mode deploys each state machine with a published version and the `live` alias, as the CDK app
does; every start goes through the alias (the grants allow nothing else), and pointing the alias at an
earlier version rolls the definition back (docs/operations.md, "Rollback runbook")."""

import json
import time
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from functions import deployment
from functions.domain.state_machine_arns import execution_arn
from reelflow.local.cloud import REGION


def _as(cloud: Any, principal: str) -> Any:
    identity = cloud.identities[principal]
    session = boto3.Session(
        aws_access_key_id=identity.access_key,
        aws_secret_access_key=identity.secret_key,
        aws_session_token=identity.token,
        region_name=REGION,
    )
    return session.client("stepfunctions", endpoint_url=cloud.endpoint)


def _ended(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{arn} still running")


def test_functions_start_on_the_live_alias_of_each_state_machine(local_cloud: Any) -> None:
    env = local_cloud.runtime_env()
    sfn = local_cloud.client("stepfunctions")
    for variable, machine in (
        ("REELFLOW_STATE_MACHINE_ARN", local_cloud.state_machine_arn),
        ("REELFLOW_EXPORT_STATE_MACHINE_ARN", local_cloud.export_state_machine_arn),
    ):
        assert env[variable] == f"{machine}:{deployment.STATE_MACHINE_ALIAS}"
        alias = sfn.describe_state_machine_alias(stateMachineAliasArn=env[variable])
        (route,) = alias["routingConfiguration"]
        assert route["weight"] == 100 and route["stateMachineVersionArn"] == f"{machine}:1"


def test_a_role_may_start_on_the_alias_and_not_on_the_bare_arn_or_a_version(local_cloud: Any) -> None:
    api = _as(local_cloud, "Api")
    machine = local_cloud.state_machine_arn
    for refused_arn in (machine, f"{machine}:1"):
        with pytest.raises(ClientError) as refused:
            api.start_execution(stateMachineArn=refused_arn, name=f"x-{uuid.uuid4().hex[:8]}", input="{}")
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException", refused_arn
    name = f"alias-{uuid.uuid4().hex[:8]}"
    started = api.start_execution(
        stateMachineArn=f"{machine}:{deployment.STATE_MACHINE_ALIAS}",
        name=name,
        input=json.dumps({"batch_id": "missing"}),
    )
    # The state machine's execution ARN, found by the ARN the functions compute and in its list.
    assert started["executionArn"] == execution_arn(machine, name)
    sfn = local_cloud.client("stepfunctions")
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["stateMachineArn"] == machine
    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert started["executionArn"] in {e["executionArn"] for e in listed}
    # The same name and input again is the same execution, as on AWS.
    again = api.start_execution(
        stateMachineArn=f"{machine}:{deployment.STATE_MACHINE_ALIAS}",
        name=name,
        input=json.dumps({"batch_id": "missing"}),
    )
    assert again["executionArn"] == started["executionArn"]


def test_pointing_the_alias_at_an_earlier_version_rolls_the_definition_back(local_cloud: Any) -> None:
    sfn = local_cloud.client("stepfunctions")
    role = sfn.describe_state_machine(stateMachineArn=local_cloud.state_machine_arn)["roleArn"]

    def definition(result: str) -> str:
        say = {"Type": "Pass", "Result": {"version": result}, "End": True}
        return json.dumps({"StartAt": "Say", "States": {"Say": say}})

    created = sfn.create_state_machine(
        name=f"rollback-{uuid.uuid4().hex[:8]}", definition=definition("v1"), roleArn=role, publish=True
    )
    machine, first = created["stateMachineArn"], created["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": first, "weight": 100}]
    )["stateMachineAliasArn"]
    second = sfn.update_state_machine(stateMachineArn=machine, definition=definition("v2"), publish=True)[
        "stateMachineVersionArn"
    ]
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": second, "weight": 100}]
    )

    def run(name: str) -> str:
        arn = sfn.start_execution(stateMachineArn=alias, name=name, input="{}")["executionArn"]
        assert arn == execution_arn(machine, name)
        output: str = json.loads(_ended(sfn, arn)["output"])["version"]
        return output

    assert run("after-deploy") == "v2"
    # The runbook's rollback: the alias back on the earlier version; new executions run its definition.
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": first, "weight": 100}]
    )
    assert run("after-rollback") == "v1"
    assert sfn.describe_state_machine(stateMachineArn=machine)["definition"] == definition("v2")
    # Each version keeps its own definition (moto has no ListStateMachineVersions: docs/local-mode.md).
    for version, result in ((first, "v1"), (second, "v2")):
        described = sfn.describe_state_machine(stateMachineArn=version)
        assert described["definition"] == definition(result)
