"""Least-privilege grants: the exact actions reelflow's code calls, on the exact resources it touches.

CDK's `grant_*` helpers add action wildcards (`s3:GetObject*`, `s3:List*`, …); these helpers name
each action. Where a resource must stay a pattern (objects under a prefix, jobs named at run time), the
cdk-nag finding is acknowledged here, next to the statement, with the reason.
"""

import json
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from functions.deployment import STATE_MACHINE_ALIAS
from infra.functions import acknowledge, executions_arn

TABLE_SPEC = Path(__file__).resolve().parents[1] / "functions" / "adapters" / "table.json"
TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
READ = ["s3:GetObject"]
WRITE = ["s3:PutObject"]


def _policy_owner(principal: iam.IGrantable) -> IConstruct:
    """The construct whose default policy receives statements (where cdk-nag reports findings)."""
    role = principal.grant_principal
    assert isinstance(role, iam.Role), "grants go to roles this app creates"
    return role


def _logical_id(resource: cdk.CfnResource) -> str:
    stack = cdk.Stack.of(resource)
    return str(stack.resolve(stack.get_logical_id(resource)))


def table_access(principal: iam.IGrantable, table: dynamodb.Table) -> None:
    """Item reads and writes, and Queries on the indexes named in table.json (no index wildcard)."""
    spec = json.loads(TABLE_SPEC.read_text())
    indexes = [i["name"] for i in spec["global_secondary_indexes"] + spec["local_secondary_indexes"]]
    principal.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=TABLE_ACTIONS,
            resources=[table.table_arn, *[f"{table.table_arn}/index/{name}" for name in indexes]],
        )
    )


def object_access(
    principal: iam.IGrantable, bucket: s3.Bucket, prefix: str, actions: list[str], why: str
) -> None:
    """`actions` on the objects under `prefix/` of `bucket` only."""
    principal.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[bucket.arn_for_objects(f"{prefix}/*")])
    )
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, cdk.CfnResource)
    acknowledge(
        _policy_owner(principal),
        f"AwsSolutions::AwsSolutions-IAM5[Resource::<{_logical_id(cfn_bucket)}.Arn>/{prefix}/*]",
        f"Objects under {prefix}/ are named at run time (ids, file names); {why}",
    )


def transcribe_access(principal: iam.IGrantable, actions: list[str]) -> None:
    stack = cdk.Stack.of(_policy_owner(principal))
    jobs = stack.format_arn(
        service="transcribe",
        resource="transcription-job",
        resource_name="reelflow-*",
        arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
    )
    principal.grant_principal.add_to_principal_policy(iam.PolicyStatement(actions=actions, resources=[jobs]))
    acknowledge(
        _policy_owner(principal),
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:transcribe:<AWS::Region>:"
        "<AWS::AccountId>:transcription-job/reelflow-*]",
        "Transcription jobs are named per batch, video and attempt at run time; all start with reelflow-.",
    )


def start_on_alias(principal: iam.IGrantable, state_machine_arn: str) -> None:
    """StartExecution through the state machine's `live` alias only. Step Functions authorizes a start
    on an alias against the state machine's own ARN, with the alias name in the
    `states:StateMachineQualifier` key; a start on the unqualified ARN or on a version is refused."""
    principal.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["states:StartExecution"],
            resources=[state_machine_arn],
            conditions={"StringEquals": {"states:StateMachineQualifier": STATE_MACHINE_ALIAS}},
        )
    )


def admission_access(function: iam.IGrantable, state_machine_name: str, state_machine_arn: str) -> None:
    """What `admission.admit_waiting` calls: start a batch's execution, look at a running one, and send
    a resumed batch's parked task tokens back. Every function whose change may free capacity admits."""
    owner = _policy_owner(function)
    executions = executions_arn(owner, state_machine_name)
    grantee = function.grant_principal
    start_on_alias(function, state_machine_arn)
    grantee.add_to_principal_policy(
        iam.PolicyStatement(actions=["states:SendTaskSuccess"], resources=[state_machine_arn])
    )
    grantee.add_to_principal_policy(
        iam.PolicyStatement(actions=["states:DescribeExecution"], resources=[executions])
    )
    acknowledge(
        owner,
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>"
        f":execution:{state_machine_name}:*]",
        "Executions of the batch state machine are named at run time (batch ids).",
    )
