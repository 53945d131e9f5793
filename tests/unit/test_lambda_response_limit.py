"""Lambda refuses a synchronous response over 6 MB (a function error); local mode's invoker does too, so a
response that would fail on AWS fails in local mode and its tests."""

import json
from typing import Any

import pytest

from reelflow.local import invoker
from reelflow.local.invoker import RESPONSE_LIMIT_BYTES, LocalLambdaContext, invoke_handler

PROBE = "tests.probe.sized_response"


@pytest.fixture
def respond_with(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    size = {"bytes": 0}

    def handler(event: Any, context: LocalLambdaContext) -> dict[str, str]:
        return {"body": "x" * (size["bytes"] - len('{"body": ""}'))}

    monkeypatch.setitem(invoker._cache, PROBE, handler)
    return size


def test_a_response_of_exactly_the_limit_is_returned(respond_with: dict[str, int]) -> None:
    respond_with["bytes"] = RESPONSE_LIMIT_BYTES
    raw, errored = invoke_handler(PROBE, {}, LocalLambdaContext(PROBE))
    assert not errored and len(raw) == RESPONSE_LIMIT_BYTES


def test_a_larger_response_fails_the_invocation_as_lambda_does(respond_with: dict[str, int]) -> None:
    respond_with["bytes"] = RESPONSE_LIMIT_BYTES + 1
    raw, errored = invoke_handler(PROBE, {}, LocalLambdaContext(PROBE))
    error = json.loads(raw)
    assert errored and error["errorType"] == "Function.ResponseSizeTooLarge"
    assert f"({RESPONSE_LIMIT_BYTES + 1} bytes)" in error["errorMessage"]
