"""Unit tests run on in-memory fakes: no sockets (a test that opens one fails), no moto, milliseconds."""

import json
import os
import socket
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from functions.domain.enums import Tier
from functions.services.batches import Caller
from reelflow.local.gateway import build_event
from reelflow.local.invoker import LocalLambdaContext
from tests.fakes.container import FakeServices, fake_services
from tests.thread_guard import product_threads


class NetworkBlocked(RuntimeError):
    pass


class _NoSocket(socket.socket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NetworkBlocked("unit tests must not open sockets; use the fakes in reelflow/fakes")


@pytest.fixture(autouse=True, scope="module")
def no_threads_left_by_other_tests() -> None:
    """Unit tests run on fakes: a thread still running product code or moto here was left by an earlier
    (integration) test, and would meet the socket block below. Reported, with where it is, once per
    module; the tests themselves go on."""
    left = product_threads()
    if left:
        listed = "; ".join(f"{thread.name} at {where}" for thread, where in left)
        warnings.warn(pytest.PytestWarning(f"threads left running by earlier tests: {listed}"), stacklevel=1)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "socket", _NoSocket)
    monkeypatch.setattr(socket, "create_connection", _NoSocket)


@pytest.fixture(autouse=True)
def no_deployment_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fakes' configuration is what a test gives it: variables the session's embedded AWS exported for
    its own functions (the caps of tests/conftest.py's UNCAPPED) must not leak in when unit tests run after
    the integration tests in one session."""
    for name in [n for n in os.environ if n.startswith("REELFLOW_CAPACITY_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def fake(tmp_path: Path) -> FakeServices:
    return fake_services(tmp_path)


@pytest.fixture
def alice() -> Caller:
    return Caller(user_id="alice", tier=Tier.CREATOR)


@pytest.fixture
def call(fake: FakeServices, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, Any]]:
    """The API handler as API Gateway calls it, with the batch and control routes on the fakes."""
    from functions.handlers import api as api_module
    from functions.handlers.routes import batches as batch_routes
    from functions.handlers.routes import control as control_routes

    monkeypatch.setattr(batch_routes, "services", lambda: fake.ctx)
    monkeypatch.setattr(control_routes, "services", lambda: fake.ctx)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    def send(method: str, path: str, body: Any = None, user: str = "alice") -> tuple[int, Any]:
        claims = {"sub": user, "custom:tier": "creator"}
        payload = json.dumps(body).encode() if body is not None else b""
        event = build_event(method, path, "", {"content-type": "application/json"}, payload, claims)
        result = api_module.handler(event, LocalLambdaContext(function_name="reelflow-api"))
        return result["statusCode"], json.loads(result["body"]) if result.get("body") else None

    return send
