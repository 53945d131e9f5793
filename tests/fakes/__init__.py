"""The in-memory fakes live in `reelflow/fakes/` (the capacity simulation runs on them too)."""
