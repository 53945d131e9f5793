"""Every JSONPath the batch state machine reads or writes names a field of the task contract's models
(functions/domain/pipeline_contract.py). Generic over states: a state added later (another Map, another
task) must register its models there, or this test names what it reads that no model declares."""

import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from functions.domain import pipeline_contract as contract
from functions.handlers import pipeline

ROOT = Path(__file__).resolve().parents[2]
ASL = ROOT / "statemachines" / "batch.asl.json"
FUNCTIONS = {
    "${ControlFunctionArn}": "task",
    "${MediaFunctionArn}": "stage",
    "${TranscribeFunctionArn}": "stage",
}


def _unwrap(annotation: Any) -> Any:
    """`X | None` → X (a union of one model and None is the only union the contract uses for paths)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def resolve(model: type[BaseModel], path: str, where: str) -> Any:
    """The annotation a `$.a.b` path reaches in `model`; fails naming the first unknown field."""
    assert path.startswith("$."), f"{where}: {path!r} is not a JSONPath into the state's input"
    annotation: Any = model
    for part in path[2:].split("."):
        current = _unwrap(annotation)
        assert isinstance(current, type) and issubclass(current, BaseModel), (
            f"{where}: {path!r} goes into {current!r}, which has no fields"
        )
        fields = current.model_fields
        by_alias = {f.alias: n for n, f in fields.items() if f.alias}
        name = by_alias.get(part, part)
        assert name in fields, f"{where}: {path!r} names {part!r}, not a field of {current.__name__}"
        annotation = fields[name].annotation
    return _unwrap(annotation)


def scopes() -> Iterator[tuple[str | None, dict[str, Any]]]:
    """(Map name or None for the top level, that scope's states), for every scope of the file."""

    def walk(name: str | None, states: dict[str, Any]) -> Iterator[tuple[str | None, dict[str, Any]]]:
        yield name, states
        for state_name, state in states.items():
            if "ItemProcessor" in state:
                yield from walk(state_name, state["ItemProcessor"]["States"])

    yield from walk(None, json.loads(ASL.read_text())["States"])


def states() -> Iterator[tuple[str, type[BaseModel], dict[str, Any]]]:
    for scope, scope_states in scopes():
        assert scope in contract.SCOPES, f"Map {scope!r} has no document model in pipeline_contract.SCOPES"
        for name, state in scope_states.items():
            yield name, contract.SCOPES[scope], state


def lambda_contract(name: str, state: dict[str, Any]) -> contract.TaskContract | None:
    parameters = state.get("Parameters", {})
    if "lambda:invoke" not in state.get("Resource", ""):
        return None
    key = FUNCTIONS[parameters["FunctionName"]]
    task = parameters["Payload"][key]
    if key == "task":
        assert task in contract.CONTROL_CONTRACTS, f"{name}: task {task!r} has no contract"
        assert task in pipeline.CONTROL_TASKS, f"{name}: task {task!r} has no handler"
        return contract.CONTROL_CONTRACTS[task]
    handlers = (
        pipeline.TRANSCRIBER_TASKS
        if "TranscribeFunctionArn" in parameters["FunctionName"]
        else pipeline.MEDIA_TASKS
    )
    assert task in handlers, f"{name}: stage {task!r} has no handler"
    return contract.media_contract(task)


def paths_in(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, JSONPath) of every `….$` entry under `value` that reads the state's input (`$.`)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths_in(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from paths_in(item, key)
    elif isinstance(value, str) and key.endswith(".$") and value.startswith("$."):
        yield key, value


ALL_STATES = list(states())


@pytest.mark.parametrize(("name", "document", "state"), ALL_STATES, ids=[s[0] for s in ALL_STATES])
def test_every_path_a_state_reads_is_a_field_of_its_scopes_document(name, document, state):
    for key, path in paths_in(state.get("Parameters", {})):
        resolve(document, path, f"{name} Parameters {key}")
    for field in ("ItemsPath", "MaxConcurrencyPath", "SecondsPath", "InputPath", "OutputPath"):
        if state.get(field):
            resolve(document, state[field], f"{name} {field}")
    for choice in state.get("Choices", []):
        resolve(document, choice["Variable"], f"{name} Choice")


@pytest.mark.parametrize(("name", "document", "state"), ALL_STATES, ids=[s[0] for s in ALL_STATES])
def test_every_path_a_state_writes_is_a_field_of_its_scopes_document(name, document, state):
    selected = state.get("ResultSelector")
    if state.get("ResultPath"):
        target = resolve(document, state["ResultPath"], f"{name} ResultPath")
        if selected is not None:
            for key in selected:
                resolve(
                    target, "$." + key.removesuffix(".$"), f"{name} ResultSelector → {state['ResultPath']}"
                )
    for catch in state.get("Catch", []):
        if catch.get("ResultPath"):
            target = resolve(document, catch["ResultPath"], f"{name} Catch ResultPath")
            assert target is contract.TaskError, f"{name}: a Catch writes {{Error, Cause}}, not {target!r}"


@pytest.mark.parametrize(("name", "document", "state"), ALL_STATES, ids=[s[0] for s in ALL_STATES])
def test_each_lambda_payload_is_its_tasks_input_and_reads_only_its_output(name, document, state):
    task = lambda_contract(name, state)
    if task is None:
        return
    payload = state["Parameters"]["Payload"]
    keys = {k.removesuffix(".$") for k in payload}
    fields = task.input.model_fields
    assert keys <= set(fields), f"{name}: payload keys {sorted(keys - set(fields))} are not input fields"
    required = {n for n, f in fields.items() if f.is_required()}
    assert required <= keys, f"{name}: the payload lacks required fields {sorted(required - keys)}"
    # a callback task's result is what its token is answered with, not the invocation's reply
    reply = "$." if state["Resource"].endswith(".waitForTaskToken") else "$.Payload."
    for key, path in (state.get("ResultSelector") or {}).items():
        assert path.startswith(reply), f"{name}: {key} reads {path}, not the task's reply"
        resolve(task.output, "$." + path.removeprefix(reply), f"{name} ResultSelector {key}")


@pytest.mark.parametrize(("name", "document", "state"), ALL_STATES, ids=[s[0] for s in ALL_STATES])
def test_a_maps_items_are_its_item_model_and_its_selector_builds_its_document(name, document, state):
    if state.get("Type") != "Map":
        return
    assert name in contract.MAP_ITEMS, f"Map {name!r} has no item model in pipeline_contract.MAP_ITEMS"
    item = contract.MAP_ITEMS[name]
    items = resolve(document, state["ItemsPath"], f"{name} ItemsPath")
    assert typing.get_origin(items) is list and typing.get_args(items) == (item,), f"{name}: {items!r}"
    inner = contract.SCOPES[name]
    for key, path in state["ItemSelector"].items():
        resolve(inner, "$." + key.removesuffix(".$"), f"{name} ItemSelector key")
        assert path.startswith("$$.Map.Item.Value."), f"{name}: {key} reads {path}"
        resolve(item, "$." + path.removeprefix("$$.Map.Item.Value."), f"{name} ItemSelector {key}")


def test_the_checker_refuses_a_path_no_model_declares():
    with pytest.raises(AssertionError, match="'videoid', not a field of IterationState"):
        resolve(contract.IterationState, "$.videoid", "state")
    with pytest.raises(AssertionError, match="not a field of GateOutput"):
        resolve(contract.IterationState, "$.gate.decision", "state")


def test_a_payload_that_breaks_the_contract_is_refused_before_any_work(fake):
    with pytest.raises(ValidationError, match="video_id"):
        pipeline.CONTROL_TASKS["check_gate"](fake.ctx, {"task": "check_gate", "batch_id": "b"})
    with pytest.raises(ValidationError, match="retry_delays_seconds"):
        pipeline.CONTROL_TASKS["handle_failure"](
            fake.ctx,
            {"task": "handle_failure", "batch_id": "b", "video_id": "v", "retry_delays_seconds": "60,300"},
        )
    with pytest.raises(ValidationError, match="surprise"):
        pipeline.CONTROL_TASKS["prepare_batch"](
            fake.ctx, {"task": "prepare_batch", "batch_id": "b", "surprise": 1}
        )
