"""Where the functions' logs go when the command line runs them in-process: a file under
$REELFLOW_HOME/logs (its path printed once), or the terminal with `--verbose`. Python's logging (moto's
interpreter, werkzeug, botocore), the functions' Powertools JSON lines and exceptions of background
threads (moto's Step Functions workers after a cancel) all land there, never in the progress display."""

import logging
import sys
import threading
import time
from pathlib import Path
from typing import IO, cast

from reelflow.local.home import home

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def log_file(command: str) -> Path:
    folder = home() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{command}-{time.strftime('%Y%m%d-%H%M%S')}.log"


def _powertools_handlers() -> list[logging.StreamHandler[IO[str]]]:
    """The stream handlers the functions' Powertools loggers print with (to stdout by default)."""
    from functions.observability import logger

    handlers = []
    for handler in logger._logger.handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handlers.append(handler)
    return handlers


def route_logs(command: str, verbose: bool) -> Path | None:
    """Sends every log of this process to a new file (returned), or to stderr when `verbose`."""
    if verbose:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr, force=True)
        for handler in _powertools_handlers():
            handler.setStream(sys.stderr)
        return None
    path = log_file(command)
    file_handler = logging.FileHandler(path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[file_handler], force=True)
    for chatty in ("botocore", "boto3", "urllib3", "werkzeug"):  # a line per request or credential look-up
        logging.getLogger(chatty).setLevel(logging.WARNING)
    stream = cast(IO[str], file_handler.stream)
    for handler in _powertools_handlers():
        handler.setStream(stream)
    thread_log = logging.getLogger("reelflow.threads")

    def log_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        thread_name = args.thread.name if args.thread else "?"
        thread_log.error(
            "exception in thread %s",
            thread_name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )

    threading.excepthook = log_thread_exception
    return path
