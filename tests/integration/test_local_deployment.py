"""Local mode provisions exactly what functions/deployment.py declares (the CDK app is held to the same
declaration by tests/infra/test_deployment.py)."""

from typing import Any

from functions import deployment


def test_local_mode_provisions_every_declared_function_and_no_other(local_cloud: Any) -> None:
    pages = local_cloud.client("lambda").get_paginator("list_functions").paginate()
    provisioned = {f["Handler"]: f for page in pages for f in page["Functions"]}
    assert set(provisioned) == {spec.handler for spec in deployment.FUNCTIONS}
    for spec in deployment.FUNCTIONS:
        function = provisioned[spec.handler]
        assert function["FunctionName"] == spec.name(local_cloud.prefix)
        assert (function["MemorySize"], function["Timeout"]) == (spec.memory_mb, spec.timeout_seconds)
        variables = function["Environment"]["Variables"]
        assert variables["REELFLOW_TABLE_NAME"] == local_cloud.table_name
        assert variables["POWERTOOLS_SERVICE_NAME"] == spec.service_name


def test_the_local_state_machine_calls_the_declared_functions(local_cloud: Any) -> None:
    definition = local_cloud.client("stepfunctions").describe_state_machine(
        stateMachineArn=local_cloud.state_machine_arn
    )["definition"]
    assert "${" not in definition
    for spec in deployment.STATE_MACHINE_FUNCTIONS.values():
        assert local_cloud.function_arns[spec.id] in definition


def test_the_local_export_state_machine_calls_the_export_function(local_cloud: Any) -> None:
    definition = local_cloud.client("stepfunctions").describe_state_machine(
        stateMachineArn=local_cloud.export_state_machine_arn
    )["definition"]
    assert "${" not in definition
    for spec in deployment.EXPORT_STATE_MACHINE_FUNCTIONS.values():
        assert local_cloud.function_arns[spec.id] in definition
    assert local_cloud.cluster_arn in definition
