"""The local gateway serves the built web app at `/` and a local-only sign-in."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from reelflow.local.gateway import Gateway
from reelflow.local.tokens import verify_token


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    gw = Gateway().start()
    yield gw
    gw.stop()


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=root></div>")
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("outside")
    monkeypatch.setenv("REELFLOW_WEB_DIST", str(tmp_path))
    return tmp_path


def test_without_built_assets_the_root_says_how_to_build_them(gateway, tmp_path, monkeypatch):
    monkeypatch.setenv("REELFLOW_WEB_DIST", str(tmp_path / "missing"))
    answer = requests.get(f"{gateway.base_url}/", timeout=5)
    assert answer.status_code == 503
    assert "npm ci" in answer.text and "npm run build" in answer.text


def test_assets_are_served_with_long_caching_and_routes_fall_back_to_index(gateway, dist):
    asset = requests.get(f"{gateway.base_url}/assets/app-abc123.js", timeout=5)
    assert asset.text == "console.log(1)" and "immutable" in asset.headers["Cache-Control"]
    for route in ("/", "/batches/abc", "/usage"):
        page = requests.get(f"{gateway.base_url}{route}", timeout=5)
        assert page.status_code == 200 and page.text == "<div id=root></div>"
        assert page.headers["Cache-Control"] == "no-cache"
    assert requests.get(f"{gateway.base_url}/assets/missing.js", timeout=5).status_code == 404


def test_text_assets_are_sent_compressed_preferring_the_builds_precompressed_files(gateway, dist):
    script = "console.log('reelflow');\n" * 400
    (dist / "assets" / "big-abc.js").write_text(script)
    (dist / "assets" / "pre-abc.js").write_text(script)
    (dist / "assets" / "pre-abc.js.br").write_bytes(b"brotli bytes from the build")
    url = f"{gateway.base_url}/assets"

    on_the_fly = requests.get(f"{url}/big-abc.js", headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert on_the_fly.headers["Content-Encoding"] == "gzip" and on_the_fly.text == script
    assert "immutable" in on_the_fly.headers["Cache-Control"]

    built = requests.get(f"{url}/pre-abc.js", headers={"Accept-Encoding": "br, gzip"}, stream=True, timeout=5)
    assert built.headers["Content-Encoding"] == "br"
    assert built.raw.read(decode_content=False) == b"brotli bytes from the build"

    plain = requests.get(f"{url}/pre-abc.js", headers={"Accept-Encoding": "identity"}, timeout=5)
    assert "Content-Encoding" not in plain.headers and plain.text == script


def test_paths_outside_the_assets_folder_are_not_served(gateway, dist):
    answer = requests.get(f"{gateway.base_url}/%2e%2e/secret.txt", timeout=5)
    assert "outside" not in answer.text


def test_api_routes_are_not_shadowed_by_the_web_app(gateway, dist):
    answer = requests.get(f"{gateway.base_url}/api/batch-jobs", timeout=5)
    assert answer.status_code == 401


def test_local_sign_in_lists_plans_and_mints_a_token_the_gateway_accepts(gateway):
    plans = requests.get(f"{gateway.base_url}/local/plans", timeout=5).json()["plans"]
    assert [p["tier"] for p in plans] == ["free", "creator", "pro"]
    assert plans[2]["max_videos_per_batch"] == 50
    minted = requests.post(
        f"{gateway.base_url}/local/token", json={"user_id": "alice", "tier": "creator"}, timeout=5
    )
    assert minted.status_code == 200
    claims = verify_token(minted.json()["token"])
    assert claims["sub"] == "alice" and claims["custom:tier"] == "creator"


@pytest.mark.parametrize(
    "body", [{"user_id": "alice", "tier": "gold"}, {"tier": "free"}, {"user_id": "a b/c", "tier": "free"}]
)
def test_minting_rejects_bad_input_with_a_400(gateway, body):
    answer = requests.post(f"{gateway.base_url}/local/token", json=body, timeout=5)
    assert answer.status_code == 400 and set(answer.json()) == {"error", "detail"}


def test_config_json_points_the_web_app_at_this_gateway_with_local_sign_in(gateway, dist):
    answer = requests.get(f"{gateway.base_url}/config.json", timeout=5)
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.json() == {
        "auth": "local",
        "apiUrl": gateway.base_url,
        "webSocketUrl": gateway.ws_url,
    }
