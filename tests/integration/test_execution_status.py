"""The embedded Step Functions' own view of an execution (what `reelflow run` checks every 0.1 s, in
process) agrees with DescribeExecution while it runs and once it has ended."""

import json
import time
import uuid
from typing import Any

import pytest

WAITING = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "End": True}}}


def test_execution_status_is_describe_executions_while_running_and_at_the_end(
    local_cloud: Any, request: pytest.FixtureRequest
) -> None:
    sfn = local_cloud.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"status-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(WAITING),
        roleArn="arn:aws:iam::123456789012:role/status-test",
    )["stateMachineArn"]
    request.addfinalizer(lambda: sfn.delete_state_machine(stateMachineArn=machine))  # the session's cloud
    # named, as AWS names one it is not given (moto leaves it nameless, and `reelflow executions` lists it)
    arn = sfn.start_execution(stateMachineArn=machine, name=str(uuid.uuid4()), input="{}")["executionArn"]
    assert (
        local_cloud.execution_status(arn) == sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    )
    sfn.stop_execution(executionArn=arn)
    deadline = time.monotonic() + 60
    while local_cloud.execution_status(arn) == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    described = sfn.describe_execution(executionArn=arn)["status"]
    assert local_cloud.execution_status(arn) == described == "ABORTED"
