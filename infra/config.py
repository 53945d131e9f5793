"""Everything a deployment can tune, in one typed place (read from cdk.json's `reelflow` context or
`cdk deploy -c reelflow:stage=prod …`)."""

from dataclasses import dataclass, field, fields
from typing import Any, Literal

import aws_cdk as cdk

from functions.deployment import (
    API,
    MEDIA,
    TRANSCRIBER,
    WORKER_EPHEMERAL_GIB,
    WORKER_MEMORY_MB,
    file_budget_bytes,
)


@dataclass(frozen=True)
class DeployConfig:
    stage: str = "dev"
    architecture: Literal["arm64", "x86_64"] = "arm64"
    python_version: str = "3.14"  # the Lambda runtime; the layer is built for it
    # Video retries: seconds to wait before each retry (1, 5, 15 minutes).
    retry_delays_seconds: tuple[int, ...] = (60, 300, 900)
    batch_timeout_seconds: int = 6 * 3600
    api_memory_mb: int = API.memory_mb  # overrides of the declared memory (functions/deployment.py)
    media_memory_mb: int = MEDIA.memory_mb
    media_ephemeral_mb: int = MEDIA.ephemeral_mb  # its /tmp, which sets the routing's byte limit
    # One Lambda task's time budget (Lambda stops at 900 s): a longer render goes in parts, Fargate only
    # when a part, the stitch or /tmp cannot fit (functions/domain/routing.py).
    lambda_max_media_seconds: int = 600
    # `whisper`: faster-whisper on Lambda (the Transcriber, a container image with the shipped models) and
    # in the Fargate worker; `transcribe`: Amazon Transcribe jobs (and their grants) instead.
    transcription: Literal["whisper", "transcribe"] = "whisper"
    transcriber_memory_mb: int = TRANSCRIBER.memory_mb
    transcriber_ephemeral_mb: int = TRANSCRIBER.ephemeral_mb  # its 16 kHz WAV (the source is read by URL)
    worker_cpu: int = 2048
    worker_memory_mb: int = WORKER_MEMORY_MB
    worker_ephemeral_gib: int = WORKER_EPHEMERAL_GIB
    # Global caps (functions/domain/capacity.py); 0: derived from a new account's quotas. Seeds the
    # table's capacity item at first admission; `reelflow capacity` changes it without a redeploy.
    capacity_running_batches: int = 0
    capacity_videos_in_flight: int = 0
    capacity_transcribe_jobs: int = 0
    capacity_fargate_tasks: int = 0
    capacity_lambda_slots: int = 0
    failure_rate_alarm_percent: int = 25
    alarm_email: str = ""
    cors_origins: tuple[str, ...] = ("*",)
    log_retention_days: int = 30
    # Keep the table, user pool and data buckets on teardown (always on for stage `prod`).
    retain_data: bool = False
    # Reserved concurrency of the sweep; 0 reserves none (new accounts have a quota of 10, and Lambda
    # refuses a reservation that leaves fewer than 10 unreserved).
    sweep_reserved_concurrency: int = 0
    # WebSocket access logs need the account's API Gateway CloudWatch role ("CloudWatch Logs role ARN
    # must be set in account settings"): `none` logs nothing, `existing` says the account has the role,
    # `create` makes the role and sets it on the account (an account-wide, per-region setting).
    api_gateway_account_role: Literal["none", "existing", "create"] = "none"
    self_sign_up: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def capacity_environment(self) -> dict[str, str]:
        """The caps set in context, as `RuntimeConfig` field values (unset ones stay derived)."""
        caps = {
            "capacity_running_batches": self.capacity_running_batches,
            "capacity_videos_in_flight": self.capacity_videos_in_flight,
            "capacity_transcribe_jobs": self.capacity_transcribe_jobs,
            "capacity_fargate_tasks": self.capacity_fargate_tasks,
            "capacity_lambda_slots": self.capacity_lambda_slots,
        }
        return {name: str(value) for name, value in caps.items() if value > 0}

    @property
    def lambda_max_file_bytes(self) -> int:
        """The routing's byte limit (RuntimeConfig.lambda_max_file_bytes): a video whose files would not
        fit the media function's /tmp goes to Fargate."""
        return file_budget_bytes(self.media_ephemeral_mb)

    @property
    def transcription_engine(self) -> Literal["aws", "local"]:
        """The runtime's engine (RuntimeConfig.transcription_engine) for the deploy-time setting."""
        return "local" if self.transcription == "whisper" else "aws"

    @property
    def whisper(self) -> bool:
        return self.transcription == "whisper"

    @property
    def prefix(self) -> str:
        return f"reelflow-{self.stage}"

    @property
    def retains_data(self) -> bool:
        """Production data outlives the stack: Retain, and deletion protection where AWS has it."""
        return self.retain_data or self.stage == "prod"

    @property
    def data_removal_policy(self) -> cdk.RemovalPolicy:
        return cdk.RemovalPolicy.RETAIN if self.retains_data else cdk.RemovalPolicy.DESTROY

    @classmethod
    def from_app(cls, app: cdk.App) -> "DeployConfig":
        """`reelflow` context (a dict) plus `reelflow:<name>` overrides from the command line."""
        raw = dict(app.node.try_get_context("reelflow") or {})
        known = {f.name: f for f in fields(cls)}
        for name in known:
            override = app.node.try_get_context(f"reelflow:{name}")
            if override is not None:
                raw[name] = override
        if raw.get("transcription") not in (None, "whisper", "transcribe"):
            raise ValueError(f"transcription must be 'whisper' or 'transcribe', not {raw['transcription']!r}")
        unknown = set(raw) - set(known)
        if unknown:
            raise ValueError(f"Unknown reelflow settings {sorted(unknown)}; known: {sorted(known)}")
        return cls(**{name: _coerce(known[name].default, value) for name, value in raw.items()})


def _coerce(default: Any, value: Any) -> Any:
    """Context values from the command line arrive as strings."""
    if isinstance(default, bool):
        return value.lower() in {"1", "true", "yes"} if isinstance(value, str) else bool(value)
    if isinstance(default, int):
        return int(value)
    if isinstance(default, tuple):
        items = tuple(value.split(",")) if isinstance(value, str) else tuple(value)
        # A tuple of numbers (retry delays) stays numbers, however the context spelled them.
        return tuple(int(item) for item in items) if default and isinstance(default[0], int) else items
    return value
