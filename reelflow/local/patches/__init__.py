"""Every change local mode makes to moto (and to the library hooks IAM enforcement needs), in one
registry, installed once, checked before anything is patched.

Corrections of moto live here, one module per patched behaviour (`reelflow/local/patches/<name>.py`,
each with its `install()`). Patches that are the core of another module's job (the in-process Lambda
runtime, the Fargate stand-in, the WebSocket relay, the identity pool, IAM enforcement, the data folder)
stay with that job in `reelflow/local/<name>.py` and are listed here all the same.

Each entry names the attribute it replaces and why. At start `install_all()` checks that the installed
moto is the version these patches were written against and that every patched attribute still exists,
and refuses to start with one clear message otherwise: a moto upgrade that renamed a private method
would otherwise fail later, deep inside a batch, or not at all while silently losing a correction.
"""

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

MOTO_VERSION = "5.2.5"  # pyproject.toml pins the same: moto[server]==5.2.5


@dataclass(frozen=True)
class Patch:
    target: str  # "module:Class.attribute" or "module:attribute"
    installer: str  # the module whose install() applies it: reelflow/local/patches/ or reelflow/local/
    why: str
    # checked and installed on first use (`install_lazy`), not at start: importing its module is slow
    lazy: bool = False

    def exists(self) -> bool:
        module_name, _, path = self.target.partition(":")
        try:
            owner: object = importlib.import_module(module_name)
        except ImportError:
            return False
        for part in path.split("."):
            if not hasattr(owner, part):
                return False
            owner = getattr(owner, part)
        return True


REGISTRY: tuple[Patch, ...] = (
    # in-process Lambda and Fargate
    Patch(
        "moto.awslambda.models:LambdaFunction._invoke_lambda", "invoker", "run handlers in-process, no Docker"
    ),
    # moto.ecs imports moto.ec2 (seconds): the Fargate stand-in is made when ECS is first called
    Patch(
        "moto.ecs.models:EC2ContainerServiceBackend.run_task",
        "fargate",
        "run the worker on a thread",
        lazy=True,
    ),
    Patch(
        "moto.apigatewaymanagementapi.models:ApiGatewayManagementApiBackend.post_to_connection",
        "websocket_relay",
        "deliver to the local gateway's sockets, answer Gone",
    ),
    # corrections (reelflow/local/patches/)
    Patch(
        "moto.stepfunctions.responses:StepFunctionResponse.send_task_failure",
        "task_failure_cause",
        "keep the cause (AWS passes it to the Catch)",
    ),
    Patch(
        "moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl:"
        "ErrorEqualsDecl._eval_body",
        "terminal_errors",
        "States.ALL matches neither States.DataLimitExceeded nor States.Runtime",
    ),
    Patch(
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs:"
        "StateTaskServiceEcs._eval_service_task",
        "ecs_member_names",
        "RunTask with the ECS API's member names",
    ),
    Patch(
        "moto.dynamodb.models:DynamoDBBackend.transact_write_items",
        "transactions",
        "copy only the touched items; undo them and their stream records on failure",
    ),
    Patch(
        "moto.dynamodb.models.table:StreamShard.add",
        "stream_records",
        "record only; mappings deliver in order",
    ),
    Patch("moto.dynamodb.models.table:Table.all_items", "partition_queries", "no deep copy per read"),
    Patch("moto.dynamodb.models.table:Table.query", "partition_queries", "no deep copy per query"),
    Patch("moto.dynamodb.models.dynamo_type:Item.size", "partition_queries", "item size measured once"),
    Patch(
        "moto.dynamodb.models.dynamo_type:Item.__init__",
        "item_size_limit",
        "400 KB item limit as AWS counts it",
    ),
    Patch(
        "moto.core.common_models:BaseModel.__new__",
        "untracked_models",
        "models freed when moto lets go of them (it kept every instance: two items per DynamoDB write)",
    ),
    Patch(
        "moto.dynamodb.models.table:Table.__init__",
        "partition_snapshots",
        "scans and queries loop over a snapshot: a write on another thread cannot break them",
    ),
    Patch(
        "moto.dynamodb.parsing.executors:UpdateExpressionExecutor.execute",
        "atomic_writes",
        "an update applied to a copy swapped in whole: no read sees it half done",
    ),
    # the data folder's write-through (persistence.py) wraps these three again, inside the same lock
    Patch("moto.dynamodb.models:DynamoDBBackend.put_item", "atomic_writes", "one write at a time"),
    Patch("moto.dynamodb.models:DynamoDBBackend.update_item", "atomic_writes", "one write at a time"),
    Patch("moto.dynamodb.models:DynamoDBBackend.delete_item", "atomic_writes", "one write at a time"),
    Patch("moto.core.responses:ActionResult.execute_result", "fast_reads", "plain JSON for fast reads"),
    Patch("moto.dynamodb.models.table:copy", "partition_queries", "deep copies outside queries only"),
    Patch(
        "moto.stepfunctions.responses:StepFunctionResponse.start_execution",
        "state_machine_alias",
        "start on an alias or version ARN; the execution belongs to the state machine",
    ),
    Patch(
        "moto.stepfunctions.parser.backend.execution:Execution.stop",
        "moto_stop_fix",
        "a stopped execution ends ABORTED",
    ),
    Patch(
        "moto.stepfunctions.parser.backend.execution:BaseExecutionWorkerCommunication."
        "_reflect_execution_status",
        "moto_stop_fix",
        "keep ABORTED after a stop",
    ),
    Patch(
        "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker.stop",
        "moto_stop_fix",
        "a stop before the program runs waits for it (moto raised a 500 or lost it)",
    ),
    Patch(
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend._validate_definition",
        "validated_definitions",
        "a definition the parser accepted once is not parsed again to be accepted",
    ),
    Patch(
        "moto.stepfunctions.parser.asl.parse.asl_parser:AmazonStateLanguageParser.parse",
        "parsed_definitions",
        "a definition's syntax tree kept for its next execution (its components built anew)",
    ),
    Patch(
        "moto.cognitoidp.models:jwk",
        "user_pool_key",
        "the pools' one signing key imported once, its primes kept (not recovered at every start)",
    ),
    # library hooks: start-up cost (service_models.py)
    Patch(
        "botocore.loaders:JSONFileLoader.load_file",
        "service_models",
        "each model file parsed once per installed version (marshal cache)",
    ),
    Patch(
        "botocore.loaders:Loader.list_available_services",
        "service_models",
        "the ~400 service folders listed once per process, not per Loader",
    ),
    Patch("moto.s3.models:FakeMultipart.__init__", "multipart_initiated", "an upload knows when it began"),
    Patch("moto.s3.models:FakeKey.value", "ranged_reads", "a ranged GET reads its range, not the body"),
    Patch("moto.s3.responses:S3Response.key_response", "ranged_reads", "a ranged GET reads its range"),
    Patch(
        "moto.s3.responses:S3Response.list_multipart_uploads",
        "multipart_initiated",
        "each upload's own Initiated (moto answered 2010-11-10: every upload looked abandoned)",
    ),
    Patch(
        "moto.moto_server.werkzeug_app:DomainDispatcherApplication._get_body",
        "form_body",
        "a form-typed body is read as bytes and put back as sent (a binary part PUT hung)",
    ),
    Patch(
        "moto.s3.responses:S3Response.setup_class",
        "form_body",
        "an S3 PUT's body is stored byte for byte, never parsed as a form",
    ),
    # the data folder (persistence.py)
    Patch("moto.s3.models:S3Backend.put_object", "persistence", "write objects through to files"),
    Patch("moto.s3.models:S3Backend.delete_object", "persistence", "delete their files"),
    Patch("moto.s3.models:S3Backend.delete_objects", "persistence", "delete their files"),
    Patch("moto.s3.models:S3Backend.create_multipart_upload", "persistence", "keep uploads in progress"),
    Patch("moto.s3.models:S3Backend.upload_part", "persistence", "keep each part, written first"),
    Patch("moto.s3.models:S3Backend.upload_part_copy", "persistence", "keep each copied part"),
    Patch(
        "moto.s3.models:S3Backend.complete_multipart_upload",
        "persistence",
        "drop the parts once stored; keep the upload if the object was refused",
    ),
    Patch("moto.s3.models:S3Backend.abort_multipart_upload", "persistence", "drop the parts"),
    # the drop folder's identity pool (identity_pool.py)
    Patch(
        "moto.cognitoidentity.responses:CognitoIdentityResponse.get_id",
        "identity_pool",
        "GetId requires an ID token of the user pool",
    ),
    Patch(
        "moto.cognitoidentity.responses:CognitoIdentityResponse.get_credentials_for_identity",
        "identity_pool",
        "real STS credentials of the creator's role",
    ),
    # IAM enforcement (access_control.py, roles.py)
    Patch(
        "moto.core.authorization:ActionAuthenticatorMixin._authenticate_and_authorize_action",
        "access_control",
        "check each request's actions and resource ARNs against the caller's role",
    ),
    Patch(
        "botocore.signers:RequestSigner.get_auth_instance",
        "access_control",
        "sign with the role of the function running on this thread",
    ),
    Patch("threading:Thread.start", "access_control", "a function's threads keep its role and sandbox"),
    Patch(
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_execution",
        "roles",
        "an execution's calls are signed with its state machine's role",
    ),
)


class MotoMismatch(RuntimeError):
    """The installed moto is not the one local mode's patches were written for."""


def problems(installed: str | None = None, lazy: bool = False) -> list[str]:
    """What stops the patches from applying: another moto, or a patched attribute gone (the lazy
    patches only when `lazy`)."""
    if installed is None:
        try:
            installed = version("moto")
        except PackageNotFoundError:
            installed = "not installed"
    found = []
    if installed != MOTO_VERSION:
        found.append(f"moto {installed} is installed; local mode's patches are made for moto {MOTO_VERSION}")
    found += [
        f"{patch.target} no longer exists ({patch.why})"
        for patch in REGISTRY
        if (lazy or not patch.lazy) and not patch.exists()
    ]
    return found


def check(installed: str | None = None) -> None:
    found = problems(installed)
    if found:
        raise MotoMismatch(
            "local mode cannot start: "
            + "; ".join(found)
            + f". Install the pinned version (pip install 'moto[server]=={MOTO_VERSION}') or update "
            "reelflow/local/patches/ and the modules it names."
        )


_installed: list[bool] = []
ORDER = (
    "service_models",
    "untracked_models",
    "validated_definitions",
    "parsed_definitions",
    "user_pool_key",
    "invoker",
    "task_failure_cause",
    "terminal_errors",
    "ecs_member_names",
    "transactions",
    "stream_records",
    "partition_queries",
    "item_size_limit",
    "atomic_writes",
    "partition_snapshots",
    "fast_reads",
    "moto_stop_fix",
    "state_machine_alias",
    "form_body",
    "multipart_initiated",
    "ranged_reads",
    "fargate",
    "websocket_relay",
    "identity_pool",
    "access_control",
    "roles",
)


def _lazy_installers() -> set[str]:
    return {patch.installer for patch in REGISTRY if patch.lazy}


def _install(name: str) -> None:
    installer: Callable[[], None] = installer_module(name).install
    installer()


def install_all() -> None:
    """Check, then install every patch once per process (persistence installs when a data folder is
    attached: it wraps the transaction fix, so it comes after). Lazy patches wait for `install_lazy`."""
    if _installed:
        return
    from reelflow.local.lazy_moto import defer_batch_models

    defer_batch_models()  # before the checks import the Step Functions interpreter
    check()
    lazy = _lazy_installers()
    for name in ORDER:
        if name not in lazy:
            _install(name)
    _installed.append(True)


def installer_module(name: str) -> ModuleType:
    """A patch module of this package, else the reelflow/local module of that name."""
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    return importlib.import_module(f"reelflow.local.{name}")


_lazy_installed: set[str] = set()


def install_lazy(name: str) -> None:
    """Check and install the lazy patches of one installer, once per process."""
    if name in _lazy_installed:
        return
    gone = [p.target for p in REGISTRY if p.installer == name and not p.exists()]
    if gone:
        raise MotoMismatch(f"local mode cannot patch {', '.join(gone)}: it no longer exists in moto")
    _install(name)
    _lazy_installed.add(name)
