"""The local state folder (~/.reelflow, or $REELFLOW_HOME): token secret and the running server's address."""

import json
import os
from pathlib import Path
from typing import Any


def home() -> Path:
    path = Path(os.environ.get("REELFLOW_HOME", Path.home() / ".reelflow"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_state(name: str, data: dict[str, Any]) -> Path:
    path = home() / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def read_state(name: str) -> dict[str, Any] | None:
    path = home() / f"{name}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return data if isinstance(data, dict) else None


def clear_state(name: str) -> None:
    (home() / f"{name}.json").unlink(missing_ok=True)
