"""Local mode's Cognito for the drop folder: a user pool and the CLI's app client (moto's cognito-idp), an
identity pool (moto's cognito-identity, made as strict as Cognito here), and the creator role's policy
enforced on every request signed with the credentials it hands out.

What moto lacks, and what this module does instead:
- moto's `GetId` ignores `Logins` and `GetCredentialsForIdentity` returns the same fake keys to anyone.
  Here both require an ID token the user pool issued (to one of the pool's app clients, not expired),
  one identity per user, and the credentials are a real STS session of a role in the embedded IAM, for
  one hour, as Cognito's are.
- moto's IAM evaluator has no policy variables (`${aws:PrincipalTag/user_id}` is taken as literal text,
  so it matches nothing) and no `StringLike` condition. The identity pool maps the token's `sub` to the
  principal tag `user_id` on AWS; here the tag's value is put into the policy when the credentials are
  issued (a role per user, `reelflow-creator-{sub}`, with `creator_policy(bucket, sub)`), and
  `DropFolderGuard`, a WSGI middleware in front of the embedded server, checks the SigV4 signature of
  every request those credentials sign (moto's `S3IAMRequest`) and evaluates the role's policy for the
  S3 action and object the request needs (`requested_access`), with `s3:prefix` for a listing. Anything
  else those credentials try (another service, a presigned URL) is refused. docs/local-mode.md lists
  the differences.
"""

import base64
import fnmatch
import io
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import boto3
from moto.cognitoidentity.responses import CognitoIdentityResponse
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.exceptions import JsonRESTError
from moto.iam.access_control import S3IAMRequest

from functions.domain.drop_access import creator_policy

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
SESSION_SECONDS = 3600
ROLE_PREFIX = "reelflow-creator-"


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
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # access key -> role policy
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
    """STS credentials of the user's role: the creator policy with the principal tag's value put in."""
    policy = creator_policy(f"arn:aws:s3:::{config.bucket}", sub)
    iam, role_name = _client("iam"), f"{ROLE_PREFIX}{sub}"[:64]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
            }
        ],
    }
    try:
        role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
        iam.put_role_policy(RoleName=role_name, PolicyName="DropFolder", PolicyDocument=json.dumps(policy))
    credentials = _client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName=f"drop-{sub}"[:64], DurationSeconds=SESSION_SECONDS
    )["Credentials"]
    _state.sessions[credentials["AccessKeyId"]] = policy
    return {
        "AccessKeyId": credentials["AccessKeyId"],
        "SecretKey": credentials["SecretAccessKey"],
        "SessionToken": credentials["SessionToken"],
        "Expiration": credentials["Expiration"].timestamp(),
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
    """Forget pools, identities and sessions (moto's backends were reset with the server)."""
    fresh = _State()
    for name in ("account", "region", "endpoint", "key", "pools", "identities", "owners", "sessions"):
        setattr(_state, name, getattr(fresh, name))


# ---- the creator role's policy, enforced on what its credentials sign ---------------------------------


@dataclass(frozen=True)
class Access:
    action: str
    resource: str
    context: dict[str, str]


def requested_access(method: str, path: str, query: dict[str, list[str]]) -> Access:
    """The IAM action and resource an S3 request (path style) needs."""
    bucket, _, key = path.lstrip("/").partition("/")
    if not key:
        if method == "GET" and "uploads" in query:
            return Access("s3:ListBucketMultipartUploads", f"arn:aws:s3:::{bucket}", {})
        if method == "GET" and not {"location", "policy", "acl", "versioning"} & set(query):
            prefix = query.get("prefix", [""])[0]
            return Access("s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix})
        return Access(f"s3:{method}Bucket", f"arn:aws:s3:::{bucket}", {})
    resource = f"arn:aws:s3:::{bucket}/{key}"
    if "uploadId" in query:
        action = {"DELETE": "s3:AbortMultipartUpload", "GET": "s3:ListMultipartUploadParts"}.get(method)
        return Access(action or "s3:PutObject", resource, {})  # UploadPart, CompleteMultipartUpload
    actions = {"PUT": "s3:PutObject", "POST": "s3:PutObject", "GET": "s3:GetObject", "HEAD": "s3:GetObject"}
    return Access(
        actions.get(method, "s3:DeleteObject" if method == "DELETE" else f"s3:{method}"), resource, {}
    )


def _matches(patterns: str | list[str], value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in ([patterns] if isinstance(patterns, str) else patterns))


def allows(policy: dict[str, Any], access: Access) -> bool:
    """IAM's evaluation for Allow statements with Action, Resource and String conditions: allowed when
    a statement matches and no Deny does (nothing is allowed by default)."""
    allowed = False
    for statement in policy["Statement"]:
        if not (
            _matches(statement["Action"], access.action) and _matches(statement["Resource"], access.resource)
        ):
            continue
        conditions = statement.get("Condition", {})
        holds = all(
            key in access.context
            and (
                _matches(values, access.context[key])
                if operator == "StringLike"
                else access.context[key] in ([values] if isinstance(values, str) else values)
            )
            for operator, pairs in conditions.items()
            for key, values in pairs.items()
        )
        if holds and statement["Effect"] == "Deny":
            return False
        allowed = allowed or (holds and statement["Effect"] == "Allow")
    return allowed


def _access_key(environ: dict[str, Any]) -> str | None:
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    if "Credential=" in authorization:
        return authorization.split("Credential=", 1)[1].split("/", 1)[0]
    credential = parse_qs(str(environ.get("QUERY_STRING", ""))).get("X-Amz-Credential")
    return credential[0].split("/", 1)[0] if credential else None


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = str(environ["CONTENT_TYPE"])
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = str(environ["CONTENT_LENGTH"])
    return headers


def refusal(environ: dict[str, Any], body: bytes) -> str | None:
    """Why a request signed with a creator's credentials is refused (None: allowed)."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    if "Credential=" not in authorization:
        return "Presigned URLs of drop-folder credentials are not supported locally"
    if "/s3/aws4_request" not in authorization:
        return "The drop-folder role may only use S3"
    path = str(environ.get("PATH_INFO", "/")).encode("latin-1").decode("utf-8")  # WSGI's latin-1 str
    query_string = str(environ.get("QUERY_STRING", ""))
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or path).split("?", 1)[0]
    url = raw + (f"?{query_string}" if query_string else "")  # signed as sent: still percent-encoded
    headers = _headers(environ)
    try:
        request = S3IAMRequest(_state.account, environ["REQUEST_METHOD"], url, {}, body, headers, "PutObject")
        request.check_signature()
    except Exception as error:  # moto raises its S3 error types (InvalidAccessKeyId, SignatureDoesNotMatch)
        return f"Signature refused: {type(error).__name__}"
    query = parse_qs(query_string, keep_blank_values=True)
    access = requested_access(str(environ["REQUEST_METHOD"]), path, query)
    policy = _state.sessions[_access_key(environ) or ""]
    if not allows(policy, access):
        return f"not authorized to perform {access.action} on {access.resource}"
    return None


class DropFolderGuard:
    """WSGI middleware: requests signed with credentials from the identity pool obey the creator role."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _access_key(environ) not in _state.sessions:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        refused = refusal(environ, body)
        if refused is None:
            return self.app(environ, start_response)
        message = f"User: {_access_key(environ)} is {refused}" if refused.startswith("not") else refused
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
        ).encode()
        start_response(
            "403 Forbidden",
            [("Content-Type", "application/xml"), ("Content-Length", str(len(xml))), ("Connection", "close")],
        )
        return [xml]
