"""What the batch control endpoints (pause, resume, cancel, retry-failed, delete) need beyond the API's
other grants: stop an execution, find the batch's Fargate tasks in the worker cluster (list the running
ones, describe them for their group) and stop them, answer parked task tokens, list and delete the objects
a batch owns."""

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from functions.deployment import runtime_environment
from functions.domain.object_keys import BATCH_SCOPED_PREFIXES, Prefix
from infra.access import object_access
from infra.functions import acknowledge, executions_arn


def grant_batch_control(
    function: lambda_.Function,
    ingest: s3.Bucket,
    media: s3.Bucket,
    cluster: ecs.ICluster,
    state_machine_name: str,
    state_machine_arn: str,
) -> None:
    stack = cdk.Stack.of(function)
    executions = executions_arn(function, state_machine_name)
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["states:StopExecution", "states:GetExecutionHistory"], resources=[executions]
        )
    )
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["states:SendTaskSuccess"], resources=[state_machine_arn])
    )
    tasks = stack.format_arn(
        service="ecs",
        resource="task",
        resource_name=f"{cluster.cluster_name}/*",
        arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
    )
    for name, value in runtime_environment(worker_cluster_arn=cluster.cluster_arn).items():
        function.add_environment(name, value)
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["ecs:ListTasks"],
            resources=["*"],
            conditions={"ArnEquals": {"ecs:cluster": cluster.cluster_arn}},
        )
    )
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["ecs:DescribeTasks", "ecs:StopTask"],
            resources=[tasks],
            conditions={"ArnEquals": {"ecs:cluster": cluster.cluster_arn}},
        )
    )
    owner = function.role
    assert owner is not None
    acknowledge(
        owner,
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
        f"execution:{state_machine_name}:*]",
        "Executions are named after batches at run time.",
    )
    cfn_cluster = cluster.node.default_child
    assert isinstance(cfn_cluster, cdk.CfnResource)
    cluster_id = stack.resolve(stack.get_logical_id(cfn_cluster))
    acknowledge(
        owner,
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:"
        f"task/<{cluster_id}>/*]",
        "Worker tasks get their ids at run time; DescribeTasks and StopTask stay in the worker cluster.",
    )
    acknowledge(
        owner,
        "AwsSolutions-IAM5[Resource::*]",
        "ecs:ListTasks names no task resource; the condition limits it to the worker cluster.",
    )
    for bucket, prefixes in ((media, BATCH_SCOPED_PREFIXES), (ingest, (Prefix.UPLOADS,))):
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{p}/*" for p in prefixes]}},
            )
        )
        for prefix in prefixes:
            object_access(
                function, bucket, prefix, ["s3:DeleteObject"], "cancel and delete remove a batch's files."
            )
