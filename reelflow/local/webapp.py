"""The web app in local mode: built assets at `/` (SPA fallback) and a local-only sign-in.

`/local/plans` lists the plans and `/local/token` mints a local bearer token for one of them, so the
browser can sign in without Cognito. These routes exist only on the local gateway; the deployed app
signs in with Cognito and is served by CloudFront.
"""

import os
import re
from dataclasses import asdict
from pathlib import Path

from aiohttp import web

from functions.domain.enums import Tier
from functions.domain.quotas import limits_for
from reelflow.local.tokens import issue_token

COMPRESSIBLE = {".js", ".css", ".html", ".svg", ".json", ".map", ".txt"}
DEFAULT_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
USER_ID = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>reelflow</title></head>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>The reelflow web app is not built</h1>
<p>No built assets in <code>{dist}</code>. Build them (Node.js 20+ and npm):</p>
<pre>./dev web          # or: cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>then reload this page. The API itself is running at <a href="/api/docs">/api/docs</a>.</p>
</body></html>"""


def dist_dir() -> Path:
    return Path(os.environ.get("REELFLOW_WEB_DIST", DEFAULT_DIST))


async def list_plans(_: web.Request) -> web.Response:
    plans = [{"tier": tier.value, **asdict(limits_for(tier))} for tier in Tier]
    return web.json_response({"plans": plans})


async def mint_token(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        user_id, tier = str(body["user_id"]), Tier(body["tier"])
    except (ValueError, KeyError, TypeError):
        return web.json_response(
            {"error": "Bad Request", "detail": 'send {"user_id": "...", "tier": "free|creator|pro"}'},
            status=400,
        )
    if not USER_ID.match(user_id):
        return web.json_response(
            {"error": "Bad Request", "detail": "user_id: 1-64 letters, digits or . _ @ -"}, status=400
        )
    return web.json_response({"token": issue_token(user_id, tier), "user_id": user_id, "tier": tier.value})


async def runtime_config(request: web.Request) -> web.Response:
    """The same /config.json the deployment writes into the web bucket, with this gateway's URLs."""
    origin = f"{request.scheme}://{request.host}"
    socket = f"{'wss' if request.scheme == 'https' else 'ws'}://{request.host}/ws"
    return web.json_response(
        {"auth": "local", "apiUrl": origin, "webSocketUrl": socket}, headers={"Cache-Control": "no-cache"}
    )


def _file(path: Path, cache: str) -> web.FileResponse:
    """A built file, compressed for browsers that accept it: the build's `.br`/`.gz` sibling when it
    wrote one (aiohttp picks it), otherwise gzip on the fly for text."""
    response = web.FileResponse(path, headers={"Cache-Control": cache})
    if path.suffix in COMPRESSIBLE:
        response.enable_compression()
    return response


async def serve_asset(request: web.Request) -> web.StreamResponse:
    root = dist_dir().resolve()
    index = root / "index.html"
    if not index.is_file():
        return web.Response(status=503, text=NOT_BUILT.format(dist=root), content_type="text/html")
    candidate = (root / request.match_info["tail"]).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        immutable = candidate.parent.name == "assets"  # Vite puts a content hash in these names
        cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
        return _file(candidate, cache)
    if Path(request.match_info["tail"]).suffix:  # a missing file, not a client-side route
        return web.json_response({"error": "Not Found", "detail": request.path}, status=404)
    return _file(index, "no-cache")


def register_webapp(app: web.Application) -> None:
    """Call after the API routes: the catch-all GET must come last."""
    app.router.add_get("/local/plans", list_plans)
    app.router.add_post("/local/token", mint_token)
    app.router.add_get("/config.json", runtime_config)
    app.router.add_get("/{tail:.*}", serve_asset)
