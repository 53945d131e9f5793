"""Buckets and the table. Keys and indexes come from functions/adapters/table.json, as at run time."""

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from functions.deployment import ABORT_UPLOADS, MEDIA_EXPIRIES
from infra.config import DeployConfig
from infra.functions import acknowledge

TABLE_SPEC = Path(__file__).resolve().parents[1] / "functions" / "adapters" / "table.json"


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config

        self.access_logs = self._bucket(
            "AccessLogs",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=cdk.Duration.days(90))],
        )
        acknowledge(
            self.access_logs, "AwsSolutions-S1", "This is the access log bucket: it cannot log to itself."
        )
        abort_uploads = s3.LifecycleRule(
            id=ABORT_UPLOADS.id,
            abort_incomplete_multipart_upload_after=cdk.Duration.days(ABORT_UPLOADS.days),
        )
        # Uploads and the drop folder. EventBridge notifications start ingestion.
        self.ingest = self._bucket(
            "IngestBucket",
            event_bridge_enabled=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="ingest/",
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.GET],
                    allowed_origins=list(config.cors_origins),
                    allowed_headers=["*"],
                    exposed_headers=["ETag"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[abort_uploads],
        )
        # Work files, outputs, stage results, reports and exports.
        self.media = self._bucket(
            "MediaBucket",
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="media/",
            lifecycle_rules=[
                abort_uploads,
                *(
                    s3.LifecycleRule(id=rule.id, prefix=rule.prefix, expiration=cdk.Duration.days(rule.days))
                    for rule in MEDIA_EXPIRIES
                ),
            ],
        )

        spec = json.loads(TABLE_SPEC.read_text())
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string(spec["partition_key"]),
            sort_key=_string(spec["sort_key"]),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            time_to_live_attribute=spec["ttl_attribute"],
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=config.data_removal_policy,
            deletion_protection=config.retains_data,
        )
        for index in spec["global_secondary_indexes"]:
            self.table.add_global_secondary_index(
                index_name=index["name"],
                partition_key=_string(index["partition_key"]),
                sort_key=_string(index["sort_key"]),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        for index in spec["local_secondary_indexes"]:
            self.table.add_local_secondary_index(
                index_name=index["name"],
                sort_key=_string(index["sort_key"]),
                projection_type=dynamodb.ProjectionType.ALL,
            )

    def _bucket(self, construct_id: str, **properties: Any) -> s3.Bucket:
        """Private, encrypted, TLS-only; emptied on destroy unless the deployment retains data."""
        retain = self.config.retains_data
        return s3.Bucket(
            self,
            construct_id,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=self.config.data_removal_policy,
            auto_delete_objects=not retain,
            **properties,
        )
