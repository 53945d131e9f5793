"""`reelflow capacity`: show or change the service's global caps (the table's capacity item) without a
redeploy. Against a running `reelflow serve` by default; `--endpoint`/`--table` reach any table (on AWS:
`--table <name>` with the operator's credentials)."""

import os
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from functions.adapters.capacity_store import DynamoCapacityStore
from functions.domain.capacity import DEFAULT_CAPACITY, CapacitySetting, edited

CAPS = ("running_batches", "videos_in_flight", "transcribe_jobs", "fargate_tasks", "lambda_slots")


def _store(endpoint: str | None, table: str | None) -> DynamoCapacityStore:
    if table is None:
        from reelflow.serve_address import running_address

        state = running_address()
        endpoint, table = endpoint or str(state["aws_endpoint"]), str(state["table"])
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    if endpoint is not None:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
    return DynamoCapacityStore(table)


def run_capacity(
    console: Console, endpoint: str | None, table: str | None, changes: dict[str, int | None]
) -> int:
    store = _store(endpoint, table)
    now = datetime.now(UTC)
    setting = store.get()
    if setting is None:  # nothing admitted yet: start from the defaults (a deployment's own caps win)
        setting = CapacitySetting(capacity=DEFAULT_CAPACITY, deployed=DEFAULT_CAPACITY, updated_at=now)
    if any(value is not None for value in changes.values()):
        setting = edited(setting, changes, now)
        store.put(setting)
        console.print("Changed: in force from the next admission.")
    shown = Table("cap", "in force", "deployed")
    for name in CAPS:
        shown.add_row(name, str(getattr(setting.capacity, name)), str(getattr(setting.deployed, name)))
    console.print(shown)
    return 0
