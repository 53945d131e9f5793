"""The `reelflow` process's collector schedule (reelflow/process_gc.py): off while local mode starts,
everything that exists then frozen, on for the rest of the run; a library caller's collector untouched."""

import gc
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from reelflow import cli


class Ended(BaseException):
    """process_gc.end, in a test (the process must go on): like SystemExit, no handler of main() takes it."""


def ended(code: int) -> NoReturn:
    raise Ended(code)


@pytest.fixture
def program(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Callable[[], Any]]]:
    """main() as the process's own command line; what it registers at exit is collected, not run, and
    its end raises Ended."""
    at_exit: list[Callable[[], Any]] = []
    monkeypatch.setattr("reelflow.process_gc.atexit.register", at_exit.append)
    monkeypatch.setattr("reelflow.process_gc.end", ended)
    try:
        yield at_exit
    finally:
        gc.unfreeze()
        gc.enable()


def test_run_collects_only_once_local_mode_is_up_and_ends_without_teardown(
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
    with pytest.raises(Ended) as end:
        cli.main()
    assert end.value.args == (0,)
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


def test_the_end_runs_the_exit_handlers_and_flushes_the_output(tmp_path: Path) -> None:
    """In a fresh process: its exit code, its buffered output and what its exit handlers write."""
    mark = tmp_path / "handler-ran"
    script = (
        "import atexit, pathlib\n"
        f"atexit.register(pathlib.Path({str(mark)!r}).write_text, 'yes')\n"
        "print('buffered', end='')\n"
        "from reelflow.process_gc import end\n"
        "end(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (3, "buffered"), done.stderr
    assert mark.read_text() == "yes"
