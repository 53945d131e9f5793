"""Bearer tokens for the local gateway, shaped like Cognito ID tokens (sub + custom:tier).

They are signed with a secret kept in the local state folder (or $REELFLOW_LOCAL_JWT_SECRET) and are
only ever accepted by the local gateway; in AWS, API Gateway's JWT authorizer checks Cognito's tokens.
"""

import os
import secrets
import time
from typing import Any

import jwt

from functions.domain.enums import Tier
from reelflow.local.home import home

ISSUER = "reelflow-local"
AUDIENCE = "reelflow"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    pass


def signing_secret() -> str:
    explicit = os.environ.get("REELFLOW_LOCAL_JWT_SECRET")
    if explicit:
        return explicit
    path = home() / "jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def issue_token(user_id: str, tier: Tier = Tier.FREE, ttl_seconds: int = 12 * 3600) -> str:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "custom:tier": tier.value,
        "token_use": "id",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, signing_secret(), algorithm=ALGORITHM)


def verify_token(token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_secret(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub"]},  # like the JWT authorizer: no exp, no entry
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    return claims


def bearer_claims(authorization: str | None) -> dict[str, Any]:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise InvalidToken("missing 'Authorization: Bearer <token>' header (get one with `reelflow token`)")
    return verify_token(authorization.split(" ", 1)[1].strip())
