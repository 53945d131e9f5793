"""The local state folder (~/.reelflow, or $REELFLOW_HOME): token secret and the running server's address."""

import json
import os
from pathlib import Path
from typing import Any


def home() -> Path:
    path = Path(os.environ.get("REELFLOW_HOME", Path.home() / ".reelflow"))
    path.mkdir(parents=True, exist_ok=True)
    return path


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
