"""`reelflow executions`: the Step Functions console, in a terminal, for the embedded AWS."""

from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError
from rich import box
from rich.console import Console
from rich.table import Table

from reelflow.errors import CliError
from reelflow.serve_address import running_address


def _client(endpoint: str | None) -> Any:
    if endpoint is None:
        endpoint = str(running_address()["aws_endpoint"])
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _state_machine_arns(sfn: Any) -> list[str]:
    return [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]


def _time(value: Any) -> str:
    """Times to the second, in local time: a row of ids and times fits in 80 columns."""
    return (
        value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else str(value or "")
    )


def _clock(value: Any) -> str:
    return value.astimezone().strftime("%H:%M:%S.%f")[:-3] if isinstance(value, datetime) else str(value)


def list_executions(console: Console, endpoint: str | None) -> int:
    sfn = _client(endpoint)
    table = Table(title="Executions", box=box.SIMPLE)
    table.add_column("name (batch id)", overflow="fold", min_width=36)
    table.add_column("status", no_wrap=True)
    table.add_column("started", overflow="fold")
    table.add_column("stopped", overflow="fold")
    for arn in _state_machine_arns(sfn):
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            for execution in page["executions"]:
                table.add_row(
                    execution["name"],
                    execution["status"],
                    _time(execution["startDate"]),
                    _time(execution.get("stopDate")),
                )
    console.print(table)
    return 0


def _detail(event: dict[str, Any]) -> str:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            name = value.get("name") or value.get("resourceType") or ""
            error = value.get("error") or ""
            return f"{name} {error}".strip()
    return ""


def show_execution(console: Console, name_or_arn: str, endpoint: str | None) -> int:
    sfn = _client(endpoint)
    arn = name_or_arn
    if not name_or_arn.startswith("arn:"):
        arns = [
            m.replace(":stateMachine:", ":execution:", 1) + f":{name_or_arn}"
            for m in _state_machine_arns(sfn)
        ]
        arn = arns[0] if arns else name_or_arn
    try:
        described = sfn.describe_execution(executionArn=arn)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"ExecutionDoesNotExist", "InvalidArn"}:
            raise CliError(
                f"no execution named {name_or_arn} on the running serve "
                "(an execution is named after its batch id; `reelflow executions` lists them)"
            ) from error
        raise
    console.print(
        f"[bold]{described['name']}[/] {described['status']} started {_time(described['startDate'])}",
        soft_wrap=True,
    )
    table = Table(title="Event history", box=box.SIMPLE)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("type", overflow="fold")
    table.add_column("state / detail", overflow="fold")
    table.add_column("time", no_wrap=True)
    paginator_args: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**paginator_args)
        for event in page["events"]:
            table.add_row(str(event["id"]), event["type"], _detail(event), _clock(event["timestamp"]))
        if not page.get("nextToken"):
            break
        paginator_args["nextToken"] = page["nextToken"]
    console.print(table)
    return 0
