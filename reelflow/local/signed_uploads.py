"""The local S3 front checks presigned uploads as S3 does (moto does not verify signatures).

A presigned PUT (PutObject, UploadPart) signs headers, Content-Length and Content-Type among them: S3
recomputes the SigV4 signature from the request it receives and answers 403 SignatureDoesNotMatch when a
body has another size or type than the one signed, and 403 AccessDenied once the URL has expired. This
WSGI middleware in front of moto's server does the same for URLs signed with the local credentials, so
local mode refuses what AWS refuses, before the body is stored or an event is sent.
"""

import hashlib
import hmac
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote, unquote

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ALGORITHM = "AWS4-HMAC-SHA256"


def _query_pairs(raw_query: str) -> list[tuple[str, str]]:
    pairs = []
    for item in raw_query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def _header(environ: dict[str, Any], name: str) -> str | None:
    if name == "content-length":
        value = environ.get("CONTENT_LENGTH")
    elif name == "content-type":
        value = environ.get("CONTENT_TYPE")
    else:
        value = environ.get("HTTP_" + name.upper().replace("-", "_"))
    return None if value in (None, "") else " ".join(str(value).split())


def _sign(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def expected_signature(environ: dict[str, Any], params: dict[str, str], secret: str) -> str:
    """SigV4 of the request as received (query-string auth, unsigned payload)."""
    raw_uri = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
    path = raw_uri.split("?", 1)[0]
    query = sorted(
        (quote(name, safe="-_.~"), quote(value, safe="-_.~"))
        for name, value in _query_pairs(str(environ.get("QUERY_STRING", "")))
        if name != "X-Amz-Signature"
    )
    signed = params["X-Amz-SignedHeaders"].split(";")
    headers = "".join(f"{name}:{_header(environ, name) or ''}\n" for name in signed)
    canonical = "\n".join(
        [
            str(environ["REQUEST_METHOD"]),
            path,
            "&".join(f"{k}={v}" for k, v in query),
            headers,
            params["X-Amz-SignedHeaders"],
            "UNSIGNED-PAYLOAD",
        ]
    )
    _, date, region, service, terminal = params["X-Amz-Credential"].split("/")
    scope = f"{date}/{region}/{service}/{terminal}"
    to_sign = "\n".join(
        [ALGORITHM, params["X-Amz-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, terminal):
        key = _sign(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class Secrets(Protocol):
    def get(self, access_key: str, /) -> str | None: ...


def refusal(environ: dict[str, Any], secrets: Secrets, now: datetime) -> tuple[str, str] | None:
    """(S3 error code, message) when S3 would refuse this presigned request, else None. The method is
    part of what is signed: a URL presigned for PUT is refused for GET or DELETE. A browser's CORS
    preflight (OPTIONS) carries no signature of its own: S3 answers it from the bucket's CORS rules."""
    if environ.get("REQUEST_METHOD") == "OPTIONS":
        return None
    params = dict(_query_pairs(str(environ.get("QUERY_STRING", ""))))
    if params.get("X-Amz-Algorithm") != ALGORITHM or "X-Amz-Signature" not in params:
        return None
    access_key = params.get("X-Amz-Credential", "").split("/", 1)[0]
    secret = secrets.get(access_key)
    if secret is None:  # signed with credentials this front does not know: moto's own behaviour
        return None
    signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if now > signed_at + timedelta(seconds=int(params.get("X-Amz-Expires", "0"))):
        return "AccessDenied", "Request has expired"
    if not hmac.compare_digest(expected_signature(environ, params, secret), params["X-Amz-Signature"]):
        return (
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided "
            "(the body's Content-Length or Content-Type differs from the signed one)",
        )
    return None


class PresignedUploadCheck:
    """WSGI middleware: refuse a presigned request whose signature does not match, as S3 does."""

    def __init__(self, app: WSGIApp, secrets: Secrets) -> None:
        self.app = app
        self.secrets = secrets

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        refused = refusal(environ, self.secrets, datetime.now(UTC))
        if refused is None:
            return self.app(environ, start_response)
        code, message = refused
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ).encode()
        start_response(
            "403 Forbidden",
            [
                ("Content-Type", "application/xml"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
            ],
        )
        return [body]
