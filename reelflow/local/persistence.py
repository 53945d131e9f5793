"""Local mode's state on disk: every DynamoDB item and S3 object the embedded AWS holds is written
through to a data folder as it changes, and put back when local mode starts on the same folder.

- Items live in SQLite (`state.sqlite3`, WAL journal): each write, and each DynamoDB transaction as a
  whole, is one SQLite transaction, so a process killed at any moment leaves the last committed state.
- Objects live as files under `objects/`, written to a temporary name, flushed and renamed into place
  before their row is committed; a file without a row (a kill in between) is ignored.

moto's backends are patched once per process; nothing is written unless a store is attached.
"""

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.s3.models import S3Backend, s3_backends

from reelflow.local import moto_fixes

T = TypeVar("T")
SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    table_name TEXT NOT NULL, item_key TEXT NOT NULL, attributes TEXT NOT NULL,
    PRIMARY KEY (table_name, item_key)
);
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL, object_key TEXT NOT NULL, file TEXT NOT NULL,
    PRIMARY KEY (bucket, object_key)
);
"""


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

    # ---- items ------------------------------------------------------------------------------------

    def save_items(self, changes: list[tuple[str, str, dict[str, Any] | None]]) -> None:
        """(table, key, attributes or None when deleted), all in one SQLite transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for table, key, attributes in changes:
                    if attributes is None:
                        self._db.execute("DELETE FROM items WHERE table_name=? AND item_key=?", (table, key))
                    else:
                        self._db.execute(
                            "INSERT OR REPLACE INTO items VALUES (?, ?, ?)",
                            (table, key, json.dumps(attributes)),
                        )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        with self._lock:
            rows = self._db.execute("SELECT table_name, attributes FROM items").fetchall()
        for table, attributes in rows:
            yield table, json.loads(attributes)

    # ---- objects ----------------------------------------------------------------------------------

    def save_object(self, bucket: str, key: str, body: bytes) -> None:
        name = uuid.uuid4().hex
        temporary = self.objects_dir / f".{name}.tmp"
        with temporary.open("wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.objects_dir / name)
        with self._lock:
            previous = self._db.execute(
                "SELECT file FROM objects WHERE bucket=? AND object_key=?", (bucket, key)
            ).fetchone()
            self._db.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", (bucket, key, name))
        if previous:
            (self.objects_dir / previous[0]).unlink(missing_ok=True)

    def delete_object(self, bucket: str, key: str) -> None:
        with self._lock:
            previous = self._db.execute(
                "SELECT file FROM objects WHERE bucket=? AND object_key=?", (bucket, key)
            ).fetchone()
            self._db.execute("DELETE FROM objects WHERE bucket=? AND object_key=?", (bucket, key))
        if previous:
            (self.objects_dir / previous[0]).unlink(missing_ok=True)

    def objects(self) -> Iterator[tuple[str, str, Path]]:
        with self._lock:
            rows = self._db.execute("SELECT bucket, object_key, file FROM objects").fetchall()
        for bucket, key, name in rows:
            path = self.objects_dir / name
            if path.exists():
                yield bucket, key, path


# ---- write-through hooks on moto's backends -----------------------------------------------------


@dataclass
class _Hooks:
    store: LocalStore | None = None
    installed: bool = False


_hooks = _Hooks()
_state = threading.local()  # `batching`: inside a transaction, `restoring`: putting state back


def _item_key(backend: DynamoDBBackend, table_name: str, attributes: dict[str, Any]) -> str:
    table = backend.get_table(table_name)
    names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
    return json.dumps({name: attributes[name] for name in names}, sort_keys=True)


def _current(backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
    item = backend.get_item(table_name, key)
    return dict(item.to_json()["Attributes"]) if item is not None else None


def _sync_items(backend: DynamoDBBackend, keys: list[tuple[str, dict[str, Any]]]) -> None:
    store = _hooks.store
    if store is None or getattr(_state, "batching", False) or getattr(_state, "restoring", False):
        return
    changes = []
    for table_name, key in keys:
        if table_name in backend.tables:
            changes.append(
                (table_name, _item_key(backend, table_name, key), _current(backend, table_name, key))
            )
    store.save_items(changes)


def _transaction_keys(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    keys = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        if op_type in {"Put", "Update", "Delete"} and op.get("TableName") in backend.tables:
            keys.append((op["TableName"], moto_fixes.transaction_item_key(backend, op_type, op)))
    return keys


def _write_through(
    original: Callable[..., T], keys: Callable[..., list[tuple[str, dict[str, Any]]]]
) -> Callable[..., T]:
    def patched(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> T:
        # One lock for the write and its copy to disk, so two writers cannot save in the wrong order.
        with moto_fixes.write_lock:
            try:
                return original(self, *args, **kwargs)
            finally:
                _sync_items(self, keys(self, *args, **kwargs))

    return patched


def _transact_write_through(original: Callable[..., None]) -> Callable[..., None]:
    def patched(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        with moto_fixes.write_lock:
            outer = getattr(_state, "batching", False)
            _state.batching = True
            try:
                original(self, transact_items)
            finally:
                _state.batching = outer
                if not outer:
                    _sync_items(self, _transaction_keys(self, transact_items))

    return patched


def _put_keys(
    backend: DynamoDBBackend, table_name: str, item_attrs: dict[str, Any], *_: Any, **__: Any
) -> list[tuple[str, dict[str, Any]]]:
    table = backend.get_table(table_name)
    names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
    return [(table_name, {name: item_attrs[name] for name in names if name in item_attrs})]


def _key_of(
    _: DynamoDBBackend, table_name: str, key: dict[str, Any], *__: Any, **___: Any
) -> list[tuple[str, dict[str, Any]]]:
    return [(table_name, key)]


def _object_put(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: S3Backend, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any
    ) -> Any:
        created = original(self, bucket_name, key_name, value, *args, **kwargs)
        if _hooks.store is not None and not getattr(_state, "restoring", False):
            _hooks.store.save_object(bucket_name, key_name, bytes(value))
        return created

    return patched


def _object_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: S3Backend, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        result = original(self, bucket_name, key_name, *args, **kwargs)
        if _hooks.store is not None:
            _hooks.store.delete_object(bucket_name, key_name)
        return result

    return patched


def _objects_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: S3Backend, bucket_name: str, objects: list[dict[str, Any]], *args: Any, **kwargs: Any
    ) -> Any:
        result = original(self, bucket_name, objects, *args, **kwargs)
        if _hooks.store is not None:
            for entry in objects:
                _hooks.store.delete_object(bucket_name, str(entry.get("Key")))
        return result

    return patched


def install() -> None:
    if _hooks.installed:
        return
    _hooks.installed = True
    moto_fixes.install()  # the transaction fix must be in place before it is wrapped
    DynamoDBBackend.put_item = _write_through(DynamoDBBackend.put_item, _put_keys)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _write_through(DynamoDBBackend.update_item, _key_of)  # type: ignore[method-assign]
    DynamoDBBackend.delete_item = _write_through(DynamoDBBackend.delete_item, _key_of)  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = _transact_write_through(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
    S3Backend.put_object = _object_put(S3Backend.put_object)  # type: ignore[method-assign]
    S3Backend.delete_object = _object_delete(S3Backend.delete_object)  # type: ignore[method-assign]
    S3Backend.delete_objects = _objects_delete(S3Backend.delete_objects)  # type: ignore[method-assign]


def attach(store: LocalStore, account: str, region: str) -> tuple[int, int]:
    """Put the store's items and objects back into moto (no notifications, no copies), then write
    every later change through to it. Returns (items, objects) restored."""
    install()
    dynamodb = dynamodb_backends[account][region]
    s3 = s3_backends[account]["global"]
    items = objects = 0
    _state.restoring = True
    try:
        for table_name, attributes in store.items():
            if table_name in dynamodb.tables:
                dynamodb.get_table(table_name).put_item(attributes)
                items += 1
        for bucket, key, path in store.objects():
            if bucket in s3.buckets:
                s3.put_object(bucket, key, path.read_bytes(), disable_notification=True)
                objects += 1
    finally:
        _state.restoring = False
    _hooks.store = store
    return items, objects


def detach() -> None:
    store, _hooks.store = _hooks.store, None
    if store is not None:
        store.close()
