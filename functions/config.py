"""Runtime configuration, parsed once from environment variables into a typed object."""

from functools import cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from functions.domain.drop_folder import DROP_FOLDER_MAX_VIDEOS


class RuntimeConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REELFLOW_", extra="ignore")

    stage: str = Field(default="local", description="Deployment stage name, used in resource names.")
    table_name: str = "reelflow"
    ingest_bucket: str = "reelflow-ingest"
    media_bucket: str = "reelflow-media"
    state_machine_arn: str = Field(
        default="", description="Where batch executions start: the state machine's alias ARN on AWS."
    )
    worker_cluster_arn: str = Field(
        default="", description="The Fargate worker's cluster: cancel stops the batch's tasks in it."
    )
    upload_url_expiry_seconds: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    download_url_expiry_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    transcription_engine: Literal["aws", "local"] = "aws"
    whisper_model_path: str | None = None
    whisper_english_model: Literal["tiny.en", "base"] = "tiny.en"  # base: the multilingual model
    model_cache_dir: str | None = None  # where whisper base is reassembled; default <tmp>/reelflow/models
    whisper_beam_size: int = Field(default=1, ge=1, le=10)
    work_dir: str = "/tmp/reelflow"
    progress_write_interval_seconds: float = Field(default=3.0, ge=0)
    lambda_max_media_seconds: float = Field(
        default=900.0,
        ge=0,
        description="One Lambda task's time budget: a longer render goes in parts, to Fargate only when a "
        "part cannot fit (functions/domain/routing.py).",
    )
    lambda_max_file_bytes: int = Field(
        default=8 * 1024**3,
        ge=0,
        description="The most bytes of files a video's Lambda task may hold in /tmp, set by the deployment "
        "from the functions' ephemeral storage (functions/deployment.py `file_budget_bytes`).",
    )
    render_part_seconds: float = Field(
        default=120.0,
        ge=1.0,
        description="Output seconds per part of a split render; a video longer than one part renders "
        "as parts, one Lambda each (the Render parts Map).",
    )
    source_request_bytes: int = Field(
        default=256 * 1024,
        ge=64 * 1024,
        description="Bytes per ranged GET when a part of a split render reads the source by URL: also the "
        "most a seek leaves unread (~500 GETs for 120 s of a 1080p source, $0.0002; docs/media.md).",
    )
    render_part_concurrency: int = Field(
        default=40,
        ge=1,
        description="Parts of one video rendering (or groups of its speech transcribing) at once (local "
        "mode: the cores).",
    )
    transcription_group_seconds: float = Field(
        default=300.0,  # functions.media.speech_parts.GROUP_SECONDS, the reason is there
        ge=1.0,
        description="Seconds of speech one faster-whisper invocation hears; a video with more is "
        "transcribed in groups, one invocation each (the Transcribe parts Map).",
    )
    drop_quiet_period_seconds: float = Field(
        default=300, ge=0, description="A drop folder without a start request starts after this long still."
    )
    drop_folder_max_videos: int = Field(
        default=1000,
        ge=1,
        le=DROP_FOLDER_MAX_VIDEOS,
        description="Videos one drop folder may hold (an archive import; the plans' limits are the API's).",
    )
    drop_settle_seconds: float = Field(
        default=10, ge=0, description="A drop folder asked to start waits this long after its last file."
    )
    batch_timeout_seconds: int = Field(default=6 * 3600, ge=60)
    cognito_issuer: str = Field(
        default="", description="https://cognito-idp.{region}.amazonaws.com/{pool id}"
    )
    cognito_client_id: str = ""
    export_state_machine_arn: str = Field(
        default="", description="Where export executions start: the export state machine's alias ARN."
    )
    export_lifetime_seconds: int = Field(
        default=24 * 3600, ge=60, le=7 * 24 * 3600, description="How long an export (file, record) lives."
    )
    export_lambda_budget_seconds: float = Field(
        default=600.0, ge=0, description="Estimated export seconds above which an export runs on Fargate."
    )
    export_max_seconds: float = Field(
        default=4 * 3600.0, gt=0, description="Total media seconds a merged or HLS export may encode."
    )
    # The deployment's global caps (CDK context `reelflow:capacity_*`); unset: derived from a new account's
    # quotas (functions/domain/capacity.py). The table's capacity item, editable without a redeploy,
    # is what admission reads; these seed it, and a deployment with other values replaces it.
    capacity_running_batches: int | None = Field(default=None, ge=1, description="Batches running at once.")
    capacity_videos_in_flight: int | None = Field(default=None, ge=1, description="Videos running at once.")
    capacity_transcribe_jobs: int | None = Field(default=None, ge=1, description="Transcribe jobs at once.")
    capacity_fargate_tasks: int | None = Field(default=None, ge=1, description="Fargate tasks at once.")
    capacity_lambda_slots: int | None = Field(
        default=None, ge=1, description="Media function invocations at once (videos and their parts)."
    )
    execution_start_grace_seconds: int = Field(
        default=300, ge=0, description="How long the sweep waits for a batch's execution to appear."
    )
    max_recoveries: int = Field(
        default=2, ge=0, description="New executions the sweep starts for a batch whose execution died."
    )
    connection_ttl_seconds: int = Field(default=2 * 3600, ge=60, description="API Gateway's WebSocket limit.")
    websocket_endpoint: str | None = Field(
        default=None,
        description="Management endpoint https://{api}.execute-api.{region}.amazonaws.com/{stage} "
        "(None: the SDK's default, AWS_ENDPOINT_URL in local mode).",
    )
    fanout_max_workers: int = Field(default=16, ge=1, le=64, description="Parallel post_to_connection calls.")
    event_bus: str | None = Field(
        default="default", description="Bus for Batch Completed/Failed/Cancelled (empty: none)."
    )
    notification_topic_arn: str | None = Field(default=None, description="SNS topic for opt-in e-mails.")


@cache
def get_config() -> RuntimeConfig:
    return RuntimeConfig()
