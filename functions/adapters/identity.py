"""Cognito ID tokens checked against the user pool's published keys (for WebSocket connects, where
API Gateway offers no JWT authorizer)."""

from functools import cache
from typing import Any

import jwt


class TokenRejected(Exception):
    pass


@cache
def _keys(issuer: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json", cache_keys=True)


def verify_id_token(token: str, issuer: str, audience: str) -> dict[str, Any]:
    try:
        key = _keys(issuer).get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer
        )
    except jwt.PyJWTError as error:
        raise TokenRejected(str(error)) from error
    if claims.get("token_use") != "id":
        raise TokenRejected("an ID token is required")
    return claims
