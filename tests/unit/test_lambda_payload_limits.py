"""Lambda refuses a synchronous request over 6 MB (a 413, the function never runs) and a response over
6 MB (a function error); local mode's invoker does too, so what would fail on AWS fails in local mode and
its tests."""

import json
from typing import Any

import pytest

from reelflow.local import invoker
from reelflow.local.invoker import (
    REQUEST_LIMIT_BYTES,
    RESPONSE_LIMIT_BYTES,
    LocalLambdaContext,
    RequestTooLarge,
    invoke_handler,
)

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


def sized_event(size: int) -> dict[str, str]:
    return {"body": "x" * (size - len('{"body": ""}'))}


def test_a_request_of_exactly_the_limit_runs_the_function(respond_with: dict[str, int]) -> None:
    respond_with["bytes"] = 100
    raw, errored = invoke_handler(PROBE, sized_event(REQUEST_LIMIT_BYTES), LocalLambdaContext(PROBE))
    assert not errored and len(raw) == 100


def test_a_larger_request_is_refused_before_the_function_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[Any] = []
    monkeypatch.setitem(invoker._cache, PROBE, lambda event, context: ran.append(event))
    with pytest.raises(RequestTooLarge) as refused:
        invoke_handler(PROBE, sized_event(REQUEST_LIMIT_BYTES + 1), LocalLambdaContext(PROBE))
    assert refused.value.code == 413 and refused.value.error_type == "RequestEntityTooLargeException"
    assert str(REQUEST_LIMIT_BYTES) in refused.value.message and ran == []
