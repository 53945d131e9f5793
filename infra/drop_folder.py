"""The S3 drop folder: the scheduled sweep that starts quiet folders, and the grants that let the ingest
and sweep functions read `dropbox/`, list a folder and its unfinished uploads, and start a batch."""

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions import deployment
from functions.domain.object_keys import Prefix
from infra.access import READ, admission_access, object_access, table_access
from infra.functions import FunctionFactory
from infra.storage import Storage

SWEEP_EVERY = cdk.Duration.minutes(1)


class DropFolder(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        storage: Storage,
        factory: FunctionFactory,
        ingest_function: lambda_.IFunction,
        state_machine_name: str,
        state_machine_arn: str,
        video_readers: list[iam.IGrantable],
    ) -> None:
        """`video_readers`: what reads a batch's videos (the media function, the worker task role, the
        API's start check and download URLs, exports with failed videos); a drop-folder batch's videos
        stay where the user put them, under `dropbox/`."""
        super().__init__(scope, construct_id)
        self.sweep_function = factory.create(deployment.DROP_SWEEP)
        table_access(self.sweep_function, storage.table)
        ingest = storage.ingest
        for function in (self.sweep_function, ingest_function):
            object_access(function, ingest, Prefix.DROPBOX, READ, "drop-folder files are probed and read.")
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["s3:ListBucket", "s3:ListBucketMultipartUploads"],
                    resources=[ingest.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{Prefix.DROPBOX}/*"]}},
                )
            )
            admission_access(function, state_machine_name, state_machine_arn)
        for reader in video_readers:
            object_access(reader, ingest, Prefix.DROPBOX, READ, "stages read a drop-folder video.")
        self.sweep_rule = events.Rule(
            self,
            "DropFolderSweepRule",
            description="Starts drop-folder batches whose folder is complete or has been quiet",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[targets.LambdaFunction(self.sweep_function, retry_attempts=2)],
        )
