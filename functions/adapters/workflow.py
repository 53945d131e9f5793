"""Step Functions: start batch executions and answer task tokens."""

import json
from typing import Any

from botocore.exceptions import ClientError

from functions.adapters import aws
from functions.domain.batch_control import ExecutionStatus


class Workflow:
    def __init__(self, state_machine_arn: str) -> None:
        self.client = aws.stepfunctions()
        self.state_machine_arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Start an execution named `name`. Starting the same name twice returns the first one's ARN:
        Step Functions treats a repeated name with the same input as the same execution."""
        try:
            response = self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return self.execution_arn(name)
            raise
        return response["executionArn"]

    def execution_arn(self, name: str) -> str:
        prefix = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        return f"{prefix}:{name}"

    def status(self, name: str) -> ExecutionStatus | None:
        try:
            described = self.client.describe_execution(executionArn=self.execution_arn(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return None
            raise
        status: ExecutionStatus = described["status"]
        return status

    def send_success(self, token: str, output: dict[str, Any]) -> None:
        self.client.send_task_success(taskToken=token, output=json.dumps(output))

    def send_failure(self, token: str, error: str, cause: str) -> None:
        self.client.send_task_failure(taskToken=token, error=error[:256], cause=cause[:32768])

    def send_heartbeat(self, token: str) -> None:
        self.client.send_task_heartbeat(taskToken=token)
