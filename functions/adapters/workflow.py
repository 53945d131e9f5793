"""Step Functions: start batch executions and answer task tokens."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from functions.adapters import aws
from functions.domain.batch_control import ExecutionStatus
from functions.domain.errors import TaskNotAwaited
from functions.domain.state_machine_arns import execution_arn
from functions.observability import logger


class Workflow:
    def __init__(self, state_machine_arn: str) -> None:
        """`state_machine_arn`: what executions start on, the `live` alias's ARN on AWS."""
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
        return execution_arn(self.state_machine_arn, name)

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
        with _awaited(token):
            self.client.send_task_success(taskToken=token, output=json.dumps(output))

    def send_failure(self, token: str, error: str, cause: str) -> None:
        with _awaited(token):
            self.client.send_task_failure(taskToken=token, error=error[:256], cause=cause[:32768])

    def send_heartbeat(self, token: str) -> None:
        self.client.send_task_heartbeat(taskToken=token)

    def stop(self, execution_arn: str, error: str, cause: str) -> bool:
        """StopExecution, then StopTask for every Fargate task the execution submitted (a stopped
        execution does not stop a container it started; StopTask on an ended task changes nothing)."""
        try:
            self.client.stop_execution(executionArn=execution_arn, error=error[:256], cause=cause[:32768])
        except ClientError as failure:
            if failure.response.get("Error", {}).get("Code") in {
                "ExecutionDoesNotExist",
                "ValidationException",
            }:
                return False
            raise
        for cluster, task_arn in self.submitted_tasks(execution_arn):
            try:
                aws.client("ecs").stop_task(cluster=cluster, task=task_arn, reason=cause[:255])
            except ClientError:
                logger.exception("Could not stop a Fargate task", extra={"task_arn": task_arn})
        return True

    def submitted_tasks(self, execution_arn: str) -> list[tuple[str, str]]:
        """(cluster, task ARN) of every ECS RunTask the execution's history records."""
        found: list[tuple[str, str]] = []
        pages = self.client.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
        for page in pages:
            for event in page["events"]:
                details: Any = event.get("taskSubmittedEventDetails") or {}
                if details.get("resourceType") != "ecs":
                    continue
                found.extend(ecs_tasks(details.get("output") or "{}"))
        return found


def ecs_tasks(run_task_output: str) -> list[tuple[str, str]]:
    """(cluster, task ARN) pairs from a RunTask answer as Step Functions records it (PascalCase)."""
    try:
        answer = json.loads(run_task_output)
    except ValueError:
        return []
    tasks = answer.get("Tasks") or []
    pairs = []
    for task in tasks:
        arn, cluster = task.get("TaskArn"), task.get("ClusterArn")
        if arn and cluster:
            pairs.append((str(cluster), str(arn)))
    return pairs


NOT_AWAITED_CODES = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})


@contextmanager
def _awaited(token: str) -> Iterator[None]:
    """A token nobody waits on any more is TaskNotAwaited; any other failure (throttling, network)
    propagates, so the caller keeps the token and tries again."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in NOT_AWAITED_CODES:
            raise TaskNotAwaited(token[:40]) from error
        raise
