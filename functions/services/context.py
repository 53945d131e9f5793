"""The one container of what the use cases need: ports (typing.Protocol, see ports.py), configuration and
a clock. `services()` wires the AWS adapters once per process; tests build it with in-memory fakes."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from functions.adapters import aws, idempotency
from functions.adapters.batch_store import DynamoBatchStore
from functions.adapters.batch_video_store import DynamoBatchVideoStore
from functions.adapters.capacity_store import DynamoCapacityStore
from functions.adapters.connection_store import DynamoConnectionStore
from functions.adapters.export_store import DynamoExportStore
from functions.adapters.object_store import S3ObjectStore
from functions.adapters.task_token_store import DynamoTaskTokenStore
from functions.adapters.transcribe import AmazonTranscribe
from functions.adapters.transcription_job_store import DynamoTranscriptionJobStore
from functions.adapters.user_store import DynamoUserStore
from functions.adapters.video_store import DynamoVideoStore
from functions.adapters.workflow import Workflow
from functions.config import RuntimeConfig, get_config
from functions.services.ports import (
    BatchStore,
    BatchVideoStore,
    CapacityStore,
    ConnectionStore,
    ExportStore,
    ObjectStore,
    TaskTokenStore,
    Transcriber,
    TranscriptionJobStore,
    UserStore,
    VideoStore,
    WorkflowEngine,
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    config: RuntimeConfig
    users: UserStore
    videos: VideoStore
    batches: BatchStore
    batch_videos: BatchVideoStore
    task_tokens: TaskTokenStore
    transcription_jobs: TranscriptionJobStore
    connections: ConnectionStore
    storage: ObjectStore
    workflow: WorkflowEngine
    transcriber: Transcriber
    exports: ExportStore
    export_workflow: WorkflowEngine
    capacity: CapacityStore
    clock: Callable[[], datetime] = utc_now


@cache
def services() -> Services:
    config = get_config()
    table = config.table_name
    return Services(
        config=config,
        users=DynamoUserStore(table),
        videos=DynamoVideoStore(table),
        batches=DynamoBatchStore(table),
        batch_videos=DynamoBatchVideoStore(table),
        task_tokens=DynamoTaskTokenStore(table),
        transcription_jobs=DynamoTranscriptionJobStore(table),
        connections=DynamoConnectionStore(table),
        storage=S3ObjectStore(),
        workflow=Workflow(config.state_machine_arn, config.worker_cluster_arn),
        transcriber=AmazonTranscribe(),
        exports=DynamoExportStore(table),
        export_workflow=Workflow(config.export_state_machine_arn),
        capacity=DynamoCapacityStore(table),
    )


def reset_services() -> None:
    """Rebuild configuration and clients on next use (after the environment changed)."""
    get_config.cache_clear()
    services.cache_clear()
    aws.reset_clients()
    idempotency.reset()
