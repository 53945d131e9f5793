"""Hostile requests over real HTTP through the local gateway: the same 4xx as the handler gives, and a
bearer token the JWT authorizer would refuse is a 401 before any handler runs."""

import time

import jwt
import pytest
import requests

from functions.domain.enums import Tier
from reelflow.local.gateway import Gateway
from reelflow.local.tokens import ALGORITHM, AUDIENCE, ISSUER, issue_token, signing_secret
from tests.hostile_inputs import CASES, Hostile


@pytest.fixture(scope="module")
def gateway(local_cloud):
    gw = Gateway().start()
    yield gw
    gw.stop()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_body_gets_its_4xx_over_http(gateway, user_id, case: Hostile):
    reply = requests.post(
        f"{gateway.base_url}/api/batch-jobs",
        data=case.body,
        headers={
            "Authorization": f"Bearer {issue_token(user_id, Tier.CREATOR)}",
            "Content-Type": case.content_type,
        },
        timeout=30,
    )
    assert reply.status_code == case.status, reply.text
    assert set(reply.json()) == {"error", "detail"} and case.detail in reply.json()["detail"]


def test_a_token_without_exp_is_401(gateway, user_id):
    claims = {"sub": user_id, "custom:tier": "pro", "iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time())}
    forever = jwt.encode(claims, signing_secret(), algorithm=ALGORITHM)
    reply = requests.get(
        f"{gateway.base_url}/api/batch-jobs", headers={"Authorization": f"Bearer {forever}"}, timeout=30
    )
    assert reply.status_code == 401
    assert reply.json() == {"error": "Unauthorized", "detail": 'Token is missing the "exp" claim'}
    with_exp = jwt.encode({**claims, "exp": int(time.time()) + 60}, signing_secret(), algorithm=ALGORITHM)
    ok = requests.get(
        f"{gateway.base_url}/api/batch-jobs", headers={"Authorization": f"Bearer {with_exp}"}, timeout=30
    )
    assert ok.status_code == 200


def test_a_body_past_the_gateway_cap_is_a_json_413(gateway, user_id):
    reply = requests.post(
        f"{gateway.base_url}/api/batch-jobs",
        data=b"x" * (17 * 1024**2),
        headers={"Authorization": f"Bearer {issue_token(user_id)}", "Content-Type": "application/json"},
        timeout=60,
    )
    assert reply.status_code == 413 and reply.json()["error"] == "Payload too large"
