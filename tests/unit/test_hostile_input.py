"""Hostile requests through the API handler (Lambda event in, response out): a 4xx with the reason in the
{error, detail} shape, never a 500."""

import base64
import json
from typing import Any

import pytest

from functions.handlers import api as api_module
from functions.handlers.routes import batches as batch_routes
from reelflow.local.gateway import build_event
from reelflow.local.invoker import LocalLambdaContext
from tests.hostile_inputs import CASES, Hostile


@pytest.fixture
def send(fake, monkeypatch):
    monkeypatch.setattr(batch_routes, "services", lambda: fake.ctx)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    def call(event: dict[str, Any]) -> tuple[int, Any]:
        result = api_module.handler(event, LocalLambdaContext(function_name="reelflow-api"))
        return result["statusCode"], json.loads(result["body"])

    return call


def event_for(case: Hostile) -> dict[str, Any]:
    claims = {"sub": "alice", "custom:tier": "creator"}
    return build_event("POST", "/api/batch-jobs", "", {"content-type": case.content_type}, case.body, claims)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_body_gets_its_4xx(send, case):
    status, body = send(event_for(case))
    assert status == case.status
    assert set(body) == {"error", "detail"} and case.detail in body["detail"]


def test_a_text_body_that_api_gateway_base64_encoded_is_read_the_same(send):
    event = event_for(CASES[-2])
    event["body"], event["isBase64Encoded"] = base64.b64encode(CASES[-2].body).decode(), True
    assert send(event)[0] == 422
    event["body"], event["isBase64Encoded"] = "not base64 at all!", True
    assert send(event) == (400, {"error": "Malformed body", "detail": "the body is not valid base64"})


def test_a_valid_body_still_creates(send):
    body = json.dumps({"name": "Ünïcode talk 🎬", "description": "two\nlines", "video_count": 2}).encode()
    status, created = send(
        build_event(
            "POST",
            "/api/batch-jobs",
            "",
            {"content-type": "application/json; charset=utf-8"},
            body,
            {"sub": "alice", "custom:tier": "creator"},
        )
    )
    assert status == 201 and created["batch_job"]["name"] == "Ünïcode talk 🎬"


def test_a_get_with_an_odd_content_type_is_not_refused(send):
    event = build_event("GET", "/api/batch-jobs", "", {"content-type": "text/plain"}, b"", {"sub": "alice"})
    assert send(event)[0] == 200
