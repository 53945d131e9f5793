"""The collaborators every use case needs, built once per process from the runtime configuration."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from functions.adapters import aws
from functions.adapters.repository import Repository
from functions.adapters.storage import Storage
from functions.adapters.workflow import Workflow
from functions.config import RuntimeConfig, get_config


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    config: RuntimeConfig
    repo: Repository
    storage: Storage
    workflow: Workflow
    clock: Callable[[], datetime] = utc_now


@cache
def services() -> Services:
    config = get_config()
    return Services(
        config=config,
        repo=Repository(config.table_name),
        storage=Storage(),
        workflow=Workflow(config.state_machine_arn),
    )


def reset_services() -> None:
    """Rebuild configuration and clients on next use (after the environment changed)."""
    get_config.cache_clear()
    services.cache_clear()
    aws.reset_clients()
