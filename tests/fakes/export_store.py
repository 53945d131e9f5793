"""Moved to `reelflow/fakes/` (the capacity simulation runs on them); kept for the tests' imports."""

from reelflow.fakes.export_store import (
    FakeExportStore,
)

__all__ = [
    "FakeExportStore",
]
