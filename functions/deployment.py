"""One description of the deployment, read by the CDK app (`infra/`) and by local mode (`reelflow/local/`):
the Lambda functions, the environment they run with (named after `RuntimeConfig`'s fields) and the
state machine file with the substitutions it needs. Pure data: no boto3, no CDK."""

import json
import re
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from functions.adapters.keys import BATCH_SK, batch_pk, batch_video_sk
from functions.config import RuntimeConfig
from functions.domain.object_keys import Prefix

ROOT = Path(__file__).resolve().parents[1]
STATE_MACHINE_FILE = ROOT / "statemachines" / "batch.asl.json"
EXPORT_STATE_MACHINE_FILE = ROOT / "statemachines" / "export.asl.json"
ENV_PREFIX = "REELFLOW_"
# Every execution starts on this alias of its state machine; a rollback points it at an earlier version
# (docs/operations.md). Functions are configured with the alias's ARN (`alias_arn`).
STATE_MACHINE_ALIAS = "live"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function: `id` is its construct id in the CDK app; names derive from it."""

    id: str
    handler: str
    description: str
    memory_mb: int = 512
    timeout_seconds: int = 30
    ffmpeg: bool = False
    # Its /tmp (Lambda's ephemeral storage, 512 to 10,240 MiB): local mode fails an invocation whose
    # sandbox holds more (reelflow/local/sandboxes.py), as a write past it fails on AWS.
    ephemeral_mb: int = 512
    # RuntimeConfig fields this function cannot run without: checked at cold start (functions/startup.py)
    # and held to the template's environment by the infra tests.
    needs: tuple[str, ...] = ()
    # Its handler holds the request at hand in module state (Powertools' event resolver keeps it in class
    # and instance attributes), so one interpreter can run one invocation of it at a time. AWS gives each
    # concurrent invocation an execution environment of its own; local mode, which runs every function in
    # one process, queues them (reelflow/local/invoker.py).
    holds_request_in_module: bool = False

    @property
    def slug(self) -> str:
        return "".join(f"-{c.lower()}" if c.isupper() else c for c in self.id).lstrip("-")

    def name(self, prefix: str) -> str:
        """The deployed function name, e.g. `reelflow-dev-ws-connect` for prefix `reelflow-dev`."""
        return f"{prefix}-{self.slug}"

    @property
    def service_name(self) -> str:
        """POWERTOOLS_SERVICE_NAME of the function."""
        return f"reelflow-{self.slug}"


@dataclass(frozen=True)
class Expiry:
    """A bucket lifecycle rule: objects under `prefix` are deleted `days` after they were written."""

    id: str
    prefix: str
    days: int


# The buckets' lifecycle, made by the CDK app (infra/storage.py) and applied by local mode
# (reelflow/local/s3_lifecycle.py): multipart uploads left incomplete are aborted after a day in both
# buckets; in the media bucket exports go after a day, work files after two, Transcribe's output after a week.
ABORT_UPLOADS = Expiry("abort-incomplete-multipart-uploads", "", 1)
MEDIA_EXPIRIES = (
    Expiry("expire-exports", f"{Prefix.EXPORTS}/", 1),
    Expiry("clean-work-files", f"{Prefix.WORK}/", 2),
    Expiry("clean-transcribe-output", f"{Prefix.TRANSCRIPTS}/", 7),
)


# What every function that reads or writes batches needs.
STORE = ("table_name", "ingest_bucket", "media_bucket")

API = FunctionSpec(
    "Api",
    "functions.handlers.api.handler",
    "The reelflow HTTP API (Powertools resolver).",
    512,
    29,
    needs=(*STORE, "state_machine_arn", "export_state_machine_arn", "cognito_issuer", "cognito_client_id"),
    holds_request_in_module=True,
)
INGEST = FunctionSpec(
    "Ingest",
    "functions.handlers.ingest.handler",
    "Probes uploads (S3 Object Created).",
    1024,
    300,
    ffmpeg=True,
    needs=STORE,
)
CONTROL = FunctionSpec(
    "Control",
    "functions.handlers.pipeline.control_handler",
    "Batch state machine bookkeeping: prepare, gate, begin, finish, failures, complete.",
    512,
    60,
    needs=(*STORE, "state_machine_arn"),
)
MEDIA = FunctionSpec(
    "Media",
    "functions.handlers.pipeline.media_handler",
    "Probe, transcription start, silence, highlights and the one render of a video.",
    4096,
    900,
    ffmpeg=True,
    ephemeral_mb=10240,
    needs=(*STORE, "state_machine_arn"),
)
TRANSCRIPTION = FunctionSpec(
    "Transcription",
    "functions.handlers.transcription.handler",
    "Amazon Transcribe job finished: store the transcript and answer the waiting task.",
    512,
    120,
    needs=STORE,
)
# Transcription with faster-whisper (the default engine on AWS): a container image holding the engine, its
# models and ffmpeg (infra/transcriber.Dockerfile), since they are far over a zip's 250 MB. 3,538 MB is
# two vCPUs (Lambda gives one per 1,769 MB), the two cores the speed in docs/media.md was measured on;
# 900 s at tiny.en's measured speed is hours of speech, and a video estimated past it goes to Fargate.
# Local mode provisions it too, and its Transcribe state invokes it while it runs faster-whisper
# (reelflow/local/provisioning.py `transcribe_target`).
TRANSCRIBER = FunctionSpec(
    "Transcriber",
    "functions.handlers.pipeline.transcriber_handler",
    "faster-whisper transcription of a video's speech (the Transcribe state), from a container image.",
    3538,
    900,
    ffmpeg=True,
    ephemeral_mb=10240,
    needs=(*STORE, "state_machine_arn"),
)
EXECUTIONS = FunctionSpec(
    "Executions",
    "functions.handlers.executions.handler",
    "Fails the batch of an execution that failed, timed out or was aborted.",
    512,
    120,
    needs=(*STORE, "state_machine_arn"),
)
SWEEP = FunctionSpec(
    "Sweep",
    "functions.handlers.sweep.handler",
    "Every minute: recovers or settles batches whose execution died, admits queued batches.",
    512,
    300,
    needs=(*STORE, "state_machine_arn"),
)
SWEEP_SCHEDULE = "rate(1 minute)"
DROP_SWEEP = FunctionSpec(
    "DropSweep",
    "functions.handlers.drop_sweep.handler",
    "Scheduled check: starts drop-folder batches whose folder is complete or quiet.",
    1024,
    300,
    ffmpeg=True,
    needs=(*STORE, "state_machine_arn"),
)
WS_AUTHORIZER = FunctionSpec(
    "WsAuthorizer",
    "functions.handlers.websocket.authorizer",
    "Checks the Cognito ID token of a WebSocket connect.",
    needs=("cognito_issuer", "cognito_client_id"),
)
WS_CONNECT = FunctionSpec(
    "WsConnect",
    "functions.handlers.websocket.connect",
    "Records a WebSocket connection.",
    needs=("table_name",),
)
WS_DISCONNECT = FunctionSpec(
    "WsDisconnect",
    "functions.handlers.websocket.disconnect",
    "Forgets a WebSocket connection.",
    needs=("table_name",),
)
WS_SUBSCRIBE = FunctionSpec(
    "WsSubscribe",
    "functions.handlers.websocket.subscribe",
    "Subscribes a connection to a batch or to all.",
    needs=("table_name",),
)
EXPORT = FunctionSpec(
    "Export",
    "functions.handlers.export_task.handler",
    "Batch exports (ZIP, merged video, playlist) that end within 15 minutes; larger ones run on Fargate.",
    3008,
    900,
    ffmpeg=True,
    ephemeral_mb=10240,
    needs=(*STORE, "export_state_machine_arn"),
)

PROGRESS_STREAM = FunctionSpec(
    "ProgressStream",
    "functions.handlers.progress_stream.handler",
    "The table's stream: progress events to WebSocket listeners, finished batches to EventBridge/SNS.",
    512,
    60,
    needs=("table_name", "websocket_endpoint"),
    holds_request_in_module=True,  # its BatchProcessor holds one delivery's records
)

FUNCTIONS: tuple[FunctionSpec, ...] = (
    API,
    INGEST,
    CONTROL,
    MEDIA,
    TRANSCRIPTION,
    TRANSCRIBER,
    EXECUTIONS,
    SWEEP,
    DROP_SWEEP,
    WS_AUTHORIZER,
    WS_CONNECT,
    WS_DISCONNECT,
    WS_SUBSCRIBE,
    EXPORT,
    PROGRESS_STREAM,
)


@dataclass(frozen=True)
class StreamMapping:
    """The table's stream → a function, as an event source mapping (CDK and local mode alike).

    Order matters (sequence numbers follow write order), so a failed batch is never bisected: the
    handler reports the first failed record and everything after it (ReportBatchItemFailures) and the
    mapping resends from there. Only batch and batch-video items pass the filter: the handler's own
    writes (sequence counters and claims, connection removals) do not come back to it."""

    function: FunctionSpec
    batch_size: int = 100
    max_batching_window_seconds: int = 0
    retry_attempts: int = 10
    max_record_age_seconds: int = 3600

    @staticmethod
    def filter_patterns() -> list[dict[str, Any]]:
        keys = {
            "PK": {"S": [{"prefix": batch_pk("")}]},
            "SK": {"S": [BATCH_SK, {"prefix": batch_video_sk("")}]},
        }
        return [{"dynamodb": {"Keys": keys}}]


PROGRESS_MAPPING = StreamMapping(PROGRESS_STREAM)


def alias_arn(state_machine_arn: str) -> str:
    """The ARN executions start on: the state machine's `live` alias."""
    return f"{state_machine_arn}:{STATE_MACHINE_ALIAS}"


# The share of the media function's /tmp that the routing lets a video's files fill (RuntimeConfig's
# lambda_max_file_bytes, functions/domain/routing.py): the rest is for what its estimate leaves out (the
# 16 kHz WAV, a poster, the stitch's list). 10,240 MiB of /tmp: 8 GiB of files.
FILE_BUDGET_SHARE = 0.8


def file_budget_bytes(ephemeral_mb: int) -> int:
    """The routing's byte limit, from the /tmp of the function that holds a video's files: the media
    function, which downloads the source for the analysis and the stitch (the Transcriber reads it by
    URL and keeps only its 16 kHz WAV)."""
    return int(ephemeral_mb * 1024 * 1024 * FILE_BUDGET_SHARE)


def runtime_environment(**values: str) -> dict[str, str]:
    """Environment variables for `RuntimeConfig` fields: `table_name="t"` → `{"REELFLOW_TABLE_NAME": "t"}`.
    A name that is not a field of the runtime config is refused, so the deployment cannot set a
    variable the code never reads."""
    unknown = sorted(set(values) - set(RuntimeConfig.model_fields))
    if unknown:
        raise ValueError(f"not RuntimeConfig fields: {unknown}")
    return {ENV_PREFIX + name.upper(): value for name, value in values.items()}


WORKER_CONTAINER = "worker"


@dataclass(frozen=True)
class WorkerPlacement:
    """The placeholders of the Fargate worker's RunTask, the same in both state machine files: its
    cluster, task definition and container, and its network (`ENABLED`: public subnets, no NAT)."""

    cluster_arn: str
    worker_task_definition_arn: str
    subnet_ids: str
    security_group_ids: str
    assign_public_ip: str
    worker_container_name: str = WORKER_CONTAINER

    def as_dict(self) -> dict[str, str]:
        return placeholder_values(self)


@dataclass(frozen=True)
class StateMachineSubstitutions:
    """Every `${…}` placeholder of statemachines/batch.asl.json, by field (PascalCase in the file)."""

    control_function_arn: str
    media_function_arn: str
    # The function the Transcribe state invokes: the Transcriber (whisper) or the media function, which
    # starts Amazon Transcribe jobs (`transcribe` engine).
    transcribe_function_arn: str
    retry_delays_seconds: tuple[int, ...]  # a JSON list in the file: States.StringToJson reads it
    worker: WorkerPlacement

    def as_dict(self) -> dict[str, str]:
        return placeholder_values(self)


@dataclass(frozen=True)
class ExportStateMachineSubstitutions:
    """Every `${…}` placeholder of statemachines/export.asl.json (the worker's, as in the batch one)."""

    export_function_arn: str
    worker: WorkerPlacement

    def as_dict(self) -> dict[str, str]:
        return placeholder_values(self)


EXPORT_STATE_MACHINE_FUNCTIONS = {"ExportFunctionArn": EXPORT}


def export_state_machine_definition() -> str:
    """The export ASL file; `${…}` placeholders stay for the caller to fill."""
    return json.dumps(json.loads(EXPORT_STATE_MACHINE_FILE.read_text()), indent=1)


def export_state_machine_name(prefix: str) -> str:
    return f"{prefix}-export"


# The functions the state machine invokes, by the substitution that carries their ARN.
STATE_MACHINE_FUNCTIONS = {"ControlFunctionArn": CONTROL, "MediaFunctionArn": MEDIA}
# The Fargate worker's task storage (Fargate gives 20 GiB unless the task asks for up to 200): a long
# video's source, its pieces and its output, however large (infra/config.py can raise it).
WORKER_EPHEMERAL_GIB = 60
WORKER_MEMORY_MB = 8192  # with 2 vCPU (2048): the task's memory, its ffmpeg's included


def state_machine_definition(timeout_seconds: int) -> str:
    """The ASL file with the execution timeout set; `${…}` placeholders stay for the caller to fill."""
    definition = json.loads(STATE_MACHINE_FILE.read_text())
    definition["TimeoutSeconds"] = timeout_seconds
    return json.dumps(definition, indent=1)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def substitute(text: str, substitutions: StateMachineSubstitutions | ExportStateMachineSubstitutions) -> str:
    """What CloudFormation does with `DefinitionSubstitutions` (local mode has no CloudFormation)."""
    values = substitutions.as_dict()
    missing = placeholders(text) - set(values)
    if missing:
        raise ValueError(f"unsubstituted placeholders in the state machine: {sorted(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def placeholder_values(substitutions: Any) -> dict[str, str]:
    """A substitutions dataclass as `DefinitionSubstitutions`: each field under its name in PascalCase,
    a nested one's fields in line, a tuple as a JSON list (States.StringToJson reads it)."""
    values: dict[str, str] = {}
    for declared in fields(substitutions):
        value = getattr(substitutions, declared.name)
        if is_dataclass(value):
            values.update(placeholder_values(value))
        elif isinstance(value, tuple):
            values[_pascal(declared.name)] = json.dumps([int(v) for v in value])
        else:
            values[_pascal(declared.name)] = value
    return values


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
