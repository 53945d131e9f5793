"""The HTTP API's routes and error mapping on fakes: the resolver, the Routers and the use cases, no moto."""

import json
from typing import Any

import pytest

from functions.handlers import api as api_module
from functions.handlers.routes import batches as batch_routes
from reelflow.local.gateway import build_event
from reelflow.local.invoker import LocalLambdaContext


@pytest.fixture
def call(fake, monkeypatch):
    monkeypatch.setattr(batch_routes, "services", lambda: fake.ctx)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    def send(method: str, path: str, body: Any = None, user: str | None = "alice") -> tuple[int, Any]:
        claims = {"sub": user, "custom:tier": "creator"} if user else None
        payload = json.dumps(body).encode() if body is not None else b""
        event = build_event(method, path, "", {"content-type": "application/json"}, payload, claims)
        result = api_module.handler(event, LocalLambdaContext(function_name="reelflow-api"))
        return result["statusCode"], json.loads(result["body"]) if result.get("body") else None

    return send


def test_create_read_and_the_error_shapes(call):
    status, created = call("POST", "/api/batch-jobs", {"name": "b", "video_count": 2})
    assert status == 201 and len(created["uploads"]) == 2
    batch_id = created["batch_job"]["id"]
    assert call("GET", f"/api/batch-jobs/{batch_id}")[1]["total_videos"] == 2
    assert call("GET", f"/api/batch-jobs/{batch_id}", user="bob") == (
        404,
        {"error": "Batch job not found", "detail": f"No batch job with id '{batch_id}' exists for this user"},
    )
    status, reply = call("POST", f"/api/batch-jobs/{batch_id}/start")
    assert status == 409 and reply["error"] == "Videos not uploaded"
    assert call("GET", "/api/batch-jobs", user=None)[0] == 401
    status, reply = call("POST", "/api/batch-jobs", {"name": ""})
    assert status == 422 and reply["error"] == "Validation failed"
    assert call("GET", "/api/nothing")[0] == 404
