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
        path, _, query = path.partition("?")
        event = build_event(method, path, query, {"content-type": "application/json"}, payload, claims)
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
    assert status == 400 and reply["error"] == "All videos must be uploaded before starting"
    assert reply["detail"].startswith("2 of 2 videos are not uploaded yet: ")  # the files, by name
    assert call("GET", "/api/batch-jobs", user=None)[0] == 401
    status, reply = call("POST", "/api/batch-jobs", {"name": ""})
    assert status == 422 and reply["error"] == "Validation failed"
    assert call("GET", "/api/nothing")[0] == 404


def test_usage_per_period_and_a_bad_period(call, fake, monkeypatch):
    from functions.handlers.routes import usage as usage_routes

    monkeypatch.setattr(usage_routes, "services", lambda: fake.ctx)
    call("POST", "/api/batch-jobs", {"name": "b", "video_count": 2})
    status, report = call("GET", "/api/usage?period=day")
    assert status == 200 and report["period"] == "day" and len(report["periods"]) == 7
    assert report["periods"][0]["batches"] == 1 and report["periods"][0]["success_rate"] is None
    assert call("GET", "/api/usage", user="bob")[1]["total"]["batches"] == 0
    status, reply = call("GET", "/api/usage?period=year")
    assert status == 422 and reply["error"] == "Validation failed"
    assert call("GET", "/api/usage", user=None)[0] == 401
