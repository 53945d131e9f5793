"""The fair queue's sweep: a scheduled rule every minute, one function at a time, least privilege."""

import json

import pytest

from functions import deployment

pytestmark = pytest.mark.infra


def of_type(resources, kind):
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def test_a_rule_runs_the_sweep_every_minute_with_no_reserved_concurrency_by_default(resources):
    functions = of_type(resources, "AWS::Lambda::Function")
    sweep_id, sweep = next(
        (name, f)
        for name, f in functions.items()
        if f["Properties"].get("Handler") == deployment.SWEEP.handler
    )
    # New accounts (concurrency quota 10) refuse any reservation: the default reserves none.
    assert "ReservedConcurrentExecutions" not in sweep["Properties"]
    rules = [
        r
        for r in of_type(resources, "AWS::Events::Rule").values()
        if "ScheduleExpression" in r["Properties"] and sweep_id in json.dumps(r["Properties"]["Targets"])
    ]
    assert [r["Properties"]["ScheduleExpression"] for r in rules] == ["rate(1 minute)"]


def test_admitting_functions_may_start_and_describe_executions_of_the_batch_machine_only(resources):
    """Every function whose change may free capacity runs `admit_waiting`: it starts executions, looks
    at running ones, and sends a resumed batch's parked task tokens back."""
    functions = of_type(resources, "AWS::Lambda::Function")
    handlers = {f["Properties"].get("Handler"): f for f in functions.values()}
    policies = of_type(resources, "AWS::IAM::Policy")
    admitting = (
        deployment.SWEEP,
        deployment.API,
        deployment.CONTROL,
        deployment.EXECUTIONS,
        deployment.INGEST,
        deployment.DROP_SWEEP,
    )
    for spec in admitting:
        role = handlers[spec.handler]["Properties"]["Role"]["Fn::GetAtt"][0]
        granted = [
            s
            for p in policies.values()
            if {"Ref": role} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        ]
        describe = [s for s in granted if s["Action"] == "states:DescribeExecution"]
        assert describe, spec.id
        resource = json.dumps(describe[0]["Resource"])
        assert ":execution:" in resource and "-batch:*" in resource, resource
        actions = [
            a for s in granted for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        ]
        assert "states:StartExecution" in actions and "states:SendTaskSuccess" in actions, spec.id


def test_functions_that_settle_a_batch_may_write_its_report_and_nothing_else_in_media(resources):
    policies = of_type(resources, "AWS::IAM::Policy")
    for role_prefix in ("FunctionsSweepRole", "FunctionsExecutionsRole"):
        puts = [
            json.dumps(s["Resource"])
            for name, p in policies.items()
            if name.startswith(role_prefix)
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if s["Action"] == "s3:PutObject" or "s3:PutObject" in s["Action"]
        ]
        assert len(puts) == 1 and "/reports/*" in puts[0], (role_prefix, puts)
