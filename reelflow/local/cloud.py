"""The embedded local AWS: moto served over HTTP on 127.0.0.1, its fixes installed, provisioned from the
same declaration as the CDK app (reelflow/local/provisioning.py), and the process environment set
the way Lambda sets it for a function. See docs/local-mode.md for the mapping to AWS."""

import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from moto.core.config import default_user_config
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from functions.deployment import (
    DROP_SWEEP,
    MEDIA,
    alias_arn,
    export_state_machine_name,
    file_budget_bytes,
    runtime_environment,
)
from functions.services.context import reset_services
from reelflow.local import (
    access_control,
    fargate,
    identity_pool,
    lazy_moto,
    local_store,
    patches,
    persistence,
    roles,
    sandboxes,
    stream_mapping,
)
from reelflow.local.drop_sweeper import DropSweeper
from reelflow.local.invoker import cold_start_all
from reelflow.local.provisioning import (
    Names,
    Worker,
    batch_definition,
    create_worker,
    planned_worker,
    provision,
    redeploy,
)
from reelflow.local.s3_meter import MeteredObjects
from reelflow.local.signed_uploads import PresignedUploadCheck

REGION = "us-east-1"
LOCAL_KEY = "local"  # access key id and secret of local mode (the S3 front verifies presigned uploads)
ACCOUNT = "123456789012"
PORT_FILE = "aws_port"  # in the data folder: the embedded AWS's port, reused by the next start
KEYRING = "credentials.json"  # in the data folder: each role session's keys (reelflow/local/roles.py)


def new_deployment() -> None:
    """After the environment changed (a start, a redeploy, a stop): configuration and clients rebuilt
    on next use, and every function's next invocation a cold start."""
    reset_services()
    cold_start_all()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class QuickStopMotoServer(ThreadedMotoServer):
    """moto's server, checking for shutdown every 20 ms instead of werkzeug's 500 ms: stopping local
    mode (at the end of every `reelflow run`) no longer waits half a second."""

    def _server_entry(self) -> None:  # ThreadedMotoServer's own, with a shorter poll interval
        secrets = access_control.KnownSecrets(LOCAL_KEY, LOCAL_KEY, ACCOUNT)
        backends = DomainDispatcherApplication(create_backend_app)
        app = lazy_moto.LazyWorker(MeteredObjects(PresignedUploadCheck(backends, secrets)))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=0.02)


LOCAL_SOURCE_REQUEST_BYTES = 1024 * 1024  # AWS: 256 KiB (functions/config.py)


@dataclass
class LocalSettings:
    work_dir: Path
    retry_delays_seconds: tuple[int, ...] = (0, 0, 0)
    progress_write_interval_seconds: float = 0.25
    batch_timeout_seconds: int = 6 * 3600
    lambda_max_media_seconds: float = 24 * 3600.0
    transcription_engine: str = "local"
    extra_env: dict[str, str] = field(default_factory=dict)
    # Where the table and the objects are kept across restarts (None: in memory only).
    data_dir: Path | None = None
    # The drop folder's scheduled check (every minute on AWS); 0 turns the timer off.
    drop_sweep_interval_seconds: float = 5.0
    # Each function runs with its role's IAM statements, checked on every call (as on AWS).
    enforce_iam: bool = True
    # Multiplies the state machines' TimeoutSeconds/HeartbeatSeconds and the worker's heartbeat
    # interval alike (REELFLOW_TIME_SCALE for `serve`): 1 keeps AWS's numbers.
    time_scale: float = 1.0


class LocalCloud:
    """Start with `LocalCloud(settings).start()`; `stop()` shuts the server down."""

    stage = "local"
    prefix = "reelflow-local"
    table_name = "reelflow-local"
    ingest_bucket = "reelflow-local-ingest"
    media_bucket = "reelflow-local-media"
    state_machine_name = "reelflow-local-batch"

    def __init__(self, settings: LocalSettings, port: int = 0) -> None:
        self.settings = settings
        self.requested_port = port
        self.server: ThreadedMotoServer | None = None
        self.port = 0
        self.state_machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.state_machine_name}"
        self.export_state_machine_arn = (
            f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{export_state_machine_name(self.prefix)}"
        )
        self.cluster_arn = ""
        self.worker_task_definition_arn = ""
        self.identities: dict[str, access_control.Identity] = {}
        self.function_arns: dict[str, str] = {}
        self.restored = (0, 0)  # (items, objects) read back from data_dir
        self._clients: dict[str, Any] = {}
        self.sweeper: DropSweeper | None = None
        self.drop_identity: identity_pool.DropIdentityConfig | None = None
        self._outer_environment: dict[str, str] | None = None  # the process's variables before start
        self._worker: Worker | None = None
        self._keyring: roles.Keyring | None = None
        self._batch_versions: dict[str, str] = {}  # engine → the batch machine's version for it

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def notification_topic_arn(self) -> str:
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{self.names.notification_topic}"

    @property
    def notifications_queue_url(self) -> str:
        return str(self.client("sqs").get_queue_url(QueueName=self.names.events_queue)["QueueUrl"])

    @property
    def names(self) -> Names:
        return Names(
            self.prefix, self.table_name, self.ingest_bucket, self.media_bucket, self.state_machine_name
        )

    def start(self) -> "LocalCloud":
        patches.install_all()  # refuses to start on a moto its patches were not made for
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        port = self.requested_port or self._kept_port() or free_port()
        self.server = QuickStopMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        self.port = port
        # moto's backends are process-wide: a second local cloud in one process starts from nothing.
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=30).raise_for_status()
        self._configure_environment()
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        sandboxes.current[0] = sandboxes.Sandboxes(self.settings.work_dir / "sandboxes")
        sandboxes.listen_to_ffmpeg()
        identity_pool.reset()
        lazy_moto.arm(self._make_worker)
        provisioned = provision(
            self,
            self.names,
            self.runtime_env(),
            self.settings.retry_delays_seconds,
            self.settings.batch_timeout_seconds,
            planned_worker(ACCOUNT, REGION),
            self.settings.time_scale,
            self.settings.transcription_engine,
        )
        fargate.time_scale[0] = self.settings.time_scale
        assert provisioned.state_machine_arn == self.state_machine_arn
        assert provisioned.export_state_machine_arn == self.export_state_machine_arn
        self.drop_identity = identity_pool.provision(
            self.endpoint, ACCOUNT, LOCAL_KEY, REGION, self.ingest_bucket
        )
        self.cluster_arn = provisioned.worker.cluster_arn
        self.worker_task_definition_arn = provisioned.worker.task_definition_arn
        self.function_arns = provisioned.function_arns
        self._worker = provisioned.worker
        self._batch_versions = {self.settings.transcription_engine: provisioned.state_machine_version_arn}
        data_dir = self.settings.data_dir
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)  # a first start: the keys and the port go here
        if self.settings.enforce_iam:
            self._keyring = roles.Keyring(data_dir / KEYRING if data_dir is not None else None)
            self.identities = roles.enforce(
                self,
                roles.Environment(ACCOUNT, REGION),
                self.settings.transcription_engine,
                keyring=self._keyring,
            )
        if data_dir is not None:
            (data_dir / PORT_FILE).write_text(str(port))
        if self.settings.data_dir is not None:
            store = local_store.LocalStore(self.settings.data_dir)
            self.restored = persistence.attach(store, ACCOUNT, REGION)
        stream_mapping.start(ACCOUNT, REGION)
        self.sweeper = DropSweeper(
            self.client("lambda"),
            self.function_arns[DROP_SWEEP.id],
            self.settings.drop_sweep_interval_seconds,
        ).start()
        return self

    def use_transcription_engine(self, engine: str) -> None:
        """From now on run the deployment of `engine` ("local": whisper, "aws": Amazon Transcribe), as a
        redeploy with the other `reelflow:transcription` setting would: the batch machine's Transcribe
        state invokes that deployment's function (the `live` alias on a version that does), every role
        holds that deployment's grants, and the functions' environment names the engine."""
        assert self._worker is not None, "start() first"
        self.settings.transcription_engine = engine
        definition = batch_definition(
            self.function_arns,
            self._worker,
            self.settings.retry_delays_seconds,
            self.settings.batch_timeout_seconds,
            self.settings.time_scale,
            engine,
        )
        self._batch_versions[engine] = redeploy(
            self, self.state_machine_arn, definition, self._batch_versions.get(engine)
        )
        if self._keyring is not None:
            self.identities = roles.enforce(
                self, roles.Environment(ACCOUNT, REGION), engine, keyring=self._keyring
            )
        os.environ.update(runtime_environment(transcription_engine=engine))
        new_deployment()

    @staticmethod
    def _make_worker() -> None:
        """The Fargate stand-in: its cluster and task definition, and the patch that runs its tasks."""
        patches.install_lazy("fargate")
        create_worker(ACCOUNT, REGION)

    def _kept_port(self) -> int | None:
        """The port of the previous start on this data folder, while it is free: URLs presigned before
        a restart name it (their signature covers the host)."""
        data_dir = self.settings.data_dir
        kept = data_dir / PORT_FILE if data_dir is not None else None
        if kept is None or not kept.is_file():
            return None
        try:
            port = int(kept.read_text().strip())
            with socket.socket() as sock:
                # as the server binds it: the last run's connections still in TIME_WAIT do not count
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", port))
        except (ValueError, OSError):
            return None  # taken by another process: a new port (URLs minted before must be minted again)
        return port

    def detach_store(self) -> None:
        """Stop writing changes to data_dir (before a shutdown kills work in flight)."""
        persistence.detach()

    def stop(self) -> None:
        roles.relax()
        stream_mapping.stop()
        if self.sweeper is not None:
            self.sweeper.stop()
            self.sweeper = None
        persistence.detach()
        if self.server is not None:
            self.server.stop()
            self.server = None
        self._restore_environment()

    def _restore_environment(self) -> None:
        """The process's variables as they were before start: what the functions were given (caps, the
        endpoint of a server now gone) must not configure what the process does next."""
        outer, self._outer_environment = self._outer_environment, None
        if outer is None:
            return
        for name in set(os.environ) - set(outer):
            del os.environ[name]
        os.environ.update(outer)
        new_deployment()

    def __enter__(self) -> "LocalCloud":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def runtime_env(self) -> dict[str, str]:
        """What every function's environment holds on AWS, with local values (functions/deployment.py)."""
        return {
            **runtime_environment(
                stage=self.stage,
                table_name=self.table_name,
                ingest_bucket=self.ingest_bucket,
                media_bucket=self.media_bucket,
                state_machine_arn=alias_arn(self.state_machine_arn),
                export_state_machine_arn=alias_arn(self.export_state_machine_arn),
                work_dir=str(self.settings.work_dir),
                transcription_engine=self.settings.transcription_engine,
                progress_write_interval_seconds=str(self.settings.progress_write_interval_seconds),
                lambda_max_media_seconds=str(self.settings.lambda_max_media_seconds),
                lambda_max_file_bytes=str(file_budget_bytes(MEDIA.ephemeral_mb)),
                batch_timeout_seconds=str(self.settings.batch_timeout_seconds),
                notification_topic_arn=self.notification_topic_arn,
                worker_cluster_arn=planned_worker(ACCOUNT, REGION).cluster_arn,
                # the parts of a long video render as a pool sized to the machine's cores
                render_part_concurrency=str(os.cpu_count() or 1),
                # a request costs this process CPU (~3 ms through the embedded S3), an unread byte costs
                # nothing: fewer, larger ranges than on AWS (docs/local-mode.md)
                source_request_bytes=str(LOCAL_SOURCE_REQUEST_BYTES),
            ),
            **self.settings.extra_env,
        }

    def _configure_environment(self) -> None:
        # moto does not inject a function's environment: the process gets it once, for every handler.
        self._outer_environment = dict(os.environ)
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": LOCAL_KEY,
                "AWS_SECRET_ACCESS_KEY": LOCAL_KEY,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                "MOTO_PORT": str(self.port),
                "MOTO_ACCOUNT_ID": ACCOUNT,
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("REELFLOW_LOG_LEVEL", "WARNING"),
                "POWERTOOLS_SERVICE_NAME": "reelflow-local",
                **self.runtime_env(),
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        self.settings.work_dir.mkdir(parents=True, exist_ok=True)
        new_deployment()

    def client(self, service: str) -> Any:
        """One client per service (making one loads its service model: tens of milliseconds)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(service, endpoint_url=self.endpoint, region_name=REGION)  # type: ignore[call-overload]
        return self._clients[service]
