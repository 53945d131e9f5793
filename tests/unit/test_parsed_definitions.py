"""A state machine's definition is parsed once per process; each execution still gets components of its
own, and a refused definition is refused every time."""

import json
from collections import OrderedDict
from typing import Any

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import ASLParserException

from reelflow.local.patches import parsed_definitions

DEFINITION = {
    "StartAt": "Add",
    "States": {
        "Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = parsed_definitions._parse

    def counted(text: str) -> Any:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(parsed_definitions, "_parse", counted)
    monkeypatch.setattr(parsed_definitions, "_trees", OrderedDict())
    return seen


def test_the_tree_is_kept_and_each_execution_gets_new_components(parses: list[str]) -> None:
    text = json.dumps(DEFINITION)
    first, tree = parsed_definitions.parse(text)
    second, kept = parsed_definitions.parse(text)
    assert parses == [text]
    assert kept is tree
    assert second is not first and type(second) is type(first)
    assert second.states.states.keys() == first.states.states.keys() == {"Add", "Done"}
    assert second.states.states["Add"] is not first.states.states["Add"]


def test_a_refused_definition_is_parsed_and_refused_every_time(parses: list[str]) -> None:
    broken = json.dumps(DEFINITION)[:-2]
    for _ in range(2):
        with pytest.raises(ASLParserException):
            parsed_definitions.parse(broken)
    assert parses == [broken, broken]


def test_only_the_last_definitions_are_kept(parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed_definitions, "KEPT", 2)
    texts = [json.dumps({**DEFINITION, "Comment": str(i)}) for i in range(3)]
    for text in texts:
        parsed_definitions.parse(text)
    parsed_definitions.parse(texts[2])
    parsed_definitions.parse(texts[0])  # forgotten: parsed again
    assert parses == [*texts, texts[0]]
