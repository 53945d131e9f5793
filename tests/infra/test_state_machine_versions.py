"""Each state machine publishes a version when a deploy changes it and keeps the earlier ones; its `live`
alias routes every execution to the newest, and every start in the app goes through that alias, so a
definition rolls back by pointing the alias at an earlier version (docs/operations.md)."""

import json

import pytest

from functions import deployment
from tests.infra.test_stack import of_type, statements

pytestmark = pytest.mark.infra

MACHINES = {"PipelineBatchStateMachine": "-batch", "ExportsExportStateMachine": "-export"}
START_VARIABLES = {"REELFLOW_STATE_MACHINE_ARN": "-batch", "REELFLOW_EXPORT_STATE_MACHINE_ARN": "-export"}


def _machine_id(resources, prefix: str) -> str:
    (name,) = [n for n in of_type(resources, "AWS::StepFunctions::StateMachine") if n.startswith(prefix)]
    return name


@pytest.mark.parametrize("prefix", MACHINES)
def test_a_version_is_published_per_revision_and_kept_when_replaced(synthesized, prefix):
    resources = synthesized["json"]["Resources"]
    machine = _machine_id(resources, prefix)
    (version,) = [
        v
        for v in of_type(resources, "AWS::StepFunctions::StateMachineVersion").values()
        if v["Properties"]["StateMachineArn"] == {"Ref": machine}
    ]
    # A new revision (definition, role, logging) replaces the resource: that publishes a new version.
    assert version["Properties"]["StateMachineRevisionId"] == {
        "Fn::GetAtt": [machine, "StateMachineRevisionId"]
    }
    assert version["Properties"]["Description"]
    # The replaced version stays published: the alias can be pointed back at it.
    assert version["UpdateReplacePolicy"] == "Retain" and version["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("prefix", MACHINES)
def test_the_live_alias_routes_every_execution_to_the_published_version(synthesized, prefix):
    resources = synthesized["json"]["Resources"]
    machine = _machine_id(resources, prefix)
    versions = [
        {"Fn::GetAtt": [name, "Arn"]}
        for name, v in of_type(resources, "AWS::StepFunctions::StateMachineVersion").items()
        if v["Properties"]["StateMachineArn"] == {"Ref": machine}
    ]
    aliases = [
        a["Properties"]
        for a in of_type(resources, "AWS::StepFunctions::StateMachineAlias").values()
        if a["Properties"]["RoutingConfiguration"][0]["StateMachineVersionArn"] in versions
    ]
    assert len(aliases) == 1
    (alias,) = aliases
    assert alias["Name"] == deployment.STATE_MACHINE_ALIAS == "live"
    assert len(alias["RoutingConfiguration"]) == 1 and alias["RoutingConfiguration"][0]["Weight"] == 100


def test_every_function_and_the_worker_start_executions_on_the_live_alias(resources):
    configured = [
        (name, variables)
        for name, function in of_type(resources, "AWS::Lambda::Function").items()
        if (variables := function["Properties"].get("Environment", {}).get("Variables"))
    ]
    for definition in of_type(resources, "AWS::ECS::TaskDefinition").values():
        for container in definition["Properties"]["ContainerDefinitions"]:
            configured.append(("worker", {e["Name"]: e["Value"] for e in container.get("Environment", [])}))
    seen = 0
    for name, variables in configured:
        for variable, suffix in START_VARIABLES.items():
            if variable not in variables:
                continue
            seen += 1
            arn = json.dumps(variables[variable])
            assert f":stateMachine:{deployment.STATE_MACHINE_ALIAS}" not in arn, (name, arn)
            assert f"{suffix}:{deployment.STATE_MACHINE_ALIAS}" in arn, (name, variable, arn)
    assert seen > len(deployment.FUNCTIONS)  # every function and the worker share the environment


def test_every_start_execution_grant_of_a_function_allows_the_live_alias_only(resources):
    """Step Functions authorizes a start on an alias against the state machine's own ARN, with the alias
    in `states:StateMachineQualifier`: the condition refuses a start on the bare ARN or on a version.
    (The batch state machine's own role starts its Distributed Map's child executions: not a start.)"""
    starts = [
        (name, s)
        for name, s in statements(resources)
        if "states:StartExecution" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        and name.startswith("Functions")
    ]
    assert len(starts) >= 7  # the API (batches, exports), Ingest, Control, Executions, Sweep, DropSweep
    for name, statement in starts:
        assert statement["Action"] == "states:StartExecution", name  # no other action under the condition
        assert statement["Condition"] == {
            "StringEquals": {"states:StateMachineQualifier": deployment.STATE_MACHINE_ALIAS}
        }, name
        resource = json.dumps(statement["Resource"])
        assert ":stateMachine:" in resource and resource.rstrip('"]}').endswith(("-batch", "-export")), (
            name,
            resource,
        )


def test_the_outputs_name_the_aliases_for_the_rollback_runbook(synthesized):
    outputs = synthesized["json"]["Outputs"]
    assert {"StateMachineAliasArn", "ExportStateMachineAliasArn"} <= set(outputs)
    assert outputs["StateMachineAliasArn"]["Value"]["Fn::GetAtt"][1] == "Arn"
