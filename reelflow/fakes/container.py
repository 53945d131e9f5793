"""A `Services` container wired with the in-memory fakes."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from functions.config import RuntimeConfig
from functions.services.context import Services
from reelflow.fakes.cloud import FakeObjectStore, FakeTranscriber, FakeWorkflow
from reelflow.fakes.export_store import FakeExportStore
from reelflow.fakes.stores import (
    FakeBatchStore,
    FakeBatchVideoStore,
    FakeCapacityStore,
    FakeConnectionStore,
    FakeTaskTokenStore,
    FakeTranscriptionJobStore,
    FakeUserStore,
    FakeVideoStore,
    Table,
)


@dataclass
class Clock:
    """A clock tests move by hand."""

    now: datetime = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class FakeServices:
    ctx: Services
    table: Table
    storage: FakeObjectStore
    workflow: FakeWorkflow
    transcriber: FakeTranscriber
    clock: Clock
    export_workflow: FakeWorkflow


def fake_services(root: Path, **config: object) -> FakeServices:
    table, storage, workflow, transcriber, clock = (
        Table(),
        FakeObjectStore(root / "s3"),
        FakeWorkflow(),
        FakeTranscriber(),
        Clock(),
    )
    export_workflow = FakeWorkflow("arn:aws:states:us-east-1:1:stateMachine:export")
    fields: dict[str, Any] = {
        "state_machine_arn": workflow.state_machine_arn,
        "export_state_machine_arn": export_workflow.state_machine_arn,
        "work_dir": str(root / "work"),
        **config,
    }
    settings = RuntimeConfig(**fields)
    storage.clock = clock  # objects are stamped with the test's time, as S3 stamps LastModified
    ctx = Services(
        config=settings,
        users=FakeUserStore(table),
        videos=FakeVideoStore(table),
        batches=FakeBatchStore(table),
        batch_videos=FakeBatchVideoStore(table),
        task_tokens=FakeTaskTokenStore(table),
        transcription_jobs=FakeTranscriptionJobStore(table),
        connections=FakeConnectionStore(table),
        storage=storage,
        workflow=workflow,
        transcriber=transcriber,
        exports=FakeExportStore(table),
        export_workflow=export_workflow,
        capacity=FakeCapacityStore(table),
        clock=clock,
    )
    return FakeServices(ctx, table, storage, workflow, transcriber, clock, export_workflow)
