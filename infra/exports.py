"""Batch exports: the export function, the export state machine (statemachines/export.asl.json: the export
Lambda, or the worker container on Fargate for exports longer than Lambda's 15 minutes), and the grants
of the API and the worker. Export files live under the media bucket's exports/ prefix, expired after a
day by its lifecycle rule (infra/storage.py); the records expire through the table's TTL attribute."""

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions import deployment
from functions.domain.object_keys import Prefix
from infra.access import READ, WRITE, object_access, start_on_alias, table_access
from infra.config import DeployConfig
from infra.functions import FunctionFactory, acknowledge
from infra.pipeline import Pipeline
from infra.storage import Storage
from infra.versions import LiveAlias


class Exports(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: DeployConfig,
        storage: Storage,
        factory: FunctionFactory,
        pipeline: Pipeline,
        api_function: lambda_.IFunction,
        state_machine_name: str,
        state_machine_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        media, ingest = storage.media, storage.ingest
        self.function = factory.create(deployment.EXPORT)
        task_role = pipeline.task_definition.task_role
        for principal in (self.function, task_role):
            table_access(principal, storage.table)
            object_access(principal, media, Prefix.OUTPUTS, READ, "exports read the batch's outputs.")
            object_access(
                principal, ingest, Prefix.UPLOADS, READ, "failed videos' originals (include_failed)."
            )
            object_access(principal, media, Prefix.EXPORTS, READ + WRITE, "the export files (multipart).")
        object_access(  # a playlist is written when it is downloaded, its entries signed then
            api_function,
            media,
            Prefix.EXPORTS,
            [*READ, "s3:PutObject"],
            "download links and signed playlists.",
        )
        object_access(api_function, ingest, Prefix.UPLOADS, READ, "sizes of failed videos' originals.")
        object_access(  # a drop-folder batch's originals stay under dropbox/ (docs/drop-folder.md)
            api_function, ingest, Prefix.DROPBOX, READ, "failed drop-folder originals: sizes, playlist links."
        )
        start_on_alias(api_function, state_machine_arn)

        state_machine_logs = logs.LogGroup(
            self,
            "ExportStateMachineLogs",
            log_group_name=f"/aws/vendedlogs/states/{state_machine_name}",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "ExportStateMachine",
            state_machine_name=state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(deployment.export_state_machine_definition()),
            definition_substitutions=deployment.ExportStateMachineSubstitutions(
                export_function_arn=self.function.function_arn, worker=pipeline.worker_placement()
            ).as_dict(),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=state_machine_logs, level=sfn.LogLevel.ALL, include_execution_data=False
            ),
        )
        self.live = LiveAlias(self, "ExportLive", self.state_machine, "export state machine")
        role = self.state_machine.role
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.function.function_arn])
        )
        pipeline.allow_to_run_worker(role, state_machine_arn)
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray tracing and Logs delivery for Step Functions have no resource-level permissions.",
        )
