"""The export state machine file: valid ASL, every target exists, the Lambda tasks name the export
handler's tasks, and both routes end in "Record failure" when they fail."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from functions import deployment
from functions.handlers.export_worker import EXPORT_ID_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
ASL = deployment.EXPORT_STATE_MACHINE_FILE


def states() -> dict:
    return dict(json.loads(ASL.read_text())["States"])


def test_every_target_exists_and_both_routes_record_their_failure():
    definition = json.loads(ASL.read_text())
    found = definition["States"]
    assert definition["StartAt"] == "Lambda or Fargate?"
    for name, state in found.items():
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
        for target in filter(None, targets):
            assert target in found, f"{name} → {target}"
    for route in ("Export in Lambda", "Export on Fargate"):
        assert found[route]["Catch"][0] == {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": "Record failure",
        }
        assert found[route]["Next"] == "Exported"
    assert found["Record failure"]["Next"] == "Export failed" and found["Export failed"]["Type"] == "Fail"


def test_lambda_tasks_call_the_export_function_with_its_tasks_and_retry_service_errors():
    found = states()
    for name, task in (("Export in Lambda", "run"), ("Record failure", "fail")):
        state = found[name]
        assert state["Parameters"]["FunctionName"] == "${ExportFunctionArn}"
        assert state["Parameters"]["Payload"]["task"] == task
        assert any("Lambda.TooManyRequestsException" in r["ErrorEquals"] for r in state["Retry"])


def test_the_fargate_route_hands_the_worker_the_export_and_a_token():
    fargate = states()["Export on Fargate"]
    assert fargate["Resource"] == "arn:aws:states:::ecs:runTask.waitForTaskToken"
    assert fargate["HeartbeatSeconds"] == 900
    variables = fargate["Parameters"]["Overrides"]["ContainerOverrides"][0]["Environment"]
    assert {v["Name"] for v in variables} == {"REELFLOW_TASK_TOKEN", "REELFLOW_BATCH_ID", EXPORT_ID_VARIABLE}


@pytest.mark.skipif(
    not (ROOT / "node_modules" / ".bin" / "asl-validator").exists() or not shutil.which("node"),
    reason="node tools not installed (./dev setup)",
)
def test_asl_validator_accepts_the_file():
    result = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "asl-validator"), "--json-path", str(ASL)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
