"""Each local function runs with its role's IAM policy, checked on every AWS call as AWS checks it.

How it works, end to end:
- every principal of `grants.json` (a function, the Fargate worker) gets a role in the embedded IAM
  with its statements as an inline policy, and STS credentials of that role (`credentials_for_role`);
- while a handler runs, its thread (and the threads it starts) signs every request with its role's
  credentials (`acting_as`; botocore's signer asks `current()`), whatever client it uses;
- the embedded server verifies the signature and reads the role's policies with moto's own machinery
  (`IAMRequest`: access key → assumed role → inline policies), works out which IAM actions on which
  resource ARNs the request needs (`requested_access`: a DynamoDB transaction needs PutItem/UpdateItem/…
  on each table it touches, SendTaskSuccess needs the state machine that owns the token, a ListBucket
  carries its `s3:prefix`), and evaluates each with moto's `IAMPolicyStatement` matching, with
  conditions applied as IAM applies them (a condition that does not hold makes its statement not apply);
- a request without a matching Allow, or with a matching Deny, fails with moto's AccessDenied error for
  that service, as on AWS.

Requests signed with the local root key (`reelflow` itself, tests, the Step Functions interpreter) are
the account owner's and pass, as the root user's would.
"""

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from botocore.credentials import Credentials
from moto.iam.access_control import (
    AssumedRoleAccessKey,
    CreateAccessKeyFailure,
    IAMPolicyStatement,
    IAMRequest,
    PermissionResult,
    S3IAMRequest,
)

from functions.domain.state_machine_arns import unqualified

Statement = dict[str, Any]


@dataclass(frozen=True)
class Identity:
    """A role's temporary credentials, as a function's sandbox gets them from STS."""

    name: str
    role_arn: str
    access_key: str
    secret_key: str
    token: str

    def credentials(self) -> Credentials:
        return Credentials(self.access_key, self.secret_key, self.token)


# ---- who is calling: a thread acts as one identity -------------------------------------------------

_current = threading.local()


def current() -> Identity | None:
    return getattr(_current, "identity", None)


@contextmanager
def acting_as(identity: Identity | None) -> Iterator[None]:
    """Every AWS request made on this thread (and on threads it starts) is signed as `identity`."""
    previous = current()
    _current.identity = identity
    try:
        yield
    finally:
        _current.identity = previous


def signed_as_current(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps botocore's `RequestSigner.get_auth_instance`: a thread acting as a role signs with it."""

    def get_auth_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
        identity = current()
        if identity is not None and kwargs.get("request_credentials") is None:
            kwargs["request_credentials"] = identity.credentials()
        return original(self, *args, **kwargs)

    return get_auth_instance


def inheriting_identity(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps `threading.Thread.start`: a thread started by a function runs as that function, in its
    sandbox (Lambda's threads share their sandbox's credentials and /tmp)."""
    from functions.services.workspace import in_sandbox, sandbox

    def start(self: threading.Thread) -> None:
        identity, folder = current(), sandbox()
        if identity is not None or folder is not None:
            run = self.run

            def run_as() -> None:
                with acting_as(identity), in_sandbox(folder):
                    run()

            self.run = run_as  # type: ignore[method-assign]
        original(self)

    return start


# ---- roles and their credentials --------------------------------------------------------------------

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


def role_name(principal: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9+=,.@_-]", "-", principal)
    return f"reelflow-local-{slug}"[:64]


def credentials_for_role(
    iam: Any, sts: Any, principal: str, statements: list[Statement], session: str | None = None
) -> Identity:
    """A role in the embedded IAM holding exactly `statements`, and STS credentials for it. Requests
    signed with them (a boto3 client made with them, or any client while `acting_as` them) are
    checked against the statements. `iam` and `sts` are clients of the embedded AWS signed as root.
    Calling it again for the same principal replaces the role's statements and gives new credentials."""
    name = role_name(principal)
    try:
        role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role_arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    document = {"Version": "2012-10-17", "Statement": statements}
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=json.dumps(document))
    else:
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_role_policy(RoleName=name, PolicyName="grants")
    assumed = sts.assume_role(
        RoleArn=role_arn, RoleSessionName=session or f"{name[-40:]}-{uuid.uuid4().hex[:8]}"
    )
    keys = assumed["Credentials"]
    return Identity(principal, role_arn, keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])


def keep_keys(identity: Identity, kept: Identity, account: str) -> Identity:
    """`identity`'s role session answers to the keys `kept` had: what a function signed before local
    mode restarted (an upload URL it presigned) verifies after it, as a role's keys outlive a
    redeploy's sandboxes on AWS until they expire. moto's STS holds the session; its keys are set here."""
    from moto.sts.models import sts_backends

    for assumed in sts_backends[account]["aws"].assumed_roles:
        if assumed.access_key_id == identity.access_key:
            assumed.access_key_id = assumed.access_key.access_key_id = kept.access_key
            assumed.secret_access_key = assumed.access_key.secret_access_key = kept.secret_key
            assumed.session_token = kept.token
            return Identity(identity.name, identity.role_arn, kept.access_key, kept.secret_key, kept.token)
    return identity


class KnownSecrets:
    """Secret keys the S3 front verifies presigned URLs with: the root key's and every role session's
    (moto's STS backend holds them)."""

    def __init__(self, root_key: str, root_secret: str, account: str) -> None:
        self.root = (root_key, root_secret)
        self.account = account

    def get(self, access_key: str, /) -> str | None:
        if access_key == self.root[0]:
            return self.root[1]
        from moto.sts.models import sts_backends

        for assumed in sts_backends[self.account]["aws"].assumed_roles:
            if assumed.access_key_id == access_key:
                return str(assumed.secret_access_key)
        return None


# ---- what a request asks for --------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """One IAM action on one resource, with the request's condition keys."""

    action: str
    resource: str
    context: Mapping[str, str]


class Resolver:
    """ARN facts of the embedded AWS a request does not carry (set by local mode at start)."""

    def __init__(self) -> None:
        self.account = ""
        self.region = ""
        self.websocket_api = "local"
        self.websocket_stage = "live"
        self.state_machine_of_token: Callable[[str], str | None] = lambda _token: None
        self.cluster_arn_of: Callable[[str], str] = lambda name: name

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


resolver = Resolver()


def _json(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):  # moto's DynamoDB handler has parsed it already
        return body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    try:
        loaded = json.loads(body or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def _dynamodb(action: str, body: dict[str, Any]) -> list[Access]:
    def table(name: str, index: str | None = None) -> str:
        return resolver.arn("dynamodb", f"table/{name}" + (f"/index/{index}" if index else ""))

    if action in ("BatchGetItem", "BatchWriteItem"):
        return [Access(f"dynamodb:{action}", table(name), {}) for name in body.get("RequestItems", {})]
    if action in ("TransactWriteItems", "TransactGetItems"):
        accesses = []
        for item in body.get("TransactItems", []):
            for kind, operation in item.items():
                accesses.append(
                    Access(f"dynamodb:{TRANSACT_ACTIONS[kind]}", table(operation["TableName"]), {})
                )
        return accesses
    if "TableName" in body:
        return [Access(f"dynamodb:{action}", table(body["TableName"], body.get("IndexName")), {})]
    if "StreamArn" in body:
        return [Access(f"dynamodb:{action}", str(body["StreamArn"]), {})]
    return [Access(f"dynamodb:{action}", "*", {})]


def _states(action: str, body: dict[str, Any]) -> list[Access]:
    if "taskToken" in body:
        machine = resolver.state_machine_of_token(str(body["taskToken"]))
        return [Access(f"states:{action}", machine or "*", {})]
    if "stateMachineArn" in body:
        # A call on an alias or a version is authorized against the state machine's own ARN, the
        # qualifier in `states:StateMachineQualifier` (as Step Functions does).
        machine, qualifier = unqualified(str(body["stateMachineArn"]))
        context = {"states:StateMachineQualifier": qualifier} if qualifier else {}
        return [Access(f"states:{action}", machine, context)]
    for field in ("executionArn", "activityArn", "mapRunArn"):
        if field in body:
            return [Access(f"states:{action}", str(body[field]), {})]
    return [Access(f"states:{action}", "*", {})]


def _ecs(action: str, body: dict[str, Any]) -> list[Access]:
    cluster = resolver.cluster_arn_of(str(body.get("cluster", "default")))
    context = {"ecs:cluster": cluster}
    cluster_name = cluster.rsplit("/", 1)[-1]
    if action == "RunTask":
        definition = str(body.get("taskDefinition", ""))
        if not definition.startswith("arn:"):
            definition = resolver.arn("ecs", f"task-definition/{definition}")
        return [Access("ecs:RunTask", definition, context)]
    if action == "StopTask":
        task = str(body.get("task", ""))
        if not task.startswith("arn:"):
            task = resolver.arn("ecs", f"task/{cluster_name}/{task}")
        return [Access("ecs:StopTask", task, context)]
    if action == "DescribeTasks":
        return [
            Access(
                "ecs:DescribeTasks",
                t if t.startswith("arn:") else resolver.arn("ecs", f"task/{cluster_name}/{t}"),
                context,
            )
            for t in body.get("tasks", [])
        ]
    return [Access(f"ecs:{action}", "*", context)]


def _events(action: str, body: dict[str, Any]) -> list[Access]:
    if action == "PutEvents":
        buses = {str(entry.get("EventBusName") or "default") for entry in body.get("Entries", [])}
        return [
            Access(
                "events:PutEvents",
                bus if bus.startswith("arn:") else resolver.arn("events", f"event-bus/{bus}"),
                {},
            )
            for bus in sorted(buses)
        ]
    return [Access(f"events:{action}", "*", {})]


def _query_param(response: Any, name: str) -> str | None:
    values = response.querystring.get(name) if hasattr(response, "querystring") else None
    return str(values[0]) if values else None


def _sns(action: str, response: Any) -> list[Access]:
    topic = _query_param(response, "TopicArn") or _json(response.body).get("TopicArn")
    return [Access(f"sns:{action}", str(topic or "*"), {})]


def _s3(action: str, resource: str, response: Any) -> list[Access]:
    context: dict[str, str] = {}
    prefix = _query_param(response, "prefix")
    if prefix is not None:
        context["s3:prefix"] = prefix
    if action == "DeleteObject" and "/" not in resource.split(":::", 1)[-1]:
        keys = _deleted_keys(getattr(response, "raw_body", None) or getattr(response, "body", b""))
        return [Access("s3:DeleteObject", f"{resource}/{key}", {}) for key in keys]
    accesses = [Access(f"s3:{action}", resource, context)]
    source = response.headers.get("x-amz-copy-source") if hasattr(response, "headers") else None
    if source:
        path = unquote(str(source).split("?", 1)[0]).lstrip("/")
        accesses.append(Access("s3:GetObject", f"arn:aws:s3:::{path}", {}))
    return accesses


def _deleted_keys(body: Any) -> list[str]:
    """The keys of a DeleteObjects request (S3 checks s3:DeleteObject on each)."""
    from xml.etree import ElementTree

    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body or "")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return ["*"]
    return [element.text or "" for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "Key"]


def _execute_api(response: Any) -> list[Access]:
    path = urlparse(str(response.uri)).path
    connection = path.rsplit("/@connections/", 1)[-1]
    resource = resolver.arn(
        "execute-api",
        f"{resolver.websocket_api}/{resolver.websocket_stage}/{response.method}/@connections/{connection}",
    )
    return [Access("execute-api:ManageConnections", resource, {})]


LAMBDA_ACTIONS = {"Invoke": "InvokeFunction", "InvokeAsync": "InvokeFunction"}


def _lambda(action: str, response: Any) -> list[Access]:
    path = unquote(urlparse(str(response.uri)).path)
    match = re.search(r"/functions/([^/]+)", path)
    name = match.group(1) if match else "*"
    if not name.startswith("arn:"):
        name = resolver.arn("lambda", f"function:{name}")
    return [Access(f"lambda:{LAMBDA_ACTIONS.get(action, action)}", name, {})]


def requested_access(service: str, action: str, resource: str, response: Any) -> list[Access]:
    """The IAM actions and resource ARNs a request needs (AWS's service authorization reference)."""
    if service == "lambda":
        return _lambda(action, response)
    if service == "s3":
        return _s3(action, resource, response)
    if service == "execute-api":
        return _execute_api(response)
    if service == "sns":
        return _sns(action, response)
    body = _json(getattr(response, "body", None))
    if service == "dynamodb":
        return _dynamodb(action, body)
    if service == "states":
        return _states(action, body)
    if service == "ecs":
        return _ecs(action, body)
    if service == "events":
        return _events(action, body)
    if service == "transcribe" and "TranscriptionJobName" in body:
        job = resolver.arn("transcribe", f"transcription-job/{body['TranscriptionJobName']}")
        return [Access(f"transcribe:{action}", job, {})]
    return [Access(f"{service}:{action}", resource, {})]


# ---- evaluation -----------------------------------------------------------------------------------------


def _like(pattern: str, value: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), value) is not None


CONDITION_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringNotEquals": lambda expected, actual: expected != actual,
    "StringLike": _like,
    "StringNotLike": lambda expected, actual: not _like(expected, actual),
    "ArnEquals": _like,
    "ArnLike": _like,
    "ArnNotEquals": lambda expected, actual: not _like(expected, actual),
    "ArnNotLike": lambda expected, actual: not _like(expected, actual),
}


class UnsupportedCondition(ValueError):
    pass


def conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    """IAM's condition block: every operator and key must hold; a key the request lacks fails the
    condition (the `…IfExists` forms let it pass); any of a key's values may match."""
    for operator, pairs in conditions.items():
        if_exists = operator.endswith("IfExists")
        base = operator.removesuffix("IfExists")
        compare = CONDITION_OPERATORS.get(base)
        if compare is None:
            raise UnsupportedCondition(f"local mode cannot evaluate the condition operator {operator}")
        for key, expected in pairs.items():
            values = expected if isinstance(expected, list) else [expected]
            actual = context.get(key)
            if actual is None:
                if if_exists:
                    continue
                return False
            if not any(compare(str(value), actual) for value in values):
                return False
    return True


def evaluate(policies: list[Any], access: Access) -> PermissionResult:
    """Explicit deny wins, then any allow; otherwise the implicit deny (NEUTRAL)."""
    permitted = False
    for policy in policies:
        document = json.loads(policy) if isinstance(policy, str) else policy
        statements = document["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            if "Condition" in statement and not conditions_hold(statement["Condition"], access.context):
                continue
            unconditional = {k: v for k, v in statement.items() if k != "Condition"}
            result = IAMPolicyStatement(unconditional).is_action_permitted(access.action, access.resource)
            if result == PermissionResult.DENIED:
                return result
            permitted = permitted or result == PermissionResult.PERMITTED
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


# ---- the server side: every request of the embedded AWS ---------------------------------------------------


@dataclass
class Enforcement:
    enabled: bool = False
    root_key: str = "local"
    # Every refusal, newest last ("principal action resource"): tests and `reelflow serve` read it.
    denials: list[str] | None = None

    def record(self, line: str) -> None:
        if self.denials is None:
            self.denials = []
        self.denials.append(line)
        del self.denials[:-200]


enforcement = Enforcement()


def _presigned_key(response: Any) -> tuple[str, str] | None:
    query = parse_qs(urlparse(str(response.uri)).query)
    credential = query.get("X-Amz-Credential")
    if not credential:
        return None
    token = query.get("X-Amz-Security-Token", [""])[0]
    return credential[0].split("/", 1)[0], token


def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
    """Replaces `ActionAuthenticatorMixin._authenticate_and_authorize_action` (moto's access control,
    which checks one action on one resource and treats a failed condition as a deny)."""
    if not enforcement.enabled:
        return
    if str(getattr(self, "method", "")).upper() == "OPTIONS":
        return  # a browser's CORS preflight: S3 answers it from the bucket's CORS rules, unauthorised
    headers = self.headers
    authorization = str(headers.get("Authorization", ""))
    s3 = iam_request_cls is S3IAMRequest
    if authorization:
        match = re.search(r"Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/", authorization)
        if match is None or match.group(1) == enforcement.root_key:
            return
        service = match.group(2)
        action = str(self.data.get("Action")) if s3 else str(self._get_action())
        iam_request = iam_request_cls(
            account_id=self.current_account,
            method=self.method,
            path=self.raw_path + (f"?{urlparse(self.uri).query}" if urlparse(self.uri).query else ""),
            data=self.data,
            body=self.raw_body,
            headers=headers,
            action=action,
        )
        iam_request.check_signature()
        access_key = iam_request._access_key
        raise_denied: Callable[[], None] = iam_request._raise_access_denied
    else:
        presigned = _presigned_key(self) if s3 else None
        if presigned is None or presigned[0] == enforcement.root_key:
            return  # anonymous: moto's (and S3's) own rules apply
        service, action = "s3", str(self.data.get("Action"))
        try:
            access_key = AssumedRoleAccessKey(
                self.current_account, "aws", presigned[0], {"X-Amz-Security-Token": presigned[1]}
            )
        except CreateAccessKeyFailure:
            from moto.s3.exceptions import S3InvalidAccessKeyIdError

            raise S3InvalidAccessKeyIdError() from None

        def raise_denied() -> None:
            from moto.s3.exceptions import S3AccessDeniedError

            raise S3AccessDeniedError()

    policies = access_key.collect_policies()
    for access in requested_access(service, action, resource, self):
        if evaluate(list(policies), access) != PermissionResult.PERMITTED:
            enforcement.record(f"{access_key.arn} {access.action} {access.resource}")
            if service in JSON_SERVICES:
                _raise_json_denied(access_key.arn, access)
            raise_denied()


JSON_SERVICES = frozenset({"dynamodb", "states", "ecs", "events", "transcribe", "execute-api", "lambda"})


def _raise_json_denied(principal: str, access: Access) -> None:
    """AWS's AccessDeniedException of a JSON-protocol service, naming the action and the resource."""
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: {access.action} on resource: "
        f"{access.resource} because no identity-based policy allows the {access.action} action",
    )
    error.code = 400
    raise error


_installed: list[bool] = []


def install() -> None:
    """moto's access control, botocore's signer and Thread.start, wrapped once per process."""
    if _installed:
        return
    _installed.append(True)
    from botocore.signers import RequestSigner
    from moto.core.authorization import ActionAuthenticatorMixin

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[method-assign]
    RequestSigner.get_auth_instance = signed_as_current(RequestSigner.get_auth_instance)  # type: ignore[method-assign]
    RequestSigner.get_auth = RequestSigner.get_auth_instance
    threading.Thread.start = inheriting_identity(threading.Thread.start)  # type: ignore[method-assign]


__all__ = [
    "Access",
    "IAMRequest",
    "Identity",
    "acting_as",
    "authorize",
    "credentials_for_role",
    "current",
    "enforcement",
    "evaluate",
    "requested_access",
    "resolver",
]
