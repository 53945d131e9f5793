"""Everything a deployment can tune, in one typed place (read from cdk.json's `reelflow` context or
`cdk deploy -c reelflow:stage=prod …`)."""

from dataclasses import dataclass, field, fields
from typing import Any, Literal

import aws_cdk as cdk

from functions.deployment import API, MEDIA


@dataclass(frozen=True)
class DeployConfig:
    stage: str = "dev"
    architecture: Literal["arm64", "x86_64"] = "arm64"
    python_version: str = "3.14"  # the Lambda runtime; the layer is built for it
    # Video retries: seconds to wait before each retry (1, 5, 15 minutes).
    retry_delays_seconds: str = "60,300,900"
    batch_timeout_seconds: int = 6 * 3600
    api_memory_mb: int = API.memory_mb  # overrides of the declared memory (functions/deployment.py)
    media_memory_mb: int = MEDIA.memory_mb
    media_ephemeral_mb: int = 10240
    # Estimated processing time above which a video goes to Fargate (Lambda stops at 900 s).
    lambda_max_media_seconds: int = 600
    transcription_engine: Literal["aws", "local"] = "aws"
    worker_cpu: int = 2048
    worker_memory_mb: int = 8192
    worker_ephemeral_gib: int = 60
    # Global caps (functions/domain/capacity.py); 0: derived from a new account's quotas. Seeds the
    # table's capacity item at first admission; `reelflow capacity` changes it without a redeploy.
    capacity_running_batches: int = 0
    capacity_videos_in_flight: int = 0
    capacity_transcribe_jobs: int = 0
    capacity_fargate_tasks: int = 0
    failure_rate_alarm_percent: int = 25
    alarm_email: str = ""
    cors_origins: tuple[str, ...] = ("*",)
    log_retention_days: int = 30
    retain_data: bool = False
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
        }
        return {name: str(value) for name, value in caps.items() if value > 0}

    @property
    def prefix(self) -> str:
        return f"reelflow-{self.stage}"

    @classmethod
    def from_app(cls, app: cdk.App) -> "DeployConfig":
        """`reelflow` context (a dict) plus `reelflow:<name>` overrides from the command line."""
        raw = dict(app.node.try_get_context("reelflow") or {})
        known = {f.name: f for f in fields(cls)}
        for name in known:
            override = app.node.try_get_context(f"reelflow:{name}")
            if override is not None:
                raw[name] = override
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
        return tuple(value.split(",")) if isinstance(value, str) else tuple(value)
    return value
