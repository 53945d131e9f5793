"""A full disk for a `reelflow serve` subprocess, from outside the product: copied by a test as
`sitecustomize.py` onto the subprocess's PYTHONPATH. While the file named by REELFLOW_TEST_FULL_DISK
exists, every write under REELFLOW_HOME fails as a full disk makes it fail: `fsync` of a body file with
ENOSPC, and SQLite's INSERT/UPDATE/DELETE with "database or disk is full". Reads keep working."""

import errno
import os
import sqlite3
from pathlib import Path
from typing import Any

MARKER = os.environ.get("REELFLOW_TEST_FULL_DISK")
HOME = os.environ.get("REELFLOW_HOME", "")


def _full() -> bool:
    return MARKER is not None and os.path.exists(MARKER)


def _under_home(path: str) -> bool:
    return bool(HOME) and Path(path).resolve().is_relative_to(Path(HOME).resolve())


_fsync = os.fsync


def _fsync_on_a_full_disk(fd: Any) -> None:
    descriptor = fd if isinstance(fd, int) else fd.fileno()
    if _full() and _under_home(os.readlink(f"/proc/self/fd/{descriptor}")):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    _fsync(fd)


class _FullDiskConnection(sqlite3.Connection):
    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if _full() and sql.split(maxsplit=1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)


_connect = sqlite3.connect


def _connect_on_a_full_disk(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
    if _under_home(str(database)):
        kwargs.setdefault("factory", _FullDiskConnection)
    return _connect(database, *args, **kwargs)


if MARKER:
    os.fsync = _fsync_on_a_full_disk
    sqlite3.connect = _connect_on_a_full_disk  # type: ignore[assignment]
