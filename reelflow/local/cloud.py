"""The embedded local AWS: moto served over HTTP on 127.0.0.1, provisioned like the CDK app does.

Same handlers, same ASL file, same table definition; only the substitutions differ (local ARNs,
near-zero retry delays). See docs/local-mode.md for the mapping to AWS.
"""

import io
import json
import logging
import os
import socket
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

from functions.services.context import reset_services
from reelflow.local import fargate, invoker, moto_fixes

ROOT = Path(__file__).resolve().parents[2]
STATE_MACHINE_FILE = ROOT / "statemachines" / "batch.asl.json"
TABLE_FILE = ROOT / "functions" / "adapters" / "table.json"
REGION = "us-east-1"
ACCOUNT = "123456789012"
WORKER_FAMILY = "reelflow-local-worker"


@dataclass(frozen=True)
class LocalFunction:
    name: str
    handler: str
    memory: int = 1024
    timeout: int = 900


FUNCTIONS = (
    LocalFunction("reelflow-api", "functions.handlers.api.handler", 512, 29),
    LocalFunction("reelflow-ingest", "functions.handlers.ingest.handler", 1024, 300),
    LocalFunction("reelflow-control", "functions.handlers.pipeline.control_handler", 512, 60),
    LocalFunction("reelflow-media", "functions.handlers.pipeline.media_handler", 3008, 900),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def substitute(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    if "${" in text:
        start = text.index("${")
        raise ValueError(f"unsubstituted placeholder in state machine: {text[start : start + 40]}")
    return text


def load_definition(values: dict[str, str], timeout_seconds: int) -> str:
    definition = json.loads(substitute(STATE_MACHINE_FILE.read_text(), values))
    definition["TimeoutSeconds"] = timeout_seconds
    return json.dumps(definition)


@dataclass
class LocalSettings:
    work_dir: Path
    retry_delays_seconds: str = "0,0,0"
    progress_write_interval_seconds: float = 0.25
    batch_timeout_seconds: int = 6 * 3600
    lambda_max_media_seconds: float = 24 * 3600.0
    transcription_engine: str = "local"
    extra_env: dict[str, str] = field(default_factory=dict)


class LocalCloud:
    """Start with `LocalCloud(settings).start()`; `stop()` shuts the server down."""

    stage = "local"
    table_name = "reelflow-local"
    ingest_bucket = "reelflow-local-ingest"
    media_bucket = "reelflow-local-media"
    state_machine_name = "reelflow-local-batch"

    def __init__(self, settings: LocalSettings, port: int = 0) -> None:
        self.settings = settings
        self.requested_port = port
        self.server: ThreadedMotoServer | None = None
        self.port = 0
        self.state_machine_arn = ""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LocalCloud":
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        port = self.requested_port or free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        self.port = port
        self._configure_environment()
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        invoker.install()
        moto_fixes.install()
        fargate.install()
        self._provision()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> "LocalCloud":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # ---- environment ------------------------------------------------------------------------------

    def runtime_env(self) -> dict[str, str]:
        return {
            "REELFLOW_STAGE": self.stage,
            "REELFLOW_TABLE_NAME": self.table_name,
            "REELFLOW_INGEST_BUCKET": self.ingest_bucket,
            "REELFLOW_MEDIA_BUCKET": self.media_bucket,
            "REELFLOW_STATE_MACHINE_ARN": self.state_machine_arn,
            "REELFLOW_WORK_DIR": str(self.settings.work_dir),
            "REELFLOW_TRANSCRIPTION_ENGINE": self.settings.transcription_engine,
            "REELFLOW_PROGRESS_WRITE_INTERVAL_SECONDS": str(self.settings.progress_write_interval_seconds),
            "REELFLOW_LAMBDA_MAX_MEDIA_SECONDS": str(self.settings.lambda_max_media_seconds),
            "REELFLOW_BATCH_TIMEOUT_SECONDS": str(self.settings.batch_timeout_seconds),
            **self.settings.extra_env,
        }

    def _configure_environment(self) -> None:
        self.state_machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.state_machine_name}"
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
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
        reset_services()

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION)  # type: ignore[call-overload]

    # ---- resources --------------------------------------------------------------------------------

    def _provision(self) -> None:
        role_arn = self._role()
        self._table()
        self._buckets()
        arns = {fn.name: self._function(fn, role_arn) for fn in FUNCTIONS}
        self._worker()
        self._state_machine(arns, role_arn)
        self._upload_notifications(arns["reelflow-ingest"])

    def _role(self) -> str:
        iam = self.client("iam")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = iam.create_role(RoleName="reelflow-local", AssumeRolePolicyDocument=json.dumps(trust))
        return str(role["Role"]["Arn"])

    def _table(self) -> None:
        spec = json.loads(TABLE_FILE.read_text())
        pk, sk = spec["partition_key"], spec["sort_key"]
        attributes = {pk, sk}
        gsis = []
        for index in spec["global_secondary_indexes"]:
            attributes |= {index["partition_key"], index["sort_key"]}
            gsis.append(
                {
                    "IndexName": index["name"],
                    "KeySchema": [
                        {"AttributeName": index["partition_key"], "KeyType": "HASH"},
                        {"AttributeName": index["sort_key"], "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            )
        lsis = []
        for index in spec["local_secondary_indexes"]:
            attributes.add(index["sort_key"])
            lsis.append(
                {
                    "IndexName": index["name"],
                    "KeySchema": [
                        {"AttributeName": pk, "KeyType": "HASH"},
                        {"AttributeName": index["sort_key"], "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            )
        self.client("dynamodb").create_table(
            TableName=self.table_name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
            KeySchema=[{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": sk, "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=gsis,
            LocalSecondaryIndexes=lsis,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )

    def _buckets(self) -> None:
        s3 = self.client("s3")
        for bucket in (self.ingest_bucket, self.media_bucket):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_cors(
            Bucket=self.ingest_bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedMethods": ["PUT", "POST", "GET"],
                        "AllowedOrigins": ["*"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag"],
                    }
                ]
            },
        )

    def _function(self, fn: LocalFunction, role_arn: str) -> str:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("README.txt", "Local mode runs the handler in-process from the checkout.")
        created = self.client("lambda").create_function(
            FunctionName=fn.name,
            Runtime="python3.13",
            Role=role_arn,
            Handler=fn.handler,
            Code={"ZipFile": archive.getvalue()},
            MemorySize=fn.memory,
            Timeout=fn.timeout,
            Environment={"Variables": self.runtime_env()},
        )
        return str(created["FunctionArn"])

    def _worker(self) -> None:
        """The Fargate worker's cluster, task definition and network, as the CDK app makes them."""
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.worker_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        self.worker_security_group = ec2.create_security_group(
            GroupName="reelflow-worker", Description="worker", VpcId=vpc
        )["GroupId"]
        ecs = self.client("ecs")
        self.cluster_arn = ecs.create_cluster(clusterName="reelflow-local")["cluster"]["clusterArn"]
        self.task_definition_arn = ecs.register_task_definition(
            family=WORKER_FAMILY,
            # AWS Fargate uses awsvpc; moto 5.2.5 fails to create its network interface, so the local
            # stand-in is a bridge-mode definition (the state machine's network configuration is ignored).
            networkMode="bridge",
            cpu="2048",
            memory="8192",
            containerDefinitions=[
                {"name": "worker", "image": "reelflow-worker", "essential": True, "cpu": 2048, "memory": 8192}
            ],
        )["taskDefinition"]["taskDefinitionArn"]

    def substitutions(self, arns: dict[str, str]) -> dict[str, str]:
        return {
            "ControlFunctionArn": arns["reelflow-control"],
            "MediaFunctionArn": arns["reelflow-media"],
            "RetryDelaysSeconds": self.settings.retry_delays_seconds,
            "ClusterArn": self.cluster_arn,
            "WorkerTaskDefinitionArn": self.task_definition_arn,
            "WorkerContainerName": "worker",
            "SubnetIds": self.worker_subnet,
            "SecurityGroupIds": self.worker_security_group,
            "AssignPublicIp": "DISABLED",
        }

    def _state_machine(self, arns: dict[str, str], role_arn: str) -> None:
        definition = load_definition(self.substitutions(arns), self.settings.batch_timeout_seconds)
        created = self.client("stepfunctions").create_state_machine(
            name=self.state_machine_name, definition=definition, roleArn=role_arn, type="STANDARD"
        )
        assert created["stateMachineArn"] == self.state_machine_arn

    def _upload_notifications(self, ingest_arn: str) -> None:
        # AWS routes these through EventBridge; moto cannot deliver EventBridge to Lambda, so local
        # mode subscribes the same handler directly (it accepts both event shapes).
        self.client("s3").put_bucket_notification_configuration(
            Bucket=self.ingest_bucket,
            NotificationConfiguration={
                "LambdaFunctionConfigurations": [
                    {"LambdaFunctionArn": ingest_arn, "Events": ["s3:ObjectCreated:*"]},
                ]
            },
        )
