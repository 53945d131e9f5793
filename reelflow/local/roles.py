"""Gives every local function and the Fargate worker the role the CDK app gives it (grants.json), and
turns IAM enforcement on (reelflow/local/access_control.py)."""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from functions import deployment
from reelflow.local import access_control, fargate, grants, invoker
from reelflow.local.access_control import Identity, Statement


class Cloud(Protocol):
    prefix: str
    table_name: str
    ingest_bucket: str
    media_bucket: str
    cluster_arn: str
    worker_task_definition_arn: str
    function_arns: dict[str, str]

    @property
    def notification_topic_arn(self) -> str: ...

    def client(self, service: str) -> Any: ...


@dataclass(frozen=True)
class Environment:
    account: str
    region: str


def local_values(cloud: Cloud, env: Environment) -> dict[str, str]:
    """The local value of each `${Symbol}` of grants.json."""
    table = cloud.client("dynamodb").describe_table(TableName=cloud.table_name)["Table"]
    values = {
        "Partition": "aws",
        "Region": env.region,
        "AccountId": env.account,
        "Prefix": cloud.prefix,
        "Table.Arn": str(table["TableArn"]),
        "Table.StreamArn": str(table.get("LatestStreamArn", "")),
        "IngestBucket.Arn": f"arn:aws:s3:::{cloud.ingest_bucket}",
        "MediaBucket.Arn": f"arn:aws:s3:::{cloud.media_bucket}",
        "Cluster": cloud.cluster_arn.rsplit("/", 1)[-1],
        "Cluster.Arn": cloud.cluster_arn,
        "WorkerTask": cloud.worker_task_definition_arn,
        "Topic": cloud.notification_topic_arn,
        "WebSocketApi": access_control.resolver.websocket_api,
        f"{grants.WORKER_TASK_ROLE}.Arn": access_control.role_arn(env.account, grants.WORKER),
        f"{grants.WORKER_EXECUTION_ROLE}.Arn": access_control.role_arn(env.account, grants.WORKER_EXECUTION),
    }
    for spec_id, arn in cloud.function_arns.items():
        values[f"Function:{spec_id}.Arn"] = arn
    return values


def _state_machine_of_token(token: str) -> str | None:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    env = access_control.resolver
    backend: Any = stepfunctions_parser_backends[env.account][env.region]
    for machine in backend.state_machines:
        for execution in machine.executions:
            worker = getattr(execution, "exec_worker", None)
            pool = getattr(getattr(worker, "env", None), "callback_pool_manager", None)
            if pool is not None and pool.get(token) is not None:
                return str(machine.arn)
    return None


class Keyring:
    """Each principal's role session keys, kept in the data folder (`credentials.json`) so that a
    restarted local mode signs, and verifies, with the keys it had: URLs presigned before a restart
    keep working after it. Without a data folder every start gets new keys."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.kept: dict[str, Identity] = {}
        if path is not None and path.is_file():
            try:
                self.kept = {
                    name: Identity(**fields) for name, fields in json.loads(path.read_text()).items()
                }
            except (ValueError, TypeError):
                self.kept = {}  # unreadable: new keys, as on a first start

    def session(self, identity: Identity, account: str) -> Identity:
        kept = self.kept.get(identity.name)
        if kept is not None and kept.role_arn == identity.role_arn:
            return access_control.keep_keys(identity, kept, account)
        self.kept[identity.name] = identity
        return identity

    def save(self) -> None:
        if self.path is not None:
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps({name: asdict(i) for name, i in self.kept.items()}))
            temporary.chmod(0o600)
            temporary.replace(self.path)


def enforce(
    cloud: Cloud,
    env: Environment,
    transcription_engine: str,
    declared: dict[str, list[Statement]] | None = None,
    keyring: Keyring | None = None,
) -> dict[str, Identity]:
    """A role per principal of the deployment that runs `transcription_engine` (grants.for_engine), its
    credentials handed to the invoker and the worker, enforcement on. A function that deployment does
    not create (the Transcriber with Amazon Transcribe) gets a role with no statement: it may do nothing."""
    declared = grants.for_engine(transcription_engine) if declared is None else declared
    declared = {spec.id: [] for spec in deployment.FUNCTIONS} | declared
    keyring = keyring or Keyring(None)
    resolver = access_control.resolver
    resolver.account, resolver.region = env.account, env.region
    resolver.state_machine_of_token = _state_machine_of_token
    cluster = cloud.cluster_arn
    resolver.cluster_arn_of = lambda name: cluster if name in (cluster, cluster.rsplit("/", 1)[-1]) else name
    values = local_values(cloud, env)
    iam, sts = cloud.client("iam"), cloud.client("sts")
    identities = {
        principal: keyring.session(
            access_control.credentials_for_role(iam, sts, principal, grants.render(statements, values)),
            env.account,
        )
        for principal, statements in declared.items()
        if principal not in grants.STATE_MACHINES.values()
    }
    access_control.ensure_role(iam, grants.WORKER_EXECUTION)  # the worker's task definition names it
    state_machines.clear()
    for suffix, principal in grants.STATE_MACHINES.items():
        if principal in declared:
            arn = resolver.arn("states", f"stateMachine:{cloud.prefix}-{suffix}")
            state_machines[arn] = keyring.session(
                access_control.credentials_for_role(
                    iam, sts, principal, grants.render(declared[principal], values)
                ),
                env.account,
            )
    keyring.save()
    invoker.identities.clear()
    for spec in deployment.FUNCTIONS:
        if spec.id in identities:
            invoker.identities[spec.handler] = identities[spec.id]
    fargate.task_role[0] = identities.get(grants.WORKER)
    access_control.enforcement.enabled = True
    return identities


# State machine ARN → its role: the interpreter's calls (Lambda invokes, ecs:RunTask) are signed with it.
state_machines: dict[str, Identity] = {}


def start_execution_as_role(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps moto's `start_execution`: the execution's threads (started inside it) act as its role."""

    def start_execution(self: Any, state_machine_arn: str, *args: Any, **kwargs: Any) -> Any:
        with access_control.acting_as(state_machines.get(state_machine_arn)):
            return original(self, state_machine_arn, *args, **kwargs)

    return start_execution


def relax() -> None:
    """Enforcement off (local mode stopped; a later local cloud in this process starts from nothing)."""
    access_control.enforcement.enabled = False
    access_control.enforcement.sessions.clear()
    state_machines.clear()
    invoker.identities.clear()
    fargate.task_role[0] = None


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    StepFunctionsParserBackend.start_execution = start_execution_as_role(  # type: ignore[method-assign]
        StepFunctionsParserBackend.start_execution
    )
