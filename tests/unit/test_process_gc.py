"""The `reelflow` process's collector schedule (reelflow/process_gc.py): off while local mode starts,
everything that exists then frozen, on for the rest of the run; a library caller's collector untouched."""

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reelflow import cli


@pytest.fixture
def program(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Callable[[], Any]]]:
    """main() as the process's own command line; what it registers at exit is collected, not run."""
    at_exit: list[Callable[[], Any]] = []
    monkeypatch.setattr("reelflow.process_gc.atexit.register", at_exit.append)
    try:
        yield at_exit
    finally:
        gc.unfreeze()
        gc.enable()


def test_run_collects_only_once_local_mode_is_up(
    program: list[Callable[[], Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    def run_folder(options: Any, _console: Any) -> dict[str, Any]:
        seen["starting"] = gc.isenabled()
        options.started()
        seen["started"] = (gc.isenabled(), gc.get_freeze_count())
        return {"batch": {"status": "completed"}, "videos": [], "not_processed": []}

    monkeypatch.setattr("reelflow.runner.run_folder", run_folder)
    monkeypatch.setattr("sys.argv", ["reelflow", "run", str(tmp_path), "--out", str(tmp_path / "out")])
    assert cli.main() == 0
    assert seen["starting"] is False
    enabled, frozen = seen["started"]
    assert enabled and frozen > 0
    assert gc.freeze in program  # teardown walks nothing


def test_other_commands_collect_from_the_start(
    program: list[Callable[[], Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def token(_args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(cli, "cmd_token", token)
    monkeypatch.setattr("sys.argv", ["reelflow", "token"])
    assert cli.main() == 0
    assert seen == [True]


def test_a_library_caller_keeps_its_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bool, int]] = []

    def token(_args: object) -> int:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return 0

    monkeypatch.setattr(cli, "cmd_token", token)
    assert cli.main(["token"]) == 0
    assert seen == [(True, 0)]
