"""The Transcriber: faster-whisper on Lambda, the default transcription engine on AWS.

A container image function (infra/transcriber.Dockerfile: the AWS Lambda Python base image, the versions
uv.lock pins, ffmpeg from its wheel and the speech models the project ships), since engine and models are
far over the 250 MB of a zip and its layers. The image is built and pushed by `cdk deploy`; `cdk synth`
only stages its build context (no Docker needed). With `reelflow:transcription=transcribe` it is not
created, and the Transcribe state invokes the media function, which starts Amazon Transcribe jobs.
"""

from pathlib import Path

from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_lambda as lambda_

from functions import deployment
from functions.domain.object_keys import Prefix
from infra.access import READ, WRITE, object_access, table_access
from infra.config import DeployConfig
from infra.functions import FunctionFactory
from infra.storage import Storage

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = "infra/transcriber.Dockerfile"
# The image's build context: only what the Dockerfile copies (an allow list).
IMAGE_FILES = [
    "*",
    "!pyproject.toml",
    "!uv.lock",
    "!README.md",
    "!functions/**",
    "!infra/__init__.py",
    f"!{DOCKERFILE}",
    "**/__pycache__",
    "**/*.pyc",
]


def image_code(config: DeployConfig) -> lambda_.DockerImageCode:
    platform = (
        ecr_assets.Platform.LINUX_ARM64 if config.architecture == "arm64" else ecr_assets.Platform.LINUX_AMD64
    )
    return lambda_.DockerImageCode.from_image_asset(
        str(ROOT),
        file=DOCKERFILE,
        exclude=IMAGE_FILES,
        platform=platform,
        cmd=[deployment.TRANSCRIBER.handler],  # the template names the handler, as for a zip function
    )


def add_transcriber(factory: FunctionFactory, config: DeployConfig, storage: Storage) -> lambda_.Function:
    """The Transcriber, with what transcribing a video locally touches: the upload, the stage results
    (the probe in, the transcript out), the work files of a long video's transcription in groups and the
    table. No transcribe:* grant: no job is started."""
    function = factory.create_image(
        deployment.TRANSCRIBER,
        image_code(config),
        memory_mb=config.transcriber_memory_mb,
        ephemeral_mb=config.transcriber_ephemeral_mb,
    )
    table_access(function, storage.table)
    object_access(function, storage.ingest, Prefix.UPLOADS, READ, "the uploaded video's audio.")
    object_access(function, storage.media, Prefix.RESULTS, READ + WRITE, "the probe, and the transcript.")
    object_access(
        function, storage.media, Prefix.WORK, READ + WRITE, "a long video's audio, speech plan and groups."
    )
    return function
