"""Property-based: schemathesis sends generated requests for every operation of the OpenAPI document (the
one generated from the code, so routes added later are covered too) to the local gateway over HTTP, and
fails on any 5xx, any undocumented status code or content type, and any body off its documented schema."""

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from functions.domain.enums import Tier
from functions.handlers.api import app
from reelflow.local.gateway import Gateway
from reelflow.local.tokens import issue_token

MAX_EXAMPLES = int(os.environ.get("REELFLOW_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(json.loads(app.get_openapi_json_schema()))


@pytest.fixture(scope="module")
def gateway(local_cloud):
    gw = Gateway().start()
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def token(local_cloud) -> str:
    return issue_token("schemathesis-user", Tier.PRO)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_answers_as_documented(case, gateway, token):
    case.call_and_validate(
        base_url=gateway.base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, timeout=30
    )
