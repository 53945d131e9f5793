"""The local gateway over real HTTP: tokens checked like API Gateway's JWT authorizer, presigned PUTs."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from functions.domain.enums import Tier
from reelflow.local.gateway import Gateway
from reelflow.local.tokens import issue_token


@pytest.fixture(scope="module")
def gateway(local_cloud):
    gw = Gateway().start()
    yield gw
    gw.stop()


def test_a_client_that_only_knows_http_runs_a_whole_batch(gateway, clips, user_id):
    headers = {"Authorization": f"Bearer {issue_token(user_id, Tier.CREATOR)}"}
    base = f"{gateway.base_url}/api"
    clip = clips[".mp4"]
    created = requests.post(
        f"{base}/batch-jobs",
        headers=headers,
        timeout=30,
        json={
            "name": "over http",
            "files": [{"name": clip.name, "size": clip.stat().st_size}],
            "settings": {
                "transcribe": False,
                "remove_silence": False,
                "detect_highlights": False,
                "export_quality": "720p",
            },
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["batch_job"]["user_id"] == user_id and body["batch_job"]["tier"] == "creator"
    target = body["uploads"][0]
    put = requests.put(body["upload_urls"][0], data=clip.read_bytes(), headers=target["headers"], timeout=30)
    assert put.status_code == 200
    batch_id = body["batch_job"]["id"]
    assert (
        requests.post(f"{base}/batch-jobs/{batch_id}/start", headers=headers, timeout=30).status_code == 200
    )
    deadline = time.monotonic() + 120
    while True:
        batch = requests.get(f"{base}/batch-jobs/{batch_id}", headers=headers, timeout=30).json()
        if batch["status"] == "completed" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert batch["status"] == "completed"
    output = requests.get(batch["videos"][0]["output_video_url"], timeout=30)
    assert output.status_code == 200 and output.content[4:8] == b"ftyp"


def test_missing_or_forged_tokens_are_401(gateway):
    base = f"{gateway.base_url}/api"
    assert requests.get(f"{base}/batch-jobs", timeout=10).status_code == 401
    forged = requests.get(f"{base}/batch-jobs", headers={"Authorization": "Bearer abc.def.ghi"}, timeout=10)
    assert forged.status_code == 401 and forged.json()["error"] == "Unauthorized"


def test_health_and_docs_need_no_token(gateway):
    assert requests.get(f"{gateway.base_url}/api/health", timeout=10).json() == {"status": "ok"}
    docs = requests.get(f"{gateway.base_url}/api/docs", params={"format": "json"}, timeout=10)
    assert docs.status_code == 200 and "/api/batch-jobs" in docs.json()["paths"]


@pytest.mark.parametrize(("megabytes", "refused_by"), [(7, "InvokeFunction"), (11, "10485760 bytes")])
def test_a_body_lambda_or_api_gateway_would_refuse_is_a_json_413(gateway, user_id, megabytes, refused_by):
    """7 MB passes API Gateway's 10 MB but not Lambda's 6 MB invocation limit (the handler, which refuses
    a body over 1 MB itself, never runs); 11 MB passes neither."""
    headers = {
        "Authorization": f"Bearer {issue_token(user_id, Tier.FREE)}",
        "Content-Type": "application/json",
    }
    body = b'{"name": "' + b"x" * (megabytes * 1024 * 1024) + b'"}'
    reply = requests.post(f"{gateway.base_url}/api/batch-jobs", data=body, headers=headers, timeout=60)
    assert reply.status_code == 413 and reply.json()["error"] == "Payload too large"
    assert refused_by in reply.json()["detail"]
    assert requests.get(f"{gateway.base_url}/api/health", timeout=10).status_code == 200


@pytest.fixture
def slow_api(monkeypatch):
    """The API's handler answers 200 after `seconds["handler"]`; the integration timeout is 0.5 s."""
    from reelflow.local import gateway as gateway_module
    from reelflow.local import invoker

    seconds = {"handler": 0.0}

    def handler(event, context):
        time.sleep(seconds["handler"])
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}

    monkeypatch.setitem(invoker._cache, gateway_module.API_HANDLER, handler)
    monkeypatch.setattr(gateway_module, "INTEGRATION_TIMEOUT_SECONDS", 0.5)
    return seconds


def test_an_api_answer_later_than_the_integration_timeout_is_a_503(gateway, user_id, slow_api):
    headers = {"Authorization": f"Bearer {issue_token(user_id, Tier.FREE)}"}
    slow_api["handler"] = 2.0
    reply = requests.get(f"{gateway.base_url}/api/batch-jobs", headers=headers, timeout=30)
    assert reply.status_code == 503 and reply.json()["error"] == "Service Unavailable"


def test_the_integration_timeout_counts_from_the_handlers_start(gateway, user_id, slow_api):
    """Locally the API's requests queue for its one environment: four at once each take 0.3 s of
    handler time, so the last starts after ~0.9 s of waiting, and each still answers (AWS would run them
    side by side)."""
    headers = {"Authorization": f"Bearer {issue_token(user_id, Tier.FREE)}"}
    slow_api["handler"] = 0.3
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(
            pool.map(
                lambda _: requests.get(f"{gateway.base_url}/api/batch-jobs", headers=headers, timeout=60),
                range(4),
            )
        )
    assert [r.status_code for r in replies] == [200] * 4


def test_query_strings_reach_the_handler(gateway, user_id):
    headers = {"Authorization": f"Bearer {issue_token(user_id, Tier.FREE)}"}
    reply = requests.get(f"{gateway.base_url}/api/batch-jobs?limit=500", headers=headers, timeout=10)
    assert reply.status_code == 422 and "limit" in reply.json()["detail"]


def test_concurrent_requests_each_get_their_own_answer(gateway, user_id):
    """The browser sends several requests at once; on AWS each runs in an environment of its own. Local
    mode runs them in one interpreter, where the API's resolver keeps one request's state at a time."""
    headers = {"Authorization": f"Bearer {issue_token(user_id, Tier.CREATOR)}"}
    base = f"{gateway.base_url}/api"

    def create(n: int) -> requests.Response:
        body = {"name": f"concurrent {n}", "files": [{"name": f"v{n}.mp4", "size": 1000}]}
        return requests.post(f"{base}/batch-jobs", headers=headers, json=body, timeout=60)

    def read(n: int) -> requests.Response:
        return requests.get(f"{base}/batch-jobs?limit=5", headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda n: (create if n % 2 else read)(n), range(48)))
    statuses = sorted({reply.status_code for reply in replies})
    assert statuses == [200, 201], [reply.text for reply in replies if reply.status_code >= 500][:3]
    names = {reply.json()["batch_job"]["name"] for reply in replies if reply.status_code == 201}
    assert names == {f"concurrent {n}" for n in range(1, 48, 2)}
