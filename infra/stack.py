"""The reelflow stack: storage, identity and API, pipeline, observability, and the outputs a user needs."""

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from functions.deployment import alias_arn, runtime_environment
from functions.deployment import export_state_machine_name as export_state_machine_name_of
from infra.api import Api, Identity
from infra.config import DeployConfig
from infra.control_access import grant_batch_control
from infra.drop_folder import DropFolder
from infra.drop_identity import DropIdentity
from infra.exports import Exports
from infra.functions import FunctionFactory, acknowledge
from infra.observability import Observability
from infra.pipeline import Pipeline
from infra.progress import Progress
from infra.storage import Storage
from infra.sweep import Sweep
from infra.web import WebHosting


class ReelflowStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="reelflow: serverless batch video processing", **kwargs
        )
        self.config = config
        state_machine_name = f"{config.prefix}-batch"
        # Built from its name, not a reference, so functions that start or answer executions do not
        # depend on the state machine that depends on them.
        state_machine_arn = self.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=state_machine_name,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        export_state_machine_name = export_state_machine_name_of(config.prefix)
        export_state_machine_arn = self.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=export_state_machine_name,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        self.storage = Storage(self, "Storage", config)
        self.identity = Identity(self, "Identity", config)
        environment = {
            **runtime_environment(
                stage=config.stage,
                table_name=self.storage.table.table_name,
                ingest_bucket=self.storage.ingest.bucket_name,
                media_bucket=self.storage.media.bucket_name,
                # executions start on the `live` aliases (infra/versions.py), never on the bare ARNs
                state_machine_arn=alias_arn(state_machine_arn),
                export_state_machine_arn=alias_arn(export_state_machine_arn),
                transcription_engine=config.transcription_engine,
                lambda_max_media_seconds=str(config.lambda_max_media_seconds),
                lambda_max_file_bytes=str(config.lambda_max_file_bytes),
                batch_timeout_seconds=str(config.batch_timeout_seconds),
                cognito_issuer=self.identity.issuer,
                cognito_client_id=self.identity.client.user_pool_client_id,
                **config.capacity_environment,
            ),
            "POWERTOOLS_METRICS_NAMESPACE": "reelflow",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        self.functions = FunctionFactory(self, "Functions", config, environment)
        self.pipeline = Pipeline(
            self, "Pipeline", config, self.storage, self.functions, state_machine_name, state_machine_arn
        )
        self.api = Api(self, "Api", config, self.identity, self.storage, self.functions, state_machine_arn)
        self.exports = Exports(
            self,
            "Exports",
            config,
            self.storage,
            self.functions,
            self.pipeline,
            self.api.function,
            export_state_machine_name,
            export_state_machine_arn,
        )
        self.sweep = Sweep(
            self,
            "Sweep",
            self.storage,
            self.functions,
            state_machine_name,
            state_machine_arn,
            [self.api.function, self.pipeline.control_function, self.pipeline.executions_function],
            settling=[self.pipeline.executions_function],
            reserved_concurrency=config.sweep_reserved_concurrency,
        )
        self.progress = Progress(self, "Progress", config, self.storage, self.functions, self.api)
        grant_batch_control(
            self.api.function,
            self.storage.ingest,
            self.storage.media,
            self.pipeline.cluster,
            state_machine_name,
            state_machine_arn,
        )
        self.drop_folder = DropFolder(
            self,
            "DropFolder",
            self.storage,
            self.functions,
            self.pipeline.ingest_function,
            state_machine_name,
            state_machine_arn,
            video_readers=[
                self.pipeline.media_function,
                *([self.pipeline.transcriber_function] if self.pipeline.transcriber_function else []),
                self.pipeline.task_definition.task_role,
                self.api.function,
                self.exports.function,
            ],
        )
        self.drop_identity = DropIdentity(
            self,
            "DropIdentity",
            config,
            self.identity.user_pool,
            self.identity.client,
            self.storage.ingest,
        )
        self.observability = Observability(
            self, "Observability", config, self.pipeline.state_machine, self.functions.functions
        )
        self.web = WebHosting(
            self,
            "Web",
            config,
            identity=self.identity,
            access_logs=self.storage.access_logs,
            api_url=self.api.api_url,
            websocket_url=self.api.websocket_url,
        )

        outputs = {
            "WebAppUrl": (self.web.url, "The web app (CloudFront); it reads /config.json at start"),
            "ApiUrl": (self.api.api_url, "HTTP API base URL (routes under /api)"),
            "WebSocketUrl": (self.api.websocket_url, "WebSocket URL for live progress (?token=<ID token>)"),
            "IngestBucketName": (self.storage.ingest.bucket_name, "Uploads and the dropbox/ drop folder"),
            "MediaBucketName": (self.storage.media.bucket_name, "Outputs, stage results, reports, exports"),
            "TableName": (self.storage.table.table_name, "DynamoDB table"),
            "StateMachineArn": (self.pipeline.state_machine.state_machine_arn, "One execution per batch"),
            "StateMachineAliasArn": (
                self.pipeline.live.alias.attr_arn,
                "Where batch executions start; point it at an earlier version to roll back",
            ),
            "ExportStateMachineAliasArn": (
                self.exports.live.alias.attr_arn,
                "Where export executions start; roll back like the batch alias",
            ),
            "UserPoolId": (self.identity.user_pool.user_pool_id, "Cognito user pool"),
            "UserPoolClientId": (self.identity.client.user_pool_client_id, "Cognito app client (ID tokens)"),
            **self.drop_identity.outputs(),
            "DashboardName": (self.observability.dashboard.dashboard_name, "CloudWatch dashboard"),
        }
        for name, (value, description) in outputs.items():
            cdk.CfnOutput(self, name, value=value, description=description)
        # event_bridge_enabled=True adds CDK's bucket-notifications custom resource at the stack root.
        for child in self.node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                acknowledge(
                    child,
                    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AWSLambdaBasicExecutionRole]",
                    "CDK's own handler that turns on EventBridge notifications for the ingest bucket.",
                )
