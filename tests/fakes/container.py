"""Moved to `reelflow/fakes/` (the capacity simulation runs on them); kept for the tests' imports."""

from reelflow.fakes.container import (
    Clock,
    FakeServices,
    fake_services,
)

__all__ = [
    "Clock",
    "FakeServices",
    "fake_services",
]
