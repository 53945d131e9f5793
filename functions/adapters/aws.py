"""boto3 clients, created once per process. Endpoints come from AWS_ENDPOINT_URL in local mode."""

import os
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_stepfunctions import SFNClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


@cache
def dynamodb() -> "DynamoDBServiceResource":
    return boto3.resource("dynamodb", config=_CONFIG)


@cache
def s3() -> "S3Client":
    # A local endpoint (127.0.0.1) has no bucket subdomains: use path-style addressing there only.
    style: Literal["path", "virtual"] = "path" if os.environ.get("AWS_ENDPOINT_URL") else "virtual"
    config = _CONFIG.merge(Config(s3={"addressing_style": style}, signature_version="s3v4"))
    return boto3.client("s3", config=config)


@cache
def stepfunctions() -> "SFNClient":
    return boto3.client("stepfunctions", config=_CONFIG)


@cache
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset_clients() -> None:
    """Forget cached clients (local mode and tests call this after changing endpoints)."""
    for factory in (dynamodb, s3, stepfunctions, client):
        factory.cache_clear()
