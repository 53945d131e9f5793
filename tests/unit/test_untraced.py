"""Tracing off (outside Lambda, or POWERTOOLS_TRACE_DISABLED): traced code runs and raises as before, and
X-Ray's recorder is never built; on Lambda with tracing on, the provider stays X-Ray's."""

import os

import pytest

from tests.helpers import fresh_process_json

PROBE = """
import json, sys
from functions.observability import tracer

@tracer.capture_method
def doubled(value):
    return value * 2

@tracer.capture_method
def broken():
    raise ValueError("kept")

try:
    broken()
    raised = None
except ValueError as error:
    raised = str(error)
print(json.dumps({
    "provider": type(tracer.provider).__module__,
    "xray_loaded": "aws_xray_sdk.core" in sys.modules,
    "doubled": doubled(21),
    "raised": raised,
}))
"""


def test_outside_lambda_nothing_of_x_ray_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    seen = fresh_process_json(PROBE)
    assert seen == {"provider": "functions.untraced", "xray_loaded": False, "doubled": 42, "raised": "kept"}


def test_on_lambda_with_tracing_on_the_provider_is_x_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_TASK_ROOT", os.getcwd())
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    monkeypatch.setenv("AWS_XRAY_SDK_ENABLED", "false")  # no daemon to send to here
    seen = fresh_process_json(PROBE)
    assert seen["provider"].startswith("aws_xray_sdk")
    assert seen["xray_loaded"] is True
    assert (seen["doubled"], seen["raised"]) == (42, "kept")


def test_on_lambda_the_switch_still_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_TASK_ROOT", os.getcwd())
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert fresh_process_json(PROBE)["provider"] == "functions.untraced"
