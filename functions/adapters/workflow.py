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
    def __init__(self, state_machine_arn: str, worker_cluster_arn: str = "") -> None:
        """`state_machine_arn`: what executions start on, the `live` alias's ARN on AWS;
        `worker_cluster_arn`: where cancel looks for the batch's Fargate tasks."""
        self.client = aws.stepfunctions()
        self.state_machine_arn = state_machine_arn
        self.worker_cluster_arn = worker_cluster_arn

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

    def stop(self, execution_arn: str, error: str, cause: str, batch_id: str) -> bool:
        """StopExecution, then StopTask for every Fargate task of the batch still running (a stopped
        execution does not stop a container it started). The tasks are found by their group
        (`batch:{id}`, set by "Process on Fargate"), not in the history: each video runs in a child
        execution of the "Process videos" Distributed Map, whose history is not the batch's."""
        try:
            self.client.stop_execution(executionArn=execution_arn, error=error[:256], cause=cause[:32768])
        except ClientError as failure:
            if failure.response.get("Error", {}).get("Code") in {
                "ExecutionDoesNotExist",
                "ValidationException",
            }:
                return False
            raise
        ecs = aws.client("ecs")
        for task_arn in self.running_tasks(batch_id):
            try:
                ecs.stop_task(cluster=self.worker_cluster_arn, task=task_arn, reason=cause[:255])
            except ClientError:
                logger.exception("Could not stop a Fargate task", extra={"task_arn": task_arn})
        return True

    def running_tasks(self, batch_id: str) -> list[str]:
        """ARNs of the batch's worker tasks still meant to run (ListTasks cannot filter by group: the
        running tasks of the worker cluster, bounded by the Fargate cap, are described 100 at a time)."""
        if not self.worker_cluster_arn:
            return []
        ecs = aws.client("ecs")
        pages = ecs.get_paginator("list_tasks").paginate(
            cluster=self.worker_cluster_arn, desiredStatus="RUNNING"
        )
        running = [arn for page in pages for arn in page.get("taskArns", [])]
        group = task_group(batch_id)
        found: list[str] = []
        for start in range(0, len(running), 100):
            described = ecs.describe_tasks(
                cluster=self.worker_cluster_arn, tasks=running[start : start + 100]
            )
            found.extend(t["taskArn"] for t in described.get("tasks", []) if t.get("group") == group)
        return found


def task_group(batch_id: str) -> str:
    """The ECS task group "Process on Fargate" gives a batch's tasks (States.Format('batch:{}', …))."""
    return f"batch:{batch_id}"


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
