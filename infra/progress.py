"""Live progress and notifications: the table's stream → the progress function (functions/deployment.py
PROGRESS_MAPPING: filtered to batch and batch-video items, item failures reported, never bisected,
records that keep failing described in a queue), which posts to this WebSocket API's connections only,
puts Batch Completed/Failed/Cancelled on the default EventBridge bus and publishes them to the SNS topic
users subscribe to by e-mail (filtered to their own user id)."""

import json

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions import deployment
from functions.deployment import runtime_environment
from infra.access import table_access
from infra.api import Api
from infra.config import DeployConfig
from infra.functions import FunctionFactory, acknowledge
from infra.storage import Storage


class Progress(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: DeployConfig,
        storage: Storage,
        factory: FunctionFactory,
        api: Api,
    ) -> None:
        super().__init__(scope, construct_id)
        mapping = deployment.PROGRESS_MAPPING
        self.topic = sns.Topic(
            self,
            "BatchNotifications",
            topic_name=f"{config.prefix}-batch-notifications",
            display_name="reelflow batch notifications",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
        )
        management = api.websocket_stage.callback_url
        self.function = factory.create(
            mapping.function,
            extra_environment=runtime_environment(
                websocket_endpoint=management, notification_topic_arn=self.topic.topic_arn
            ),
        )
        table_access(self.function, storage.table)
        self.failures = sqs.Queue(
            self,
            "StreamFailures",
            queue_name=f"{config.prefix}-progress-stream-failures",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(
            self.failures,
            "AwsSolutions-SQS3",
            "The stream mapping's on-failure destination: it holds descriptions of dropped records.",
        )
        self.function.add_event_source(
            sources.DynamoEventSource(
                storage.table,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=mapping.batch_size,
                max_batching_window=cdk.Duration.seconds(mapping.max_batching_window_seconds),
                bisect_batch_on_error=False,
                report_batch_item_failures=True,
                retry_attempts=mapping.retry_attempts,
                max_record_age=cdk.Duration.seconds(mapping.max_record_age_seconds),
                on_failure=sources.SqsDlq(self.failures),
                filters=[{"pattern": json.dumps(pattern)} for pattern in mapping.filter_patterns()],
            )
        )
        # Posting to connections: this API's stage only. The subscribe route posts the snapshot too.
        subscribe = api.ws_functions["subscribe"]
        for name, value in runtime_environment(websocket_endpoint=management).items():
            subscribe.add_environment(name, value)
        for function in (self.function, subscribe):
            api.websocket_stage.grant_management_api_access(function)
            acknowledge(
                function.role or function,
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
                f"<{_logical_id(api.websocket_api)}>/{api.websocket_stage.stage_name}/*/@connections/*]",
                "Connection ids are only known at run time; the grant is limited to this API's stage.",
            )
        events.EventBus.from_event_bus_name(self, "DefaultBus", "default").grant_put_events_to(self.function)
        self.topic.grant_publish(self.function)
        # Opting in (PUT /api/me/notifications) subscribes the user's address with a filter on their id.
        for name, value in runtime_environment(notification_topic_arn=self.topic.topic_arn).items():
            api.function.add_environment(name, value)
        self.topic.grant_subscribe(api.function)


def _logical_id(construct: Construct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    stack = cdk.Stack.of(construct)
    return str(stack.resolve(stack.get_logical_id(resource)))
