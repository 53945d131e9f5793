"""Each local function runs with its role's IAM policy, checked on every AWS call as AWS checks it.

How it works, end to end:
- every principal of `grants.json` (a function, the Fargate worker), as the deployment that runs the
  cloud's transcription engine declares it, gets a role in the embedded IAM with its statements as an
  inline policy, and STS credentials of that role (`credentials_for_role`);
- while a handler runs, its thread (and the threads it starts) signs every request with its role's
  credentials (`acting_as`; botocore's signer asks `current()`), whatever client it uses;
- the embedded server verifies the signature and reads the role's policies with moto's own machinery
  (`IAMRequest`: access key → assumed role → inline policies), works out which IAM actions on which
  resource ARNs the request needs (`requested_access`: a DynamoDB transaction needs PutItem/UpdateItem/…
  on each table it touches, SendTaskSuccess needs the state machine that owns the token, a ListBucket
  carries its `s3:prefix`), adds the session's principal tags to the request context, and decides each
  with local mode's one IAM evaluator (`policy_evaluation.evaluate`: policy variables, conditions);
- a request without a matching Allow, or with a matching Deny, fails with the AccessDenied error of
  that service, naming the action and the resource, as on AWS.

Role sessions given tags (`credentials_for_role(tags=…)`: the drop folder's identity pool tags each
creator's session with their `user_id`) have them as `aws:PrincipalTag/…`; sessions of users rather
than functions (`checked_always`) are checked even when function enforcement is off.

Requests signed with the local root key (`reelflow` itself, tests, the Step Functions interpreter) are
the account owner's and pass, as the root user's would.
"""

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from botocore.credentials import Credentials
from moto.iam.access_control import (
    AssumedRoleAccessKey,
    CreateAccessKeyFailure,
    IAMRequest,
    PermissionResult,
    S3IAMRequest,
)

from functions.domain.state_machine_arns import unqualified
from reelflow.local.policy_evaluation import Access, evaluate, principal_tags

Statement = dict[str, Any]


@dataclass(frozen=True)
class Identity:
    """A role's temporary credentials, as a function's sandbox gets them from STS."""

    name: str
    role_arn: str
    access_key: str
    secret_key: str
    token: str
    expires: float | None = None  # the session's end (epoch seconds), as STS states it

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


def role_arn(account: str, principal: str) -> str:
    """The ARN of `principal`'s local role (known before the role is made)."""
    return f"arn:aws:iam::{account}:role/{role_name(principal)}"


def ensure_role(iam: Any, principal: str, trust: Mapping[str, Any] = TRUST) -> str:
    """`principal`'s role in the embedded IAM, made with `trust` unless it exists: its ARN."""
    name = role_name(principal)
    try:
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
    except iam.exceptions.EntityAlreadyExistsException:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])


def credentials_for_role(
    iam: Any,
    sts: Any,
    principal: str,
    statements: list[Statement],
    session: str | None = None,
    *,
    trust: Mapping[str, Any] = TRUST,
    tags: Mapping[str, str] | None = None,
    checked_always: bool = False,
) -> Identity:
    """A role in the embedded IAM holding exactly `statements`, and STS credentials for it. Requests
    signed with them (a boto3 client made with them, or any client while `acting_as` them) are
    checked against the statements. `iam` and `sts` are clients of the embedded AWS signed as root.
    Calling it again for the same principal replaces the role's statements and gives new credentials.
    `tags` are the session's tags (the statements' `${aws:PrincipalTag/…}`); `checked_always`: a user's
    session, checked even while function enforcement is off."""
    name = role_name(principal)
    arn = ensure_role(iam, principal, trust)
    document = {"Version": "2012-10-17", "Statement": statements}
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=json.dumps(document))
    else:
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_role_policy(RoleName=name, PolicyName="grants")
    assumed = sts.assume_role(
        RoleArn=arn,
        RoleSessionName=session or f"{name[-40:]}-{uuid.uuid4().hex[:8]}",
        Tags=[{"Key": key, "Value": value} for key, value in (tags or {}).items()],
    )
    keys = assumed["Credentials"]
    if tags or checked_always:  # moto's STS keeps neither
        enforcement.sessions[keys["AccessKeyId"]] = Session(dict(tags or {}), checked_always)
    return Identity(
        principal,
        arn,
        keys["AccessKeyId"],
        keys["SecretAccessKey"],
        keys["SessionToken"],
        keys["Expiration"].timestamp(),
    )


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
    for name in ("executionArn", "activityArn", "mapRunArn"):
        if name in body:
            return [Access(f"states:{action}", str(body[name]), {})]
    return [Access(f"states:{action}", "*", {})]


def _ecs(action: str, body: dict[str, Any]) -> list[Access]:
    cluster = resolver.cluster_arn_of(str(body.get("cluster", "default")))
    context = {"ecs:cluster": cluster}
    cluster_name = cluster.rsplit("/", 1)[-1]
    if action == "RunTask":
        definition = str(body.get("taskDefinition", ""))
        if not definition.startswith("arn:"):
            definition = resolver.arn("ecs", f"task-definition/{definition}")
        passed = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
        return [Access("ecs:RunTask", definition, context)] + [
            Access("iam:PassRole", role, passed) for role in _roles_passed(definition, body)
        ]
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


def _roles_passed(definition: str, body: dict[str, Any]) -> list[str]:
    """The roles a RunTask hands the task (its task and execution roles, the overrides' first): the
    caller needs iam:PassRole on each, as ECS checks."""
    from moto.ecs.exceptions import TaskDefinitionNotFoundException
    from moto.ecs.models import ecs_backends

    overrides = body.get("overrides") or {}
    try:
        found = ecs_backends[resolver.account][resolver.region].describe_task_definition(definition)
    except (TaskDefinitionNotFoundException, ValueError):  # moto answers for it as the request goes on
        found = None
    task_role = overrides.get("taskRoleArn") or getattr(found, "task_role_arn", None)
    execution_role = overrides.get("executionRoleArn") or getattr(found, "execution_role_arn", None)
    return [str(role) for role in (task_role, execution_role) if role]


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


# ---- the server side: every request of the embedded AWS ---------------------------------------------------


@dataclass(frozen=True)
class Session:
    """What a role session carries beyond its role: its tags, and whether it is a user's."""

    tags: dict[str, str]
    checked_always: bool


@dataclass
class Enforcement:
    enabled: bool = False
    root_key: str = "local"
    # Every refusal, newest last ("principal action resource"): tests and `reelflow serve` read it.
    denials: list[str] | None = None
    sessions: dict[str, Session] = field(default_factory=dict)  # by access key id

    def checks(self, access_key: str) -> bool:
        session = self.sessions.get(access_key)
        return self.enabled or (session is not None and session.checked_always)

    def context(self, access_key: str) -> dict[str, str]:
        """The request context the caller's session adds: its principal tags."""
        session = self.sessions.get(access_key)
        return principal_tags(session.tags) if session is not None else {}

    def record(self, line: str) -> None:
        if self.denials is None:
            self.denials = []
        self.denials.append(line)
        del self.denials[:-200]


enforcement = Enforcement()


def _presigned_key(response: Any) -> tuple[str, str] | None:
    """(access key, session token) of a presigned URL: SigV4's `X-Amz-Credential`, or SigV2's
    `AWSAccessKeyId` (boto3's default for S3 without `signature_version="s3v4"`)."""
    query = parse_qs(urlparse(str(response.uri)).query)
    credential = query.get("X-Amz-Credential")
    if credential:
        return credential[0].split("/", 1)[0], query.get("X-Amz-Security-Token", [""])[0]
    key = query.get("AWSAccessKeyId")
    return (key[0], query.get("x-amz-security-token", [""])[0]) if key else None


def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
    """Replaces `ActionAuthenticatorMixin._authenticate_and_authorize_action` (moto's access control,
    which checks one action on one resource and treats a failed condition as a deny)."""
    if str(getattr(self, "method", "")).upper() == "OPTIONS":
        return  # a browser's CORS preflight: S3 answers it from the bucket's CORS rules, unauthorised
    headers = self.headers
    authorization = str(headers.get("Authorization", ""))
    s3 = iam_request_cls is S3IAMRequest
    if authorization:
        match = re.search(r"Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/", authorization)
        if match is None or match.group(1) == enforcement.root_key or not enforcement.checks(match.group(1)):
            return
        key_id, service = match.group(1), match.group(2)
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
        if presigned is None or presigned[0] == enforcement.root_key or not enforcement.checks(presigned[0]):
            return  # anonymous: moto's (and S3's) own rules apply
        key_id, service, action = presigned[0], "s3", str(self.data.get("Action"))
        try:
            access_key = AssumedRoleAccessKey(
                self.current_account, "aws", presigned[0], {"X-Amz-Security-Token": presigned[1]}
            )
        except CreateAccessKeyFailure:
            from moto.s3.exceptions import S3InvalidAccessKeyIdError

            raise S3InvalidAccessKeyIdError() from None
        raise_denied = _raise_s3_denied
    policies = list(access_key.collect_policies())
    principal_context = enforcement.context(key_id)
    for needed in requested_access(service, action, resource, self):
        access = Access(needed.action, needed.resource, {**needed.context, **principal_context})
        decision = evaluate(policies, access)
        if decision != PermissionResult.PERMITTED:
            enforcement.record(f"{access_key.arn} {access.action} {access.resource}")
            message = _denied_message(access_key.arn, access, decision)
            if service in JSON_SERVICES:
                _raise_json_denied(message)
            if s3:
                _raise_s3_denied(message)
            raise_denied()


JSON_SERVICES = frozenset({"dynamodb", "states", "ecs", "events", "transcribe", "execute-api", "lambda"})


def _denied_message(principal: str, access: Access, decision: PermissionResult) -> str:
    """AWS's words for a refusal: who, which action, which resource, and why."""
    why = (
        "with an explicit deny in an identity-based policy"
        if decision == PermissionResult.DENIED
        else f"because no identity-based policy allows the {access.action} action"
    )
    return (
        f"User: {principal} is not authorized to perform: {access.action} on resource: "
        f"{access.resource} {why}"
    )


def _raise_json_denied(message: str) -> None:
    """The AccessDeniedException of a JSON-protocol service."""
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError("AccessDeniedException", message)
    error.code = 400
    raise error


def _raise_s3_denied(message: str = "Access Denied") -> None:
    """S3's 403 AccessDenied."""
    from moto.s3.exceptions import S3AccessDeniedError

    error = S3AccessDeniedError()
    error.message = message
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
