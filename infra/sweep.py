"""The fair queue's scheduled sweep (an EventBridge rule, every minute) and the Step Functions grants
of every function that admits a queued batch (admission starts its execution and reads the previous
one's status)."""

from collections.abc import Sequence

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions import deployment
from functions.domain.object_keys import Prefix
from infra.access import WRITE, admission_access, object_access, table_access
from infra.functions import FunctionFactory
from infra.storage import Storage


class Sweep(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        storage: Storage,
        factory: FunctionFactory,
        state_machine_name: str,
        state_machine_arn: str,
        admitting: Sequence[lambda_.Function],
        settling: Sequence[lambda_.Function] = (),
        reserved_concurrency: int = 0,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = factory.create(deployment.SWEEP)
        if reserved_concurrency:
            # Optional: new accounts (quota 10) refuse any reservation. Without one, sweeps overlap only
            # when one runs past the minute; both recoveries then compute the same run name, and
            # StartExecution with an existing name and the same input starts nothing new (only the
            # batch's execution and recovery counters move twice).
            cfn_function = self.function.node.default_child
            assert isinstance(cfn_function, lambda_.CfnFunction)
            cfn_function.reserved_concurrent_executions = reserved_concurrency
        table_access(self.function, storage.table)
        for function in (self.function, *settling):  # settling a batch writes its summary report
            object_access(function, storage.media, Prefix.REPORTS, WRITE, "the summary of a settled batch.")
        self.rule = events.Rule(
            self,
            "SweepSchedule",
            description="Recover or settle batches whose execution died; admit queued batches",
            schedule=events.Schedule.expression(deployment.SWEEP_SCHEDULE),
            targets=[targets.LambdaFunction(self.function, retry_attempts=0)],  # the next minute retries
        )
        for function in (self.function, *admitting):
            admission_access(function, state_machine_name, state_machine_arn)
