"""Local mode runs every function in one interpreter; AWS gives each concurrent invocation an execution
environment of its own. A handler that holds the request at hand in module state (Powertools' resolver,
a batch processor) is therefore run one invocation at a time, and the others side by side."""

import importlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.utilities.batch.base import BasePartialProcessor

from functions.deployment import FUNCTIONS
from reelflow.local import invoker
from reelflow.local.invoker import LocalLambdaContext, invoke_handler

ONE_AT_A_TIME = "tests.probe.one_at_a_time"
SIDE_BY_SIDE = "tests.probe.side_by_side"


class Overlaps:
    """A handler that notes how many of its invocations run at once."""

    def __init__(self, together: threading.Barrier | None = None, seconds: float = 0.05) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.together = together
        self.seconds = seconds

    def __call__(self, event: Any, context: LocalLambdaContext) -> dict[str, Any]:
        remaining = context.get_remaining_time_in_millis()
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        if self.together is not None:
            self.together.wait()  # broken (an error) unless every invocation is running at once
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        return {"remaining_ms": remaining}


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Overlaps]:
    handlers = {
        ONE_AT_A_TIME: Overlaps(seconds=0.6),
        SIDE_BY_SIDE: Overlaps(threading.Barrier(4, timeout=60)),
    }
    monkeypatch.setitem(invoker._ENVIRONMENTS, ONE_AT_A_TIME, threading.Lock())
    for path, handler in handlers.items():
        monkeypatch.setitem(invoker._cache, path, handler)
    return handlers


def _invoke_at_once(path: str, times: int, timeout_seconds: int = 900) -> list[dict[str, Any]]:
    def one(_: int) -> dict[str, Any]:
        raw, errored = invoke_handler(path, {}, LocalLambdaContext(path, timeout_seconds=timeout_seconds))
        assert not errored, raw
        return dict(json.loads(raw))

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(one, range(times)))


def test_a_handler_holding_the_request_in_module_state_runs_one_invocation_at_a_time(
    probes: dict[str, Overlaps],
) -> None:
    results = _invoke_at_once(ONE_AT_A_TIME, 4, timeout_seconds=2)
    assert probes[ONE_AT_A_TIME].most == 1
    # each one's timeout counts from its own start, not from its wait for the environment (the last
    # one waits 1.8 s of its 2)
    assert min(result["remaining_ms"] for result in results) > 1000


def test_other_handlers_run_side_by_side(probes: dict[str, Overlaps]) -> None:
    _invoke_at_once(SIDE_BY_SIDE, 4)
    assert probes[SIDE_BY_SIDE].most == 4


def _holds_request_state(value: object) -> bool:
    return isinstance(value, BaseRouter | BasePartialProcessor)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.id)
def test_every_function_whose_module_holds_a_resolver_or_processor_runs_one_at_a_time(spec: Any) -> None:
    module = importlib.import_module(spec.handler.rpartition(".")[0])
    holders = [name for name, value in vars(module).items() if _holds_request_state(value)]
    assert spec.holds_request_in_module == bool(holders), holders
