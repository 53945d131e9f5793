"""Creates on the embedded AWS what the CDK app creates on AWS, from the same declaration
(functions/deployment.py): the table, the buckets, every Lambda function, the worker's cluster and task
definition, and the state machines with their substitutions filled in, each with a published version
and the `live` alias executions start on."""

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from functions import deployment
from reelflow.local import grants
from reelflow.local.access_control import role_arn

TABLE_FILE = Path(deployment.ROOT) / "functions" / "adapters" / "table.json"
WORKER_FAMILY = "reelflow-local-worker"
LOCAL_SUBNET = "subnet-local"
LOCAL_SECURITY_GROUP = "sg-local"
NOTIFICATION_RULE = "reelflow-local-notifications"
NOTIFICATION_SOURCE = "reelflow"  # functions/adapters/notifications.py SOURCE


class Clients(Protocol):
    def client(self, service: str) -> Any: ...


@dataclass(frozen=True)
class Names:
    prefix: str
    table: str
    ingest_bucket: str
    media_bucket: str
    state_machine: str
    events_queue: str = "reelflow-local-events"
    notification_topic: str = "reelflow-local-batch-notifications"
    export_state_machine: str = ""

    @property
    def export_machine(self) -> str:
        return self.export_state_machine or deployment.export_state_machine_name(self.prefix)


@dataclass(frozen=True)
class Worker:
    cluster_arn: str
    task_definition_arn: str
    subnet: str
    security_group: str

    def placement(self) -> deployment.WorkerPlacement:
        """The state machines' placeholders for it (its network is never read: bridge mode)."""
        return deployment.WorkerPlacement(
            cluster_arn=self.cluster_arn,
            worker_task_definition_arn=self.task_definition_arn,
            subnet_ids=self.subnet,
            security_group_ids=self.security_group,
            assign_public_ip="DISABLED",
        )


@dataclass(frozen=True)
class Provisioned:
    state_machine_arn: str
    function_arns: dict[str, str]
    worker: Worker
    export_state_machine_arn: str = ""
    state_machine_version_arn: str = ""


TIMER_FIELDS = ("TimeoutSeconds", "HeartbeatSeconds")


def scaled_timers(definition: str, scale: float) -> str:
    """The ASL with every TimeoutSeconds and HeartbeatSeconds multiplied by `scale` (whole seconds, at
    least 1): local mode keeps the state machine's proportions and only runs faster when told to."""
    if scale == 1:
        return definition

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: max(1, round(item * scale))
                if key in TIMER_FIELDS and isinstance(item, int)
                else walk(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return json.dumps(walk(json.loads(definition)), indent=1)


def transcribe_target(transcription_engine: str) -> deployment.FunctionSpec:
    """The function the Transcribe state invokes for the engine (infra/pipeline.py `transcribe_target`)."""
    return deployment.TRANSCRIBER if transcription_engine == "local" else deployment.MEDIA


def provision(
    aws: Clients,
    names: Names,
    environment: dict[str, str],
    retry_delays_seconds: tuple[int, ...],
    batch_timeout_seconds: int,
    worker: "Worker",
    time_scale: float = 1.0,
    transcription_engine: str = "local",
) -> Provisioned:
    """Everything, in dependency order, but the worker: its ARNs are known (`planned_worker`) and
    `create_worker` makes it on the first ECS call (lazy_moto.py)."""
    role_arn = create_role(aws)
    create_table(aws, names.table)
    create_buckets(aws, names)
    arns = {
        spec.id: create_function(aws, spec, names.prefix, role_arn, environment)
        for spec in deployment.FUNCTIONS
    }
    definition = batch_definition(
        arns, worker, retry_delays_seconds, batch_timeout_seconds, time_scale, transcription_engine
    )
    created = create_live_state_machine(aws, names.state_machine, definition, role_arn)
    export_arn = create_export_state_machine(aws, names, role_arn, arns, worker, time_scale)
    subscribe_uploads(aws, names.ingest_bucket, arns[deployment.INGEST.id])
    map_stream(aws, names.table, arns[deployment.PROGRESS_MAPPING.function.id])
    route_notifications(aws, names.events_queue)
    aws.client("sns").create_topic(Name=names.notification_topic)
    return Provisioned(
        str(created["stateMachineArn"]), arns, worker, export_arn, str(created["stateMachineVersionArn"])
    )


def batch_definition(
    arns: dict[str, str],
    worker: Worker,
    retry_delays_seconds: tuple[int, ...],
    batch_timeout_seconds: int,
    time_scale: float,
    transcription_engine: str,
) -> str:
    """statemachines/batch.asl.json, the same file the CDK app deploys, filled in for local mode."""
    substitutions = deployment.StateMachineSubstitutions(
        control_function_arn=arns[deployment.CONTROL.id],
        media_function_arn=arns[deployment.MEDIA.id],
        # As on AWS: the Transcriber with faster-whisper (a `whisper` deployment), the media function,
        # which starts Amazon Transcribe jobs (moto's here), with the `aws` engine.
        transcribe_function_arn=arns[transcribe_target(transcription_engine).id],
        retry_delays_seconds=retry_delays_seconds,
        worker=worker.placement(),
    )
    return scaled_timers(
        deployment.substitute(deployment.state_machine_definition(batch_timeout_seconds), substitutions),
        time_scale,
    )


def redeploy(aws: Clients, state_machine_arn: str, definition: str, version_arn: str | None) -> str:
    """The state machine holding `definition`, and its `live` alias on the version of it: `version_arn`
    when one was published with it before, else a new one (as a redeploy of the CDK app publishes)."""
    sfn = aws.client("stepfunctions")
    if version_arn is None:
        updated = sfn.update_state_machine(
            stateMachineArn=state_machine_arn, definition=definition, publish=True
        )
        version_arn = str(updated["stateMachineVersionArn"])
    else:
        sfn.update_state_machine(stateMachineArn=state_machine_arn, definition=definition)
    sfn.update_state_machine_alias(
        stateMachineAliasArn=f"{state_machine_arn}:{deployment.STATE_MACHINE_ALIAS}",
        routingConfiguration=[{"stateMachineVersionArn": version_arn, "weight": 100}],
    )
    return version_arn


def create_export_state_machine(
    aws: Clients, names: Names, role_arn: str, arns: dict[str, str], worker: Worker, time_scale: float = 1.0
) -> str:
    """statemachines/export.asl.json, the same file the CDK app deploys."""
    substitutions = deployment.ExportStateMachineSubstitutions(
        export_function_arn=arns[deployment.EXPORT.id], worker=worker.placement()
    )
    definition = scaled_timers(
        deployment.substitute(deployment.export_state_machine_definition(), substitutions), time_scale
    )
    created = create_live_state_machine(aws, names.export_machine, definition, role_arn)
    return str(created["stateMachineArn"])


def create_live_state_machine(aws: Clients, name: str, definition: str, role_arn: str) -> dict[str, Any]:
    """The state machine, its first version published, and the alias executions start on, as the CDK
    app deploys them (infra/versions.py)."""
    sfn = aws.client("stepfunctions")
    created: dict[str, Any] = sfn.create_state_machine(
        name=name, definition=definition, roleArn=role_arn, type="STANDARD", publish=True
    )
    sfn.create_state_machine_alias(
        name=deployment.STATE_MACHINE_ALIAS,
        routingConfiguration=[{"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}],
    )
    return created


def create_role(aws: Clients) -> str:
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
    role = aws.client("iam").create_role(
        RoleName="reelflow-local", AssumeRolePolicyDocument=json.dumps(trust)
    )
    return str(role["Role"]["Arn"])


def table_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(TABLE_FILE.read_text())
    return spec


def table_definition(table_name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's arguments for `spec`, functions/adapters/table.json (the CDK app reads the same file)."""
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
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": sk, "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": gsis,
        "LocalSecondaryIndexes": lsis,
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def create_table(aws: Clients, table_name: str) -> None:
    """The table as the CDK app makes it, its Time to Live on (reelflow/local/ttl_reaper.py acts on it)."""
    spec = table_spec()
    dynamodb = aws.client("dynamodb")
    dynamodb.create_table(**table_definition(table_name, spec))
    dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec["ttl_attribute"]},
    )


def lifecycle_rules(expiries: tuple[deployment.Expiry, ...]) -> dict[str, Any]:
    """PutBucketLifecycleConfiguration's rules for the deployment's (reelflow/local/s3_lifecycle.py)."""
    abort = deployment.ABORT_UPLOADS
    rules = [
        {
            "ID": abort.id,
            "Status": "Enabled",
            "Filter": {"Prefix": abort.prefix},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": abort.days},
        }
    ]
    rules += [
        {"ID": e.id, "Status": "Enabled", "Filter": {"Prefix": e.prefix}, "Expiration": {"Days": e.days}}
        for e in expiries
    ]
    return {"Rules": rules}


def create_buckets(aws: Clients, names: Names) -> None:
    s3 = aws.client("s3")
    for bucket, expiries in ((names.ingest_bucket, ()), (names.media_bucket, deployment.MEDIA_EXPIRIES)):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=lifecycle_rules(expiries))
    s3.put_bucket_cors(
        Bucket=names.ingest_bucket,
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


def create_function(
    aws: Clients, spec: deployment.FunctionSpec, prefix: str, role_arn: str, environment: dict[str, str]
) -> str:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("README.txt", "Local mode runs the handler in-process from the checkout.")
    created = aws.client("lambda").create_function(
        FunctionName=spec.name(prefix),
        Description=spec.description,
        Runtime="python3.13",
        Role=role_arn,
        Handler=spec.handler,
        Code={"ZipFile": archive.getvalue()},
        MemorySize=spec.memory_mb,
        Timeout=spec.timeout_seconds,
        EphemeralStorage={"Size": spec.ephemeral_mb},
        Environment={"Variables": {**environment, "POWERTOOLS_SERVICE_NAME": spec.service_name}},
    )
    return str(created["FunctionArn"])


WORKER_CLUSTER = "reelflow-local"


def planned_worker(account: str, region: str) -> Worker:
    """The worker's cluster and task definition as `create_worker` makes them (revision 1 of a fresh
    family): the state machine names them before they exist."""
    prefix = f"arn:aws:ecs:{region}:{account}"
    return Worker(
        f"{prefix}:cluster/{WORKER_CLUSTER}",
        f"{prefix}:task-definition/{WORKER_FAMILY}:1",
        LOCAL_SUBNET,
        LOCAL_SECURITY_GROUP,
    )


def create_worker(account: str, region: str) -> Worker:
    """The Fargate worker's cluster and task definition, as the CDK app makes them, straight in moto's
    ECS backend (this runs inside the server, on the first ECS request). No network: the local task
    definition uses bridge mode (moto 5.2.5 cannot create awsvpc's network interface), so the state
    machine's subnets and security group are never read; making a VPC in moto's EC2 would cost about a
    second for nothing."""
    from moto.ecs.models import ecs_backends

    backend = ecs_backends[account][region]
    cluster = backend.create_cluster(WORKER_CLUSTER)
    task_definition = backend.register_task_definition(
        WORKER_FAMILY,
        [
            {
                "name": deployment.WORKER_CONTAINER,
                "image": "reelflow-worker",
                "essential": True,
                "cpu": 2048,
                "memory": deployment.WORKER_MEMORY_MB,
            }
        ],
        network_mode="bridge",
        cpu="2048",
        memory=str(deployment.WORKER_MEMORY_MB),
        ephemeral_storage={"sizeInGiB": deployment.WORKER_EPHEMERAL_GIB},
        task_role_arn=role_arn(account, grants.WORKER),
        execution_role_arn=role_arn(account, grants.WORKER_EXECUTION),
    )
    made = Worker(str(cluster.arn), str(task_definition.arn), LOCAL_SUBNET, LOCAL_SECURITY_GROUP)
    if made != planned_worker(account, region):
        raise RuntimeError(f"the local worker is {made}, not the planned {planned_worker(account, region)}")
    return made


def subscribe_uploads(aws: Clients, bucket: str, ingest_arn: str) -> None:
    # AWS routes these through EventBridge; moto cannot deliver EventBridge to Lambda, so local
    # mode subscribes the same handler directly (it accepts both event shapes).
    aws.client("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": ingest_arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )


def map_stream(aws: Clients, table_name: str, function_arn: str) -> str:
    """The table's stream → the progress function, as the CDK app maps it (deployment.PROGRESS_MAPPING).
    reelflow/local/stream_mapping.py polls it once local mode has started."""
    mapping = deployment.PROGRESS_MAPPING
    stream_arn = aws.client("dynamodb").describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    created = aws.client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn,
        FunctionName=function_arn,
        StartingPosition="LATEST",
        BatchSize=mapping.batch_size,
        MaximumRetryAttempts=mapping.retry_attempts,
        BisectBatchOnFunctionError=False,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        FilterCriteria={"Filters": [{"Pattern": json.dumps(p)} for p in mapping.filter_patterns()]},
    )
    return str(created["UUID"])


def route_notifications(aws: Clients, queue_name: str) -> str:
    """Batch notifications on the default bus → a queue (moto's EventBridge delivers to SQS, not to a
    terminal): `reelflow serve` prints what arrives and `reelflow events` shows it. Returns the URL."""
    sqs = aws.client("sqs")
    queue_url = str(sqs.create_queue(QueueName=queue_name)["QueueUrl"])
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = aws.client("events")
    events.put_rule(
        Name=NOTIFICATION_RULE,
        EventPattern=json.dumps({"source": [NOTIFICATION_SOURCE]}),
        State="ENABLED",
    )
    events.put_targets(Rule=NOTIFICATION_RULE, Targets=[{"Id": "local-queue", "Arn": queue_arn}])
    return queue_url
