"""Helpers for integration tests: API Gateway v2 events, uploads over HTTP, waiting for executions."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import requests

from functions.domain.enums import Tier
from reelflow.local.access_control import acting_as
from reelflow.local.gateway import build_event
from reelflow.local.invoker import LocalLambdaContext, identity_for


def api(
    method: str,
    path: str,
    body: Any = None,
    *,
    user: str | None = "alice",
    tier: Tier = Tier.CREATOR,
    query: str = "",
    raw_body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Call the API handler with the event API Gateway's HTTP API would send."""
    from functions.handlers.api import handler

    claims = {"sub": user, "custom:tier": tier.value} if user else None
    payload = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else b"")
    all_headers = {"content-type": "application/json", **(headers or {})}
    event = build_event(method, path, query, all_headers, payload, claims)
    with acting_as(identity_for("functions.handlers.api.handler")):  # as the Api function's role
        result = handler(event, LocalLambdaContext(function_name="reelflow-api"))
    text = result.get("body") or ""
    return result["statusCode"], json.loads(text) if text else None


def create_stream_table(dynamodb: Any, name: str) -> None:
    """A table keyed like the product's (PK, SK), with a stream of new and old images."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def upload(target: dict[str, Any], path: Path) -> None:
    response = requests.put(target["url"], data=path.read_bytes(), headers=target["headers"], timeout=60)
    assert response.status_code == 200, response.text


def files_payload(paths: list[Path]) -> list[dict[str, Any]]:
    return [{"name": p.name, "size": p.stat().st_size} for p in paths]


def wait_for_batch(
    batch_id: str, user: str, tier: Tier = Tier.CREATOR, timeout: float = 180
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = api("GET", f"/api/batch-jobs/{batch_id}", user=user, tier=tier)
        assert status == 200, body
        if body["status"] in {"completed", "failed", "cancelled"}:
            return body
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} did not finish in {timeout} s")


def wait_for_execution(sfn: Any, arn: str, timeout: float = 180, interval: float = 0.2) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(interval)
    raise AssertionError(f"execution {arn} still running after {timeout} s")


class StartedBatch(NamedTuple):
    batch_id: str
    execution_arn: str
    video_ids: list[str]


def batch_tasks(cloud: Any, batch_id: str) -> list[dict[str, Any]]:
    """The worker tasks "Process on Fargate" started for the batch (their ECS group names it)."""
    from functions.adapters.workflow import task_group

    ecs = cloud.client("ecs")
    arns = ecs.list_tasks(cluster=cloud.cluster_arn)["taskArns"]
    described = ecs.describe_tasks(cluster=cloud.cluster_arn, tasks=arns)["tasks"] if arns else []
    return [t for t in described if t.get("group") == task_group(batch_id)]


def batch_states(sfn: Any, execution_arn: str) -> list[str]:
    """The states the batch's own execution entered. A video's states are not among them: each video
    is a child execution of the "Process videos" Distributed Map, with a history of its own (which
    moto's interpreter does not keep)."""
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def start_batch(
    user: str, paths: list[Path], settings: dict[str, Any] | None = None, tier: Tier = Tier.CREATOR
) -> StartedBatch:
    """Create a batch of these files through the API, upload each over HTTP, and start it."""
    status, body = api(
        "POST",
        "/api/batch-jobs",
        {"name": "run", "files": files_payload(paths), "settings": settings or {}},
        user=user,
        tier=tier,
    )
    assert status == 201, body
    for target, path in zip(body["uploads"], paths, strict=True):
        upload(target, path)
    batch_id = body["batch_job"]["id"]
    status, started = api("POST", f"/api/batch-jobs/{batch_id}/start", user=user, tier=tier)
    assert status == 200, started
    return StartedBatch(batch_id, started["job_id"], [u["video_id"] for u in body["uploads"]])


def user_env(home: Path, columns: int = 120) -> dict[str, str]:
    """A fresh user's environment for a `reelflow` subprocess; coverage's own variables pass through."""
    env = {"REELFLOW_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home), "COLUMNS": str(columns)}
    env.update({name: value for name, value in os.environ.items() if name.startswith("COVERAGE")})
    return env


def stopped(process: "subprocess.Popen[str]", signum: int = signal.SIGINT, timeout: float = 30) -> str:
    """Send `signum` and wait for the exit, draining what it prints: killed if still there after
    `timeout` (and the timeout raised), so a failing test never leaves it running."""
    process.send_signal(signum)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return output or ""


BANNER_END = "Press Ctrl+C"


@dataclass
class Served:
    """A running `reelflow serve`: its process, the fields its banner printed (api_url, websocket_url, …)
    and every line it printed, read as they come (a full pipe would block the serve's next line)."""

    process: "subprocess.Popen[str]"
    fields: dict[str, str]
    lines: list[str]

    @property
    def api(self) -> str:
        return self.fields["api_url"]

    def output(self) -> str:
        """What it printed after its banner."""
        banner = next((n + 1 for n, line in enumerate(self.lines) if BANNER_END in line), 0)
        return "".join(self.lines[banner:])


def _read_lines(process: "subprocess.Popen[str]", lines: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in iter(process.stdout.readline, ""):
        lines.append(line)
        if BANNER_END in line:
            ready.set()
    ready.set()  # it ended, banner or not


@contextmanager
def served(
    home: Path,
    *extra: str,
    kill: signal.Signals = signal.SIGINT,
    env: dict[str, str] | None = None,
    stop_timeout: float = 30,
) -> Iterator[Served]:
    """`reelflow serve` in a fresh process for a user whose home is `home` (and `env` added to its
    environment), once its banner says it is ready; stopped with `kill` on exit (killed if it outlives
    `stop_timeout`, and the timeout raised)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "reelflow.cli", "serve", "--port", "0", *extra],
        env={**user_env(home, columns=200), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()
    reader = threading.Thread(
        target=_read_lines, args=(server, lines, ready), daemon=True, name="serve-output"
    )
    reader.start()
    try:
        ready.wait(timeout=300)  # a busy machine starts slowly
        printed = "".join(lines)
        fields = dict(re.findall(r"^\s+(\w+)\s+(.+?)\s*$", printed.split(BANNER_END)[0], re.M))
        assert "api_url" in fields, printed
        yield Served(server, fields, lines)
    finally:
        server.send_signal(kill)
        try:
            server.wait(timeout=stop_timeout)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
            reader.join(timeout=30)


@contextmanager
def serving(
    home: Path, *extra: str, kill: signal.Signals = signal.SIGINT, env: dict[str, str] | None = None
) -> Iterator[dict[str, str]]:
    """`served`, for a test that needs only the banner's fields."""
    with served(home, *extra, kill=kill, env=env) as running:
        yield running.fields


def served_s3(state: dict[str, Any]) -> Any:
    """boto3's S3 on the embedded AWS of a running `serve` (its address file's `aws_endpoint`)."""
    return boto3.client(
        "s3",
        endpoint_url=state["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def fresh_process_json(script: str, *args: str) -> Any:
    """Run `script` in a fresh Python process (as a user's command starts): its last output line, as JSON."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
