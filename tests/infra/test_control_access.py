"""The API function may do what batch control does in AWS: stop executions and worker tasks, answer
parked tokens, list and delete a batch's objects (and nothing wider)."""

import json


def _api_statements(synthesized) -> list[dict]:
    resources = synthesized["json"]["Resources"]
    statements = []
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Policy" and logical_id.startswith("FunctionsApiRole"):
            statements.extend(resource["Properties"]["PolicyDocument"]["Statement"])
    return statements


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def test_the_api_role_can_steer_batches(synthesized):
    statements = _api_statements(synthesized)
    granted = set().union(*(_actions(s) for s in statements))
    assert {"states:StopExecution", "states:GetExecutionHistory", "states:SendTaskSuccess"} <= granted
    assert {"ecs:StopTask", "s3:ListBucket", "s3:DeleteObject"} <= granted
    stop_task = next(s for s in statements if "ecs:StopTask" in _actions(s))
    assert "ecs:cluster" in json.dumps(stop_task["Condition"])
    listing = [s for s in statements if "s3:ListBucket" in _actions(s)]
    assert listing and all("s3:prefix" in json.dumps(s["Condition"]) for s in listing)
    assert not any(a.endswith("*") for a in granted if a.startswith(("s3:", "states:", "ecs:")))
