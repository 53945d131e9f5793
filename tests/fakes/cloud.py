"""Moved to `reelflow/fakes/` (the capacity simulation runs on them); kept for the tests' imports."""

from reelflow.fakes.cloud import (
    FakeObjectStore,
    FakeTranscriber,
    FakeWorkflow,
)

__all__ = [
    "FakeObjectStore",
    "FakeTranscriber",
    "FakeWorkflow",
]
