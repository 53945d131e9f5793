"""The exit codes the README documents are the ones the command line uses, and an unexpected error is
reported in one line with the code a bug gets."""

import re
from pathlib import Path

import pytest

from reelflow.cli import main
from reelflow.errors import CliError, ExitCode, describe, suggestion

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_lists_every_exit_code() -> None:
    section = README.read_text().split("#### Exit codes", 1)[1].split("\n\n", 2)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.M)}
    assert documented == {int(code) for code in ExitCode}


def test_an_unexpected_error_is_one_line_with_the_internal_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("reelflow.cli.cmd_token", broken)
    assert main(["token"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    expected = "unexpected RuntimeError: disk on fire (rerun with --debug for the traceback)"
    assert err.strip() == f"reelflow token: error: {expected}"
    with pytest.raises(RuntimeError):
        main(["token", "--debug"])


def test_suggestions_and_lines() -> None:
    assert (
        suggestion("--remove-silense", ["--remove-silence", "--margin"]) == "; did you mean --remove-silence?"
    )
    assert suggestion("--zzz", ["--remove-silence"]) == ""
    assert describe(CliError("a\nb", ExitCode.USAGE)) == ("a b", ExitCode.USAGE)
    assert describe(FileNotFoundError(2, "No such file or directory", "/x.mp4")) == (
        "/x.mp4: No such file or directory",
        ExitCode.NOT_FOUND,
    )


def test_a_queued_batch_shows_its_place_and_since_when() -> None:
    from datetime import UTC, datetime

    from reelflow.runner import queued_line

    queued_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    line = queued_line({"status": "queued", "queued_at": queued_at.isoformat(), "queue_position": 2})
    assert line == f"queued #2 since {queued_at.astimezone().strftime('%H:%M:%S')}"
    assert queued_line({"status": "queued"}) == "queued since ?"
