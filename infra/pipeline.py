"""The processing pipeline: ingestion, the batch state machine, its tasks, the Fargate worker and the
EventBridge rules that connect S3, Amazon Transcribe and Step Functions to them."""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions import deployment
from functions.domain.object_keys import Prefix
from infra.access import READ, WRITE, object_access, table_access, transcribe_access
from infra.config import DeployConfig
from infra.functions import FunctionFactory, acknowledge, executions_arn
from infra.storage import Storage
from infra.transcriber import add_transcriber
from infra.versions import LiveAlias

ROOT = Path(__file__).resolve().parents[1]
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm")
# The worker image's build context: only what the Dockerfile copies (an allow list).
WORKER_IMAGE_FILES = [
    "*",
    "!pyproject.toml",
    "!uv.lock",
    "!README.md",
    "!functions/**",
    "!reelflow/**",
    "!infra/__init__.py",
    "!infra/worker.Dockerfile",
    "**/__pycache__",
    "**/*.pyc",
]


class Pipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: DeployConfig,
        storage: Storage,
        factory: FunctionFactory,
        state_machine_name: str,
        state_machine_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.ingest_function = factory.create(deployment.INGEST)
        self.control_function = factory.create(deployment.CONTROL)
        self.media_function = factory.create(
            deployment.MEDIA, memory_mb=config.media_memory_mb, ephemeral_mb=config.media_ephemeral_mb
        )
        self.transcription_function = factory.create(deployment.TRANSCRIPTION)
        # whisper (default): the Transcribe state runs the Transcriber; transcribe: the media function.
        self.transcriber_function = add_transcriber(factory, config, storage) if config.whisper else None
        self.transcribe_target = self.transcriber_function or self.media_function
        self.executions_function = factory.create(deployment.EXECUTIONS)

        self._grant_data_access(config, storage)
        self._add_worker(config, factory, storage)
        self._add_state_machine(config, state_machine_name, state_machine_arn)
        self._add_rules(config, storage, state_machine_arn)

    def _grant_data_access(self, config: DeployConfig, storage: Storage) -> None:
        table, ingest, media = storage.table, storage.ingest, storage.media
        # ---- data access: only what each function's code touches --------------------------------------
        for function in (
            self.ingest_function,
            self.control_function,
            self.media_function,
            self.transcription_function,
            self.executions_function,
        ):
            table_access(function, table)
        object_access(self.ingest_function, ingest, Prefix.UPLOADS, READ, "ingestion probes each upload.")
        object_access(self.media_function, ingest, Prefix.UPLOADS, READ, "stages read the uploaded video.")
        object_access(self.control_function, media, Prefix.REPORTS, WRITE, "the batch summary report.")
        object_access(self.media_function, media, Prefix.OUTPUTS, WRITE, "the rendered videos.")
        object_access(self.media_function, media, Prefix.RESULTS, READ + WRITE, "each stage's full data.")
        # Amazon Transcribe reads the FLAC and writes its result with the caller's permissions.
        object_access(
            self.media_function, media, Prefix.WORK, READ + WRITE, "render parts; Transcribe's audio."
        )
        if config.whisper:  # no Amazon Transcribe job is ever started: no grant for one (least privilege)
            return
        object_access(
            self.media_function, media, Prefix.TRANSCRIPTS, WRITE, "Amazon Transcribe writes its result."
        )
        transcribe_access(self.media_function, ["transcribe:StartTranscriptionJob"])
        object_access(
            self.transcription_function, media, Prefix.TRANSCRIPTS, READ, "Amazon Transcribe's result."
        )
        object_access(self.transcription_function, media, Prefix.RESULTS, WRITE, "the converted transcript.")
        transcribe_access(self.transcription_function, ["transcribe:GetTranscriptionJob"])

    def _add_worker(self, config: DeployConfig, factory: FunctionFactory, storage: Storage) -> None:
        table, ingest, media = storage.table, storage.ingest, storage.media
        # ---- the Fargate worker for videos Lambda cannot finish --------------------------------------
        self.vpc = ec2.Vpc(
            self,
            "WorkerVpc",
            max_azs=2,
            nat_gateways=0,  # public subnets and public IPs: no NAT gateway to pay for at rest
            subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)],
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
                "DynamoDB": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.DYNAMODB),
            },
            flow_logs={"rejected": ec2.FlowLogOptions(traffic_type=ec2.FlowLogTrafficType.REJECT)},
        )
        self.worker_security_group = ec2.SecurityGroup(
            self,
            "WorkerSecurityGroup",
            vpc=self.vpc,
            allow_all_outbound=True,
            description="reelflow worker: outbound HTTPS to AWS APIs only, no inbound",
        )
        self.cluster = ecs.Cluster(
            self, "WorkerCluster", vpc=self.vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "WorkerTask",
            cpu=config.worker_cpu,
            memory_limit_mib=config.worker_memory_mb,
            ephemeral_storage_gib=config.worker_ephemeral_gib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64
                if config.architecture == "arm64"
                else ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        worker_logs = logs.LogGroup(
            self,
            "WorkerLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.task_definition.add_container(
            deployment.WORKER_CONTAINER,
            image=ecs.ContainerImage.from_asset(
                str(ROOT),
                file="infra/worker.Dockerfile",
                exclude=WORKER_IMAGE_FILES,
                platform=_asset_platform(config),
            ),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="worker", log_group=worker_logs),
            environment={
                **factory.environment,
                **deployment.runtime_environment(
                    transcription_engine=config.transcription_engine, work_dir="/work"
                ),
                "POWERTOOLS_SERVICE_NAME": "reelflow-worker",
            },
        )
        task_role = self.task_definition.task_role
        table_access(task_role, table)
        object_access(task_role, ingest, Prefix.UPLOADS, READ, "the worker reads the long video.")
        object_access(task_role, media, Prefix.OUTPUTS, WRITE, "the rendered video.")
        object_access(task_role, media, Prefix.RESULTS, READ + WRITE, "each stage's full data.")
        if not config.whisper:  # with whisper the worker transcribes in its own process
            object_access(task_role, media, Prefix.WORK, READ + WRITE, "audio handed to Amazon Transcribe.")
            object_access(task_role, media, Prefix.TRANSCRIPTS, READ + WRITE, "Amazon Transcribe's result.")
            transcribe_access(
                task_role, ["transcribe:StartTranscriptionJob", "transcribe:GetTranscriptionJob"]
            )
        execution_role = self.task_definition.obtain_execution_role()
        acknowledge(
            execution_role,
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions (pulling the worker image).",
        )
        acknowledge(
            self.task_definition,
            "AwsSolutions-ECS2",
            "The environment holds names and ARNs only (table, buckets, state machine); no secrets.",
        )

    def _add_state_machine(
        self, config: DeployConfig, state_machine_name: str, state_machine_arn: str
    ) -> None:
        # ---- the state machine, loaded inline from the ASL file ---------------------------------------
        state_machine_logs = logs.LogGroup(
            self,
            "StateMachineLogs",
            log_group_name=f"/aws/vendedlogs/states/{state_machine_name}",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "BatchStateMachine",
            state_machine_name=state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(
                deployment.state_machine_definition(config.batch_timeout_seconds)
            ),
            definition_substitutions=deployment.StateMachineSubstitutions(
                control_function_arn=self.control_function.function_arn,
                media_function_arn=self.media_function.function_arn,
                transcribe_function_arn=self.transcribe_target.function_arn,
                retry_delays_seconds=config.retry_delays_seconds,
                worker=self.worker_placement(),
            ).as_dict(),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=state_machine_logs, level=sfn.LogLevel.ALL, include_execution_data=False
            ),
        )
        self.live = LiveAlias(self, "BatchLive", self.state_machine, "batch state machine")
        role = self.state_machine.role
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=list(  # each once: with `transcribe` the media function is the Transcribe target
                    dict.fromkeys(
                        [
                            self.control_function.function_arn,
                            self.media_function.function_arn,
                            self.transcribe_target.function_arn,
                        ]
                    )
                ),
            )
        )
        self.allow_to_run_worker(role, state_machine_arn)
        # The Distributed Maps (Process videos, Transcribe parts, Render parts) run each item as a child
        # execution of this state machine.
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[state_machine_arn])
        )
        child_executions = executions_arn(self, state_machine_name, children=True)
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"], resources=[child_executions]
            )
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
            f"execution:{state_machine_name}/*]",
            "A Distributed Map's child executions are named at run time (its map run and its items).",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray tracing and Logs delivery for Step Functions have no resource-level permissions.",
        )
        # Token answers: pause gate and local transcription (control, media), Transcribe events (the
        # worker's: allow_to_run_worker).
        answer_tokens = answer_tokens_of(state_machine_arn)
        for principal in (self.control_function, self.media_function, self.transcription_function):
            principal.add_to_role_policy(answer_tokens)
        if self.transcriber_function is not None:
            self.transcriber_function.add_to_role_policy(answer_tokens)

    def worker_placement(self) -> deployment.WorkerPlacement:
        """Where a state machine runs the worker task: its cluster and definition, in the public subnets
        with a public IP (no NAT gateway to pay for)."""
        return deployment.WorkerPlacement(
            cluster_arn=self.cluster.cluster_arn,
            worker_task_definition_arn=self.task_definition.task_definition_arn,
            subnet_ids=",".join(s.subnet_id for s in self.vpc.public_subnets),
            security_group_ids=self.worker_security_group.security_group_id,
            assign_public_ip="ENABLED",
        )

    def allow_to_run_worker(self, role: iam.IRole, state_machine_arn: str) -> None:
        """What a state machine that runs the worker task needs, and the worker to answer it: RunTask on
        its definition, PassRole on the two roles ECS hands the task (RunTask is refused without it, on
        AWS and in local mode), and the worker's role may send that machine's task tokens back."""
        task_role = self.task_definition.task_role
        execution_role = self.task_definition.obtain_execution_role()
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["ecs:RunTask"], resources=[self.task_definition.task_definition_arn])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"], resources=[task_role.role_arn, execution_role.role_arn]
            )
        )
        task_role.add_to_principal_policy(answer_tokens_of(state_machine_arn))

    def _add_rules(self, config: DeployConfig, storage: Storage, state_machine_arn: str) -> None:
        ingest = storage.ingest
        # ---- events -----------------------------------------------------------------------------------
        video_keys: list[object] = [{"suffix": {"equals-ignore-case": s}} for s in VIDEO_SUFFIXES]
        self.ingest_rule = events.Rule(
            self,
            "UploadCreatedRule",
            description="Uploads (PutObject, POST, multipart, copy) of videos, and drop-folder files",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [ingest.bucket_name]},
                    "object": {"key": [*video_keys, {"prefix": f"{Prefix.DROPBOX}/"}]},
                    "reason": ["PutObject", "POST Object", "CompleteMultipartUpload", "CopyObject"],
                },
            ),
            targets=[targets.LambdaFunction(self.ingest_function, retry_attempts=4)],
        )
        self.transcription_rule = (
            None
            if config.whisper
            else events.Rule(
                self,
                "TranscriptionDoneRule",
                description="Amazon Transcribe jobs started by reelflow reached COMPLETED or FAILED",
                event_pattern=events.EventPattern(
                    source=["aws.transcribe"],
                    detail_type=["Transcribe Job State Change"],
                    detail={
                        "TranscriptionJobStatus": ["COMPLETED", "FAILED"],
                        "TranscriptionJobName": [{"prefix": "reelflow-"}],
                    },
                ),
                targets=[targets.LambdaFunction(self.transcription_function, retry_attempts=4)],
            )
        )
        self.executions_rule = events.Rule(
            self,
            "ExecutionEndedRule",
            description="A batch execution failed, timed out or was aborted",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={"stateMachineArn": [state_machine_arn], "status": ["FAILED", "TIMED_OUT", "ABORTED"]},
            ),
            targets=[targets.LambdaFunction(self.executions_function, retry_attempts=4)],
        )


def _asset_platform(config: DeployConfig) -> "cdk.aws_ecr_assets.Platform":
    from aws_cdk import aws_ecr_assets

    return (
        aws_ecr_assets.Platform.LINUX_ARM64
        if config.architecture == "arm64"
        else aws_ecr_assets.Platform.LINUX_AMD64
    )


__all__ = ["Pipeline", "acknowledge"]


def answer_tokens_of(state_machine_arn: str) -> iam.PolicyStatement:
    """Sending a task token of `state_machine_arn`'s executions back: success, failure, heartbeat."""
    return iam.PolicyStatement(
        actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
        resources=[state_machine_arn],
    )
