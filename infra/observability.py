"""Alarms (video failure rate, failed and timed-out executions), a dashboard, and an alarm topic."""

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions.domain.stage_plan import TASK_NAMES
from infra.config import DeployConfig

NAMESPACE = "reelflow"


def video_metric(name: str, period: cdk.Duration) -> cw.Metric:
    return cw.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={"service": "reelflow-pipeline"},
        statistic="Sum",
        period=period,
    )


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: DeployConfig,
        state_machine: sfn.StateMachine,
        functions: list[lambda_.Function],
    ) -> None:
        super().__init__(scope, construct_id)
        key = kms.Key(self, "AlarmTopicKey", enable_key_rotation=True, description="reelflow alarm topic")
        self.topic = sns.Topic(
            self, "AlarmTopic", display_name="reelflow alarms", master_key=key, enforce_ssl=True
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=["*"],
            )
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        action = cw_actions.SnsAction(self.topic)
        hour, five = cdk.Duration.hours(1), cdk.Duration.minutes(5)

        completed, failed = video_metric("VideosCompleted", hour), video_metric("VideosFailed", hour)
        failure_rate = cw.MathExpression(
            expression="100 * failed / MAX([failed + completed, 1])",
            using_metrics={"failed": failed, "completed": completed},
            label="Video failure rate (%)",
            period=hour,
        )
        self.failure_rate_alarm = failure_rate.create_alarm(
            self,
            "VideoFailureRate",
            alarm_description=f"Over {config.failure_rate_alarm_percent}% of videos failed in the last hour",
            threshold=config.failure_rate_alarm_percent,
            evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        self.executions_failed_alarm = self._any(
            "ExecutionsFailed",
            state_machine.metric_failed(period=five),
            "A batch execution failed (the batch was marked failed)",
        )
        self.executions_timed_out_alarm = self._any(
            "ExecutionsTimedOut",
            state_machine.metric_timed_out(period=five),
            "A batch ran past its timeout (6 h by default)",
        )
        for alarm in (self.failure_rate_alarm, self.executions_failed_alarm, self.executions_timed_out_alarm):
            alarm.add_alarm_action(action)

        stage_seconds = [
            cw.Metric(
                namespace=NAMESPACE,
                metric_name="StageSeconds",
                dimensions_map={"service": "reelflow-pipeline", "stage": stage},
                statistic="Average",
                period=cdk.Duration.minutes(5),
                label=stage,
            )
            for stage in TASK_NAMES
        ]
        self.dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"{config.prefix}-pipeline")
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Videos",
                left=[video_metric("VideosCompleted", five), video_metric("VideosFailed", five)],
                width=8,
            ),
            cw.GraphWidget(title="Video failure rate (%)", left=[failure_rate], width=8),
            cw.GraphWidget(
                title="Batch executions",
                left=[
                    state_machine.metric_started(period=five),
                    state_machine.metric_succeeded(period=five),
                    state_machine.metric_failed(period=five),
                    state_machine.metric_timed_out(period=five),
                ],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Seconds per stage (average)", left=stage_seconds, width=12),
            cw.GraphWidget(
                title="Lambda errors", left=[f.metric_errors(period=five) for f in functions], width=12
            ),
        )
        self.dashboard.add_widgets(
            cw.AlarmStatusWidget(
                title="Alarms",
                alarms=[
                    self.failure_rate_alarm,
                    self.executions_failed_alarm,
                    self.executions_timed_out_alarm,
                ],
                width=24,
            )
        )

    def _any(self, construct_id: str, metric: cw.Metric, description: str) -> cw.Alarm:
        """An alarm that fires on a single occurrence."""
        return metric.create_alarm(
            self,
            construct_id,
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
