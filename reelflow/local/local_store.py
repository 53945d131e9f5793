"""The data folder local mode writes through to (reelflow/local/persistence.py): `state.sqlite3` for
items, object and part rows (WAL journal; each change one SQLite transaction), `objects/` for bodies
(written to a temporary name, flushed and renamed before their row is committed; a file without a row,
left by a kill in between, is ignored). A write the disk refuses raises StorageUnavailable with nothing
of it kept; `Unavailable` is how the embedded AWS answers it."""

import errno
import io
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    table_name TEXT NOT NULL, item_key TEXT NOT NULL, attributes TEXT NOT NULL,
    PRIMARY KEY (table_name, item_key)
);
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL, object_key TEXT NOT NULL, file TEXT NOT NULL,
    PRIMARY KEY (bucket, object_key)
);
CREATE TABLE IF NOT EXISTS uploads (
    bucket TEXT NOT NULL, upload_id TEXT NOT NULL, object_key TEXT NOT NULL, details TEXT NOT NULL,
    PRIMARY KEY (bucket, upload_id)
);
CREATE TABLE IF NOT EXISTS parts (
    bucket TEXT NOT NULL, upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, file TEXT NOT NULL,
    PRIMARY KEY (bucket, upload_id, part_number)
);
"""


class StorageUnavailable(OSError):
    """The data folder refused a write (full disk, read-only folder): nothing of the change is kept."""


def _refused(error: BaseException) -> StorageUnavailable:
    code = error.errno if isinstance(error, OSError) and error.errno else errno.ENOSPC  # SQLite: disk full
    reason = os.strerror(error.errno) if isinstance(error, OSError) and error.errno else str(error)
    return StorageUnavailable(code, f"the local store cannot write ({reason})")


class Unavailable(HTTPException):
    """The embedded AWS's answer to a write the data folder refused: 503 ServiceUnavailable, in the
    service's own error format (S3: XML, DynamoDB: JSON), as AWS answers a service error."""

    code = 503

    def __init__(self, service: str, detail: str) -> None:
        self.service = service
        if service == "s3":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>'
                f"<Message>{escape(detail)}</Message></Error>"
            )
        else:
            body = json.dumps(
                {"__type": "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", "message": detail}
            )
        super().__init__(description=body)

    def get_body(self, *_: Any, **__: Any) -> str:
        return str(self.description)  # the service's error document, not werkzeug's HTML page

    def get_headers(self, *_: Any, **__: Any) -> list[tuple[str, str]]:
        kind = "application/xml" if self.service == "s3" else "application/x-amz-json-1.0"
        return [("Content-Type", kind)]


class StoredBody:
    """The file-like moto reads an object's or part's body through (seek, read): the stored file
    itself, opened per read, so the body is held once (on disk) instead of also in moto's buffer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.position = 0

    def seek(self, position: int, whence: int = 0) -> int:
        self.position = position if whence == 0 else self.position + position
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(self.position)
            data = handle.read(size)
        self.position += len(data)
        return data

    def truncate(self, size: int | None = None) -> int:
        raise io.UnsupportedOperation("a stored body is read-only")

    def write(self, data: bytes) -> int:
        raise io.UnsupportedOperation("a stored body is read-only")

    def close(self) -> None:
        """Nothing to release: every read opens and closes the file."""


class LocalStore:
    """The data folder: `state.sqlite3` for items and object rows, `objects/` for object bodies."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.objects_dir = folder / "objects"
        self.objects_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "state.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # with WAL: a killed process never loses a commit
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- one SQLite transaction -------------------------------------------------------------------

    def _commit(self, statements: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
        """Run `statements` as one transaction; the first row each SELECT finds is returned in order.
        A write the disk refuses rolls back and raises StorageUnavailable."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                found = []
                for sql, args in statements:
                    cursor = self._db.execute(sql, args)
                    if sql.lstrip().startswith("SELECT"):
                        found.append(cursor.fetchone())
                self._db.execute("COMMIT")
                return found
            except (sqlite3.OperationalError, OSError) as error:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise _refused(error) from error
            except BaseException:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ---- items ------------------------------------------------------------------------------------

    def save_items(self, changes: list[tuple[str, str, dict[str, Any] | None]]) -> None:
        """(table, key, attributes or None when deleted), all in one SQLite transaction."""
        statements: list[tuple[str, tuple[Any, ...]]] = []
        for table, key, attributes in changes:
            if attributes is None:
                statements.append(("DELETE FROM items WHERE table_name=? AND item_key=?", (table, key)))
            else:
                statements.append(
                    ("INSERT OR REPLACE INTO items VALUES (?, ?, ?)", (table, key, json.dumps(attributes)))
                )
        self._commit(statements)

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for table, attributes in self._rows("SELECT table_name, attributes FROM items"):
            yield table, json.loads(attributes)

    # ---- bodies -----------------------------------------------------------------------------------

    def write_body(self, body: bytes) -> str:
        """A new file holding `body` (flushed to disk), by name; nothing is left of a refused write."""
        name = uuid.uuid4().hex
        temporary = self.objects_dir / f".{name}.tmp"
        try:
            with temporary.open("wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self.objects_dir / name)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise _refused(error) from error
        return name

    def path(self, name: str) -> Path:
        return self.objects_dir / name

    def drop_body(self, name: str | None) -> None:
        if name:
            (self.objects_dir / name).unlink(missing_ok=True)

    # ---- objects ----------------------------------------------------------------------------------

    def save_object(self, bucket: str, key: str, body: bytes) -> tuple[str, str | None]:
        """Write the body, then its row: (the new file, the file the row named before: still on disk,
        for `undo_object` or `drop_body`)."""
        name = self.write_body(body)
        try:
            (previous,) = self._commit(
                [
                    ("SELECT file FROM objects WHERE bucket=? AND object_key=?", (bucket, key)),
                    ("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", (bucket, key, name)),
                ]
            )
        except BaseException:
            self.drop_body(name)
            raise
        return name, previous[0] if previous else None

    def undo_object(self, bucket: str, key: str, name: str, previous: str | None) -> None:
        """Put back the row `save_object` replaced (the change it stood for did not happen)."""
        if previous is None:
            self._commit([("DELETE FROM objects WHERE bucket=? AND object_key=?", (bucket, key))])
        else:
            self._commit([("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", (bucket, key, previous))])
        self.drop_body(name)

    def delete_object(self, bucket: str, key: str) -> str | None:
        """Remove the row; returns its file (still on disk: `drop_body` it once memory follows)."""
        (previous,) = self._commit(
            [
                ("SELECT file FROM objects WHERE bucket=? AND object_key=?", (bucket, key)),
                ("DELETE FROM objects WHERE bucket=? AND object_key=?", (bucket, key)),
            ]
        )
        return previous[0] if previous else None

    def restore_object(self, bucket: str, key: str, name: str) -> None:
        self._commit([("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", (bucket, key, name))])

    def objects(self) -> Iterator[tuple[str, str, Path]]:
        for bucket, key, name in self._rows("SELECT bucket, object_key, file FROM objects"):
            path = self.objects_dir / name
            if path.exists():
                yield bucket, key, path

    # ---- multipart uploads ------------------------------------------------------------------------

    def save_upload(self, bucket: str, upload_id: str, key: str, details: dict[str, Any]) -> None:
        self._commit(
            [
                (
                    "INSERT OR REPLACE INTO uploads VALUES (?, ?, ?, ?)",
                    (bucket, upload_id, key, json.dumps(details)),
                )
            ]
        )

    def save_part(self, bucket: str, upload_id: str, number: int, body: bytes) -> tuple[str, str | None]:
        """Write the part's body, then its row: (the new file, the file of the part it replaces)."""
        name = self.write_body(body)
        try:
            (previous,) = self._commit(
                [
                    (
                        "SELECT file FROM parts WHERE bucket=? AND upload_id=? AND part_number=?",
                        (bucket, upload_id, number),
                    ),
                    ("INSERT OR REPLACE INTO parts VALUES (?, ?, ?, ?)", (bucket, upload_id, number, name)),
                ]
            )
        except BaseException:
            self.drop_body(name)
            raise
        return name, previous[0] if previous else None

    def undo_part(self, bucket: str, upload_id: str, number: int, name: str, previous: str | None) -> None:
        where = (bucket, upload_id, number)
        if previous is None:
            self._commit([("DELETE FROM parts WHERE bucket=? AND upload_id=? AND part_number=?", where)])
        else:
            self._commit([("INSERT OR REPLACE INTO parts VALUES (?, ?, ?, ?)", (*where, previous))])
        self.drop_body(name)

    def delete_upload(self, bucket: str, upload_id: str) -> list[str]:
        """Remove the upload and its parts' rows; returns the parts' files (still on disk)."""
        where = (bucket, upload_id)
        files = [row[0] for row in self._rows("SELECT file FROM parts WHERE bucket=? AND upload_id=?", where)]
        self._commit(
            [
                ("DELETE FROM parts WHERE bucket=? AND upload_id=?", where),
                ("DELETE FROM uploads WHERE bucket=? AND upload_id=?", where),
            ]
        )
        return files

    def uploads(self) -> Iterator[tuple[str, str, str, dict[str, Any], list[tuple[int, Path]]]]:
        """(bucket, upload id, key, details, [(part number, body file)])."""
        for bucket, upload_id, key, details in self._rows(
            "SELECT bucket, upload_id, object_key, details FROM uploads"
        ):
            parts = [
                (int(number), self.objects_dir / name)
                for number, name in self._rows(
                    "SELECT part_number, file FROM parts WHERE bucket=? AND upload_id=? ORDER BY part_number",
                    (bucket, upload_id),
                )
                if (self.objects_dir / name).exists()
            ]
            yield bucket, upload_id, key, json.loads(details), parts
