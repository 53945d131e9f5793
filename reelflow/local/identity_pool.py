"""Local mode's Cognito for the drop folder: a user pool and the CLI's app client (moto's cognito-idp), an
identity pool (moto's cognito-identity, made as strict as Cognito here), and the creator role whose
policy holds for every request signed with the credentials it hands out.

What moto lacks, and what this module does instead:
- moto's `GetId` ignores `Logins` and `GetCredentialsForIdentity` returns the same fake keys to anyone.
  Here both require an ID token the user pool issued (to one of the pool's app clients, not expired),
  one identity per user, and the credentials are a real STS session of the creator role in the
  embedded IAM, for one hour, as Cognito's are.
- The identity pool maps the token's `sub` to the principal tag `user_id` on AWS; here the session is
  tagged `user_id` = `sub` when the credentials are issued. The role holds `creator_policy` as
  deployed, `${aws:PrincipalTag/user_id}` and all, and local mode's one IAM evaluator (access_control,
  policy_evaluation) resolves the tag and checks every request those credentials sign, whether or not
  the functions' enforcement is on. docs/local-mode.md lists the differences.
"""

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto.cognitoidentity.responses import CognitoIdentityResponse
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.exceptions import JsonRESTError

from functions.domain.drop_access import USER_ID_TAG, creator_policy
from reelflow.local.access_control import credentials_for_role

CREATOR_ROLE = "DropFolderCreator"  # the identity pool's authenticated role, one for every creator
# As infra/drop_identity.py deploys it: only the identity pool may assume it, and tag the session.
CREATOR_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        }
    ],
}


class Refused(Exception):
    """Cognito's NotAuthorizedException: the token is not one the pool accepts."""


@dataclass(frozen=True)
class DropIdentityConfig:
    """What a drop-folder client needs: the local twins of the CDK app's outputs."""

    region: str
    user_pool_id: str
    client_id: str
    identity_pool_id: str
    bucket: str
    endpoint: str

    @property
    def provider(self) -> str:
        return f"cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


@dataclass
class _State:
    account: str = ""
    region: str = ""
    endpoint: str = ""
    key: str = ""
    pools: dict[str, DropIdentityConfig] = field(default_factory=dict)  # by identity pool id
    identities: dict[tuple[str, str], str] = field(default_factory=dict)  # (pool, sub) -> identity id
    owners: dict[str, str] = field(default_factory=dict)  # identity id -> sub
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def _client(service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=_state.endpoint,
        region_name=_state.region,
        aws_access_key_id=_state.key,
        aws_secret_access_key=_state.key,
    )


def provision(endpoint: str, account: str, key: str, region: str, bucket: str) -> DropIdentityConfig:
    """The user pool, the CLI's client and the identity pool, as infra/drop_identity.py deploys them."""
    _state.account, _state.region, _state.endpoint, _state.key = account, region, endpoint, key
    idp = _client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="reelflow-local-creators")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="reelflow-cli",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    identity = _client("cognito-identity")
    provider = f"cognito-idp.{region}.amazonaws.com/{pool_id}"
    identity_pool_id = identity.create_identity_pool(
        IdentityPoolName="reelflow_local_creators",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[
            {"ProviderName": provider, "ClientId": client_id, "ServerSideTokenCheck": True}
        ],
    )["IdentityPoolId"]
    config = DropIdentityConfig(region, pool_id, client_id, identity_pool_id, bucket, endpoint)
    _state.pools[identity_pool_id] = config
    return config


def add_creator(config: DropIdentityConfig, username: str, password: str) -> str:
    """A confirmed user of the pool with a permanent password; their `sub` (the API's user id)."""
    idp = _client("cognito-idp")
    created = idp.admin_create_user(
        UserPoolId=config.user_pool_id, Username=username, MessageAction="SUPPRESS"
    )
    idp.admin_set_user_password(
        UserPoolId=config.user_pool_id, Username=username, Password=password, Permanent=True
    )
    attributes = {a["Name"]: a["Value"] for a in created["User"]["Attributes"]}
    return str(attributes["sub"])


# ---- the identity pool, as strict as Cognito's ------------------------------------------------------


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def verified_user(identity_pool_id: str, logins: dict[str, str]) -> str:
    """The `sub` of the pool's user whose ID token is in `logins`, or Refused."""
    config = _state.pools.get(identity_pool_id)
    if config is None:
        raise Refused(f"Identity pool {identity_pool_id} not found")
    token = (logins or {}).get(config.provider)
    if not token:
        raise Refused(f"Logins must hold an ID token of {config.provider}")
    pool = cognitoidp_backends[_state.account][config.region].user_pools.get(config.user_pool_id)
    issued = pool.id_tokens.get(token) if pool is not None else None
    if issued is None or issued[0] != config.client_id:
        raise Refused("Invalid login token. Not a valid ID token of this user pool.")
    claims = _claims(token)
    if claims.get("exp", 0) <= time.time():
        raise Refused("Invalid login token. Token expired.")
    return str(claims["sub"])


def _identity_for(identity_pool_id: str, sub: str) -> str:
    with _state.lock:
        key = (identity_pool_id, sub)
        if key not in _state.identities:
            config = _state.pools[identity_pool_id]
            identity_id = f"{config.region}:{len(_state.identities):08d}-{sub[:27]}"
            _state.identities[key] = identity_id
            _state.owners[identity_id] = sub
        return _state.identities[key]


def _issue(config: DropIdentityConfig, sub: str) -> dict[str, Any]:
    """STS credentials of the creator role, the session tagged with the user's id (the principal tag)."""
    identity = credentials_for_role(
        _client("iam"),
        _client("sts"),
        CREATOR_ROLE,
        creator_policy(f"arn:aws:s3:::{config.bucket}")["Statement"],
        session=f"drop-{sub}"[:64],
        trust=CREATOR_TRUST,
        tags={USER_ID_TAG: sub},
        checked_always=True,
    )
    return {
        "AccessKeyId": identity.access_key,
        "SecretKey": identity.secret_key,
        "SessionToken": identity.token,
        "Expiration": identity.expires,
    }


def _error(message: str) -> JsonRESTError:
    return JsonRESTError("NotAuthorizedException", message)


def _get_id(self: CognitoIdentityResponse) -> Any:
    pool_id = self._get_param("IdentityPoolId")
    try:
        sub = verified_user(pool_id, self._get_param("Logins"))
    except Refused as refused:
        raise _error(str(refused)) from None
    return json.dumps({"IdentityId": _identity_for(pool_id, sub)})


def _get_credentials_for_identity(self: CognitoIdentityResponse) -> Any:
    identity_id = self._get_param("IdentityId")
    owner = _state.owners.get(identity_id)
    pool_id = next((p for (p, s), i in _state.identities.items() if i == identity_id), None)
    if owner is None or pool_id is None:
        raise _error(f"Identity {identity_id} not found")
    try:
        sub = verified_user(pool_id, self._get_param("Logins"))
    except Refused as refused:
        raise _error(str(refused)) from None
    if sub != owner:
        raise _error("Logins do not belong to this identity")
    credentials = _issue(_state.pools[pool_id], sub)
    return json.dumps({"IdentityId": identity_id, "Credentials": credentials})


def install() -> None:
    """Replace moto's permissive identity-pool calls (process-wide, like the other moto fixes)."""
    CognitoIdentityResponse.get_id = _get_id  # type: ignore[method-assign]
    CognitoIdentityResponse.get_credentials_for_identity = _get_credentials_for_identity  # type: ignore[method-assign]


def reset() -> None:
    """Forget pools and identities (moto's backends were reset with the server)."""
    fresh = _State()
    for name in ("account", "region", "endpoint", "key", "pools", "identities", "owners"):
        setattr(_state, name, getattr(fresh, name))
