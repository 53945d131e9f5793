"""What the command line says when something goes wrong: one line naming the file, batch or flag and
what to do next, and an exit code a script can act on. A traceback only with `--debug`."""

import difflib
import os
from collections.abc import Iterable
from enum import IntEnum
from typing import Any


def default_user() -> str:
    """The user every command acts as unless --user says otherwise ($REELFLOW_USER, else local-user)."""
    return os.environ.get("REELFLOW_USER") or "local-user"


class ExitCode(IntEnum):
    """The exit codes of every `reelflow` command (the README's table is checked against this)."""

    OK = 0  # every video completed (or the command did what it was asked)
    SOME_FAILED = 1  # the batch finished, but some videos failed or a file could not be processed
    USAGE = 2  # the command line was wrong: an unknown flag, a bad value, invalid settings
    NOT_FOUND = 3  # a file, folder, batch, execution or running `reelflow serve` was not found or refused
    CANCELLED = 4  # the batch was cancelled (by a user or the API)
    TIMED_OUT = 5  # gave up waiting (--timeout)
    INTERNAL = 70  # a bug: rerun with --debug and report the traceback
    INTERRUPTED = 130  # Ctrl-C (`run` cancels its batch first): the shell's 128 + SIGINT


class CliError(Exception):
    """An error the user can act on: one line, and the exit code it ends with."""

    def __init__(self, message: str, code: ExitCode = ExitCode.NOT_FOUND) -> None:
        super().__init__(message)
        self.code = code


def suggestion(word: str, choices: Iterable[str]) -> str:
    """`; did you mean X?` for the closest choice, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def api_error_line(error: Any, what: str, user: str | None) -> str:
    """One line for a refused API call (`error` is reelflow.client.ApiError)."""
    body = error.body if isinstance(error.body, dict) else {}
    detail = body.get("detail") or body.get("error") or str(error.body)[:200]
    if error.status == 404:
        return (
            f"{what} not found for user '{user}' ({detail}); "
            "check the id, or pass --user for the user it belongs to"
        )
    if error.status in (401, 403) and user:
        return f"{what}: refused for user '{user}' (HTTP {error.status}: {detail})"
    return f"{what}: {body.get('error', 'refused')} (HTTP {error.status}): {detail}"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe(error: BaseException) -> tuple[str, ExitCode]:
    """The line and exit code for an exception that reached the command line."""
    import botocore.exceptions
    import requests

    from functions.domain.errors import MediaError
    from reelflow.client import ApiError

    if isinstance(error, CliError):
        return one_line(str(error)), error.code
    if isinstance(error, ApiError):
        return one_line(api_error_line(error, "request", None)), ExitCode.NOT_FOUND
    if isinstance(error, requests.ConnectionError | botocore.exceptions.EndpointConnectionError):
        url = getattr(getattr(error, "request", None), "url", None) or getattr(error, "kwargs", {}).get(
            "endpoint_url", ""
        )
        return (
            f"cannot reach {url or 'the API'}: is `reelflow serve` still running? "
            "(start it, or pass the address of one that is)",
            ExitCode.NOT_FOUND,
        )
    if isinstance(error, botocore.exceptions.ClientError):
        info = error.response.get("Error", {})
        return one_line(f"{info.get('Code', 'refused')}: {info.get('Message', error)}"), ExitCode.NOT_FOUND
    if isinstance(error, MediaError):
        return one_line(str(error)), ExitCode.NOT_FOUND
    if isinstance(error, OSError) and error.filename:
        return one_line(f"{error.filename}: {error.strerror or error}"), ExitCode.NOT_FOUND
    return (
        one_line(f"unexpected {type(error).__name__}: {error} (rerun with --debug for the traceback)"),
        ExitCode.INTERNAL,
    )
