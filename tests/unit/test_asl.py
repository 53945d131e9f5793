"""The batch state machine file: valid JSON and ASL, every transition target exists, placeholders known."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from functions.domain.pipeline_contract import JOIN_TRANSCRIPT, RENDER_PART, STITCH, TRANSCRIBE_GROUP
from functions.domain.stage_plan import MEDIA_STAGES, PROBE, PROBE_STATE, TASK_NAMES
from functions.services.stages import STAGE_RUNNERS

ROOT = Path(__file__).resolve().parents[2]
ASL = ROOT / "statemachines" / "batch.asl.json"
PLACEHOLDERS = {
    "ControlFunctionArn",
    "MediaFunctionArn",
    "TranscribeFunctionArn",
    "RetryDelaysSeconds",
    "ClusterArn",
    "WorkerTaskDefinitionArn",
    "WorkerContainerName",
    "SubnetIds",
    "SecurityGroupIds",
    "AssignPublicIp",
}


def walk_states(states: dict, found: dict) -> None:
    for name, state in states.items():
        found[name] = state
        if "ItemProcessor" in state:
            walk_states(state["ItemProcessor"]["States"], found)


def test_placeholders_are_the_documented_ones():
    assert set(re.findall(r"\$\{(\w+)\}", ASL.read_text())) == PLACEHOLDERS


def test_every_next_and_catch_target_exists_in_its_scope():
    definition = json.loads(ASL.read_text())

    def check(scope: dict) -> None:
        for name, state in scope["States"].items():
            targets = [state.get("Next"), state.get("Default")]
            targets += [c["Next"] for c in state.get("Choices", [])] + [
                c["Next"] for c in state.get("Catch", [])
            ]
            for target in filter(None, targets):
                assert target in scope["States"], f"{name} → {target} is not a state in its scope"
            if "ItemProcessor" in state:
                check(state["ItemProcessor"])
        assert scope["StartAt"] in scope["States"]

    check(definition)


def test_lambda_tasks_retry_service_errors_and_media_errors_are_caught():
    states: dict = {}
    walk_states(json.loads(ASL.read_text())["States"], states)
    for name, state in states.items():
        if state.get("Type") == "Task" and "lambda:invoke" in state["Resource"]:
            assert any("Lambda.TooManyRequestsException" in r["ErrorEquals"] for r in state["Retry"]), name
    for name in (
        "Probe video",
        "Transcribe",
        "Remove silence",
        "Detect highlights",
        "Export video",
        "Stitch parts",
        "Render parts",
        "Process on Fargate",
    ):
        assert states[name]["Catch"][-1] == {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": "Handle video failure",
        }


def test_every_task_of_a_video_catches_so_its_failure_stays_its_own():
    """A bookkeeping error (throttling past the quick retries) in any state of one video's iteration
    ends that iteration, never the Map and with it the whole batch."""
    video = json.loads(ASL.read_text())["States"]["Process videos"]["ItemProcessor"]["States"]
    tasks = {name: state for name, state in video.items() if state["Type"] == "Task"}
    assert {"Check batch state", "Wait for resume", "Begin video", "Finish video"} <= set(tasks)
    for name, state in tasks.items():
        catch_all = [c for c in state.get("Catch", []) if c["ErrorEquals"] == ["States.ALL"]]
        assert catch_all, f"{name} has no Catch: one video's error would fail the batch"
        expected = "Failure not recorded" if name == "Handle video failure" else "Handle video failure"
        assert catch_all[0]["Next"] == expected, name
    assert video["Failure not recorded"]["Type"] == "Succeed"


def test_a_video_that_outruns_lambda_moves_to_fargate():
    video = json.loads(ASL.read_text())["States"]["Process videos"]["ItemProcessor"]["States"]
    for name in ("Probe video", "Remove silence", "Detect highlights", "Export video", "Stitch parts"):
        first = video[name]["Catch"][0]
        assert first["ErrorEquals"] == ["States.Timeout", "Sandbox.Timedout"], name
        assert first["Next"] == "Process on Fargate", name
    # The Transcribe task's own States.Timeout is the wait for the transcript, not Lambda's limit.
    assert video["Transcribe"]["Catch"][0]["ErrorEquals"] == ["Sandbox.Timedout"]
    assert video["Transcribe"]["Catch"][0]["Next"] == "Process on Fargate"


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


def test_the_lambda_route_runs_the_stages_in_the_order_of_the_stage_table():
    """The states that run media tasks, followed from the probe along `Next`, are the stage table's
    rows in order, each naming its own task; the Fargate worker runs the same table."""
    states: dict = {}
    walk_states(json.loads(ASL.read_text())["States"], states)
    run: list[tuple[str, str]] = []
    name: str | None = PROBE_STATE
    while name is not None:
        state = states[name]
        task = state.get("Parameters", {}).get("Payload", {}).get("stage")
        if task is not None:
            # The Transcribe state invokes the Transcriber (whisper) or the media function (Transcribe).
            function = "${TranscribeFunctionArn}" if task == "transcribing" else "${MediaFunctionArn}"
            assert function in json.dumps(state["Parameters"]), name
            run.append((name, task))
        name = state.get("Next") or state.get("Default")
    assert run == [(PROBE_STATE, PROBE), *((s.asl_state, s.name) for s in MEDIA_STAGES)]
    media_states = {
        n: s["Parameters"]["Payload"]["stage"]
        for n, s in states.items()
        if "stage" in s.get("Parameters", {}).get("Payload", {})
    }
    # no stage runs outside the table but a long video's transcription groups and split render
    split = {"Transcribe part", "Join transcript", "Render part", "Stitch parts"}
    assert set(media_states) - {n for n, _ in run} == split
    tasks = [JOIN_TRANSCRIPT, RENDER_PART, STITCH, TRANSCRIBE_GROUP]
    assert [media_states[n] for n in sorted(split)] == tasks
    for name in ("Transcribe part", "Join transcript"):  # they run where the Transcribe state runs
        assert "${TranscribeFunctionArn}" in json.dumps(states[name]["Parameters"]), name
    assert list(STAGE_RUNNERS) == list(TASK_NAMES)  # the media handler serves every task, in order
