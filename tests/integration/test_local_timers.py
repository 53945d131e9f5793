"""Local mode keeps the state machines' timers (HeartbeatSeconds, TimeoutSeconds) and the worker's
heartbeat interval in the same proportion as on AWS; `time_scale` only makes both faster together."""

import json
import time
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from functions import deployment
from functions.adapters.workflow import Workflow
from functions.handlers import export_worker
from functions.handlers.worker import HEARTBEAT_SECONDS
from reelflow.local import fargate
from reelflow.local.provisioning import scaled_timers

SCALE = 0.01  # 900 s of heartbeat limit become 9 s, a 60 s heartbeat interval 0.6 s


def _timers(definition: dict[str, Any]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for name, state in definition["States"].items():
        values = {k: state[k] for k in ("TimeoutSeconds", "HeartbeatSeconds") if k in state}
        if values:
            found[name] = values
        for inner in [state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])]:
            if inner:
                found |= _timers(inner)
    return found


def _local_definition(cloud: Any, arn: str) -> dict[str, Any]:
    return json.loads(cloud.client("stepfunctions").describe_state_machine(stateMachineArn=arn)["definition"])


def test_the_local_state_machines_keep_the_asl_timers(local_cloud: Any) -> None:
    for arn, asl in (
        (local_cloud.state_machine_arn, deployment.STATE_MACHINE_FILE),
        (local_cloud.export_state_machine_arn, deployment.EXPORT_STATE_MACHINE_FILE),
    ):
        declared = _timers(json.loads(asl.read_text()))
        assert declared  # the Fargate states set HeartbeatSeconds
        assert _timers(_local_definition(local_cloud, arn)) == declared
    fargate_state = _timers(json.loads(deployment.EXPORT_STATE_MACHINE_FILE.read_text()))["Export on Fargate"]
    assert fargate_state["HeartbeatSeconds"] > HEARTBEAT_SECONDS  # the worker beats well inside the limit
    scaled = _timers(json.loads(scaled_timers(deployment.EXPORT_STATE_MACHINE_FILE.read_text(), SCALE)))
    assert scaled["Export on Fargate"]["HeartbeatSeconds"] == round(fargate_state["HeartbeatSeconds"] * SCALE)


@pytest.fixture
def scaled_export_machine(local_cloud: Any) -> Iterator[str]:
    """The session's export state machine with its timers scaled, put back afterwards."""
    sfn = local_cloud.client("stepfunctions")
    arn = local_cloud.export_state_machine_arn
    original = sfn.describe_state_machine(stateMachineArn=arn)["definition"]
    sfn.update_state_machine(stateMachineArn=arn, definition=scaled_timers(original, SCALE))
    try:
        yield arn
    finally:
        sfn.update_state_machine(stateMachineArn=arn, definition=original)


def _run_fargate_export(cloud: Any, arn: str, seconds: float, export_id: str = "") -> dict[str, Any]:
    sfn = cloud.client("stepfunctions")
    started = sfn.start_execution(
        stateMachineArn=arn,
        name=f"timers-{uuid.uuid4().hex[:8]}",
        input=json.dumps(
            {"runtime": "fargate", "batch_id": "timers", "export_id": export_id or uuid.uuid4().hex}
        ),
    )
    deadline = time.monotonic() + seconds + 120
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=started["executionArn"])
        if described["status"] != "RUNNING":
            history = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
            return {"status": described["status"], "history": json.dumps(history, default=str)}
        time.sleep(0.2)
    raise AssertionError("the export execution did not end")


def test_a_fargate_export_running_past_its_limits_while_it_heartbeats_does_not_time_out(
    local_cloud: Any, scaled_export_machine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    beats: list[float] = []
    original_beat = Workflow.send_heartbeat

    def counted(self: Workflow, token: str) -> None:
        beats.append(time.monotonic())
        original_beat(self, token)

    def slow_export(_ctx: Any, _batch_id: str, _export_id: str) -> Any:
        time.sleep(1200 * SCALE)  # 20 minutes at this scale: past 60 s and past the 900 s heartbeat limit
        return SimpleNamespace(file_size=1)

    monkeypatch.setattr(Workflow, "send_heartbeat", counted)
    monkeypatch.setattr(export_worker, "run_export", slow_export)
    monkeypatch.setattr(fargate, "time_scale", [SCALE])
    done = _run_fargate_export(local_cloud, scaled_export_machine, 1200 * SCALE)
    assert done["status"] == "SUCCEEDED", done["history"][-2000:]
    assert "HeartbeatTimeout" not in done["history"]
    assert len(beats) >= 10  # one every 0.6 s (60 s scaled) for 12 s


def test_without_heartbeats_the_same_export_times_out_at_the_scaled_limit(
    local_cloud: Any, scaled_export_machine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow_export(_ctx: Any, _batch_id: str, _export_id: str) -> Any:
        time.sleep(1200 * SCALE)
        return SimpleNamespace(file_size=1)

    monkeypatch.setattr(export_worker, "run_export", slow_export)
    monkeypatch.setattr(fargate, "time_scale", [100.0])  # a beat every 6000 s: none arrives in time
    export_id = uuid.uuid4().hex
    done = _run_fargate_export(local_cloud, scaled_export_machine, 1200 * SCALE, export_id)
    assert done["status"] == "FAILED"
    events = [e["type"] for e in json.loads(done["history"])]
    assert "TaskTimedOut" in events  # the heartbeat limit (900 s, scaled: 9 s) ran out

    # the container runs on until its work ends (the state's timeout does not stop it, as on AWS); its
    # late SendTaskSuccess is refused, so it exits 1 and the task is STOPPED, nothing left running
    assert fargate.wait_for_tasks(120) == []
    ecs = local_cloud.client("ecs")
    arns = ecs.list_tasks(cluster=local_cloud.cluster_arn, desiredStatus="STOPPED")["taskArns"]
    described = ecs.describe_tasks(cluster=local_cloud.cluster_arn, tasks=arns)["tasks"] if arns else []
    (task,) = [t for t in described if export_id in json.dumps(t.get("overrides") or {})]
    assert task["lastStatus"] == "STOPPED" and task["stoppedReason"] == "Essential container in task exited"
    assert [c["exitCode"] for c in task["containers"]] == [1]
