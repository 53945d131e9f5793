"""The local state folder (~/.reelflow, or $REELFLOW_HOME): token secret and the running server's address;
and the cache folder (~/.cache/reelflow, or $REELFLOW_CACHE): what local mode can compute again, kept so
that the next process need not (reelflow/local/patches/service_models.py, validated_definitions.py)."""

import json
import os
from pathlib import Path
from typing import Any


def home() -> Path:
    path = Path(os.environ.get("REELFLOW_HOME", Path.home() / ".reelflow"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Not created here: a cache that cannot be written is skipped, never an error."""
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("REELFLOW_CACHE") or Path(xdg) / "reelflow")


def state_path(name: str) -> Path:
    return home() / f"{name}.json"


def write_state(name: str, data: dict[str, Any]) -> Path:
    path = state_path(name)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2))
    temporary.replace(path)  # readers never see half a file
    return path


def read_state(name: str) -> dict[str, Any] | None:
    path = state_path(name)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clear_state(name: str) -> None:
    state_path(name).unlink(missing_ok=True)
