"""Moved to `reelflow/fakes/` (the capacity simulation runs on them); kept for the tests' imports."""

from reelflow.fakes.stores import (
    FakeBatchStore,
    FakeBatchVideoStore,
    FakeCapacityStore,
    FakeConnectionStore,
    FakeTaskTokenStore,
    FakeTranscriptionJobStore,
    FakeUserStore,
    FakeVideoStore,
    M,
    Members,
    Table,
    apply,
)

__all__ = [
    "FakeBatchStore",
    "FakeBatchVideoStore",
    "FakeCapacityStore",
    "FakeConnectionStore",
    "FakeTaskTokenStore",
    "FakeTranscriptionJobStore",
    "FakeUserStore",
    "FakeVideoStore",
    "M",
    "Members",
    "Table",
    "apply",
]
