"""Local mode's state on disk: every DynamoDB item and S3 object the embedded AWS holds is written
through to a data folder as it changes, and put back when local mode starts on the same folder.

- Items live in SQLite, objects as files (reelflow/local/local_store.py): each write, and each DynamoDB
  transaction as a whole, is one SQLite transaction, so a process killed at any moment leaves the last
  committed state.
- Multipart uploads in progress (their upload id, key and metadata) and the parts already sent are kept
  the same way, so an upload survives a kill -9 and is completed with only the missing parts.
- Each body is on disk once: once written, moto's copy of it (its spooled buffer) is swapped for a
  reader of the stored file (`StoredBody`).
- A write the disk refuses (ENOSPC, a read-only folder, SQLite's "disk is full") is made before the
  change is applied in memory, or the change is undone: the request fails with a 503 storage error
  (S3's `ServiceUnavailable`, DynamoDB's `ServiceUnavailable`) and memory keeps what the disk holds.

moto's backends are patched once per process; nothing is written unless a store is attached.
"""

import json
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.s3.models import FakeKey, FakeMultipart, S3Backend, s3_backends
from requests.structures import CaseInsensitiveDict

from reelflow.local.local_store import LocalStore, StorageUnavailable, StoredBody, Unavailable
from reelflow.local.patches import transactions
from reelflow.local.patches.multipart_initiated import INITIATED, initiated_of

T = TypeVar("T")
BUFFER_IN_MEMORY = 8 * 1024**3  # above S3's 5 GB single PUT: a body is never spooled to disk by moto


# ---- write-through hooks on moto's backends -----------------------------------------------------


@dataclass
class _Hooks:
    store: LocalStore | None = None
    installed: bool = False


_hooks = _Hooks()
_state = threading.local()  # `batching`: inside a transaction, `restoring`: putting state back


def _attached() -> LocalStore | None:
    """The store to write through to, unless none is attached or local mode is putting state back."""
    return None if getattr(_state, "restoring", False) else _hooks.store


def _item_key(backend: DynamoDBBackend, table_name: str, attributes: dict[str, Any]) -> str:
    table = backend.get_table(table_name)
    names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
    return json.dumps({name: attributes[name] for name in names}, sort_keys=True)


def _current(backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
    item = backend.get_item(table_name, key)
    return dict(item.to_json()["Attributes"]) if item is not None else None


def _sync_items(backend: DynamoDBBackend, keys: list[tuple[str, dict[str, Any]]]) -> None:
    store = _attached()
    if store is None or getattr(_state, "batching", False):
        return
    changes = []
    for table_name, key in keys:
        if table_name in backend.tables:
            changes.append(
                (table_name, _item_key(backend, table_name, key), _current(backend, table_name, key))
            )
    store.save_items(changes)


def _remember(backend: DynamoDBBackend, keys: list[tuple[str, dict[str, Any]]]) -> transactions.Undo:
    undo = transactions.Undo()
    if _attached() is not None and not getattr(_state, "batching", False):
        for table_name, key in keys:
            if table_name in backend.tables:
                with suppress(Exception):  # a key the write itself will refuse (moto answers for it)
                    undo.remember(backend, table_name, key)
    return undo


def _synced(
    backend: DynamoDBBackend, keys: list[tuple[str, dict[str, Any]]], undo: transactions.Undo
) -> None:
    """Copy the written items to disk; if the disk refuses, memory goes back to what the disk holds."""
    try:
        _sync_items(backend, keys)
    except StorageUnavailable as error:
        undo.rollback()
        raise Unavailable("dynamodb", str(error)) from error


def _transaction_keys(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    keys = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        if op_type in {"Put", "Update", "Delete"} and op.get("TableName") in backend.tables:
            keys.append((op["TableName"], transactions.transaction_item_key(backend, op_type, op)))
    return keys


def _write_through(
    original: Callable[..., T], keys: Callable[..., list[tuple[str, dict[str, Any]]]]
) -> Callable[..., T]:
    def patched(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> T:
        # One lock for the write and its copy to disk, so two writers cannot save in the wrong order.
        with transactions.write_lock:
            touched = keys(self, *args, **kwargs)
            undo = _remember(self, touched)
            try:
                return original(self, *args, **kwargs)
            finally:
                _synced(self, touched, undo)

    return patched


def _transact_write_through(original: Callable[..., None]) -> Callable[..., None]:
    def patched(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        with transactions.write_lock:
            outer = getattr(_state, "batching", False)
            touched = _transaction_keys(self, transact_items) if not outer else []
            undo = _remember(self, touched)
            _state.batching = True
            try:
                original(self, transact_items)
            finally:
                _state.batching = outer
                if not outer:
                    _synced(self, touched, undo)

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


# ---- objects and multipart uploads --------------------------------------------------------------


def _store_once(key: FakeKey, path: Path) -> None:
    """moto's copy of the body goes: the key reads the stored file (the body is on disk once)."""
    _ = key.etag  # measured from moto's buffer now, not later from the file by unlocked reads
    with key.lock:
        buffer = key._value_buffer
        key._value_buffer = StoredBody(path)  # type: ignore[assignment]
    buffer.close()


def _s3_refused(error: StorageUnavailable) -> Unavailable:
    return Unavailable("s3", f"{error.strerror}: the object was not stored")


def _object_put(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: S3Backend, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any
    ) -> Any:
        store = _attached()
        if store is None:
            return original(self, bucket_name, key_name, value, *args, **kwargs)
        self.get_bucket(bucket_name)  # NoSuchBucket before anything is written
        try:
            name, previous = store.save_object(bucket_name, key_name, bytes(value))
        except StorageUnavailable as error:
            raise _s3_refused(error) from error
        try:
            created = original(self, bucket_name, key_name, value, *args, **kwargs)
        except BaseException:
            store.undo_object(bucket_name, key_name, name, previous)
            raise
        store.drop_body(previous)
        _store_once(created, store.path(name))
        return created

    return patched


def _object_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: S3Backend, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        store = _attached()
        if store is None:
            return original(self, bucket_name, key_name, *args, **kwargs)
        try:
            previous = store.delete_object(bucket_name, key_name)
        except StorageUnavailable as error:
            raise _s3_refused(error) from error
        try:
            result = original(self, bucket_name, key_name, *args, **kwargs)
        except BaseException:
            if previous is not None:
                store.restore_object(bucket_name, key_name, previous)
            raise
        store.drop_body(previous)
        return result

    return patched


def _objects_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: S3Backend, bucket_name: str, objects: list[dict[str, Any]], *args: Any, **kwargs: Any
    ) -> Any:
        store = _attached()
        removed: list[tuple[str, str]] = []
        if store is not None:
            try:
                for entry in objects:
                    key = str(entry.get("Key"))
                    previous = store.delete_object(bucket_name, key)
                    if previous is not None:
                        removed.append((key, previous))
            except StorageUnavailable as error:
                for key, previous in removed:
                    store.restore_object(bucket_name, key, previous)
                raise _s3_refused(error) from error
        try:
            result = original(self, bucket_name, objects, *args, **kwargs)
        except BaseException:
            if store is not None:
                for key, previous in removed:
                    store.restore_object(bucket_name, key, previous)
            raise
        if store is not None:
            for _, previous in removed:
                store.drop_body(previous)
        return result

    return patched


def _upload_details(multipart: FakeMultipart) -> dict[str, Any]:
    return {
        "metadata": dict(multipart.metadata),
        "storage": multipart.storage,
        "tags": multipart.tags or {},
        "sse_encryption": multipart.sse_encryption,
        "kms_key_id": multipart.kms_key_id,
        "initiated": initiated_of(multipart).isoformat(),
    }


def _upload_create(original: Callable[..., FakeMultipart]) -> Callable[..., FakeMultipart]:
    def patched(self: S3Backend, bucket_name: str, *args: Any, **kwargs: Any) -> FakeMultipart:
        multipart = original(self, bucket_name, *args, **kwargs)
        store = _attached()
        if store is not None:
            try:
                store.save_upload(bucket_name, multipart.id, multipart.key_name, _upload_details(multipart))
            except StorageUnavailable as error:
                self.get_bucket(bucket_name).multiparts.pop(multipart.id, None)
                raise _s3_refused(error) from error
        return multipart

    return patched


def _part_upload(original: Callable[..., FakeKey]) -> Callable[..., FakeKey]:
    def patched(self: S3Backend, bucket_name: str, multipart_id: str, part_id: int, value: bytes) -> FakeKey:
        store = _attached()
        bucket = self.get_bucket(bucket_name)
        if store is None or multipart_id not in bucket.multiparts or part_id < 1:
            return original(self, bucket_name, multipart_id, part_id, value)  # moto's own refusals
        try:
            name, previous = store.save_part(bucket_name, multipart_id, part_id, bytes(value))
        except StorageUnavailable as error:
            raise _s3_refused(error) from error
        try:
            part = original(self, bucket_name, multipart_id, part_id, value)
        except BaseException:
            store.undo_part(bucket_name, multipart_id, part_id, name, previous)
            raise
        store.drop_body(previous)
        _store_once(part, store.path(name))
        return part

    return patched


def _part_copy(original: Callable[..., FakeKey]) -> Callable[..., FakeKey]:
    def patched(
        self: S3Backend, bucket_name: str, multipart_id: str, part_id: int, *args: Any, **kwargs: Any
    ) -> FakeKey:
        part = original(self, bucket_name, multipart_id, part_id, *args, **kwargs)
        store = _attached()
        if store is not None:
            try:
                name, previous = store.save_part(bucket_name, multipart_id, part_id, part.value)
            except StorageUnavailable as error:
                multipart = self.get_bucket(bucket_name).multiparts[multipart_id]
                multipart.parts.pop(part_id, None)  # moto disposed of the part it replaced
                if part_id in multipart.partlist:
                    multipart.partlist.remove(part_id)
                raise _s3_refused(error) from error
            store.drop_body(previous)
            _store_once(part, store.path(name))
        return part

    return patched


def _upload_complete(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: S3Backend, bucket_name: str, multipart_id: str, *args: Any, **kwargs: Any) -> Any:
        multiparts = self.get_bucket(bucket_name).multiparts
        multipart = multiparts.get(multipart_id)
        try:
            key = original(self, bucket_name, multipart_id, *args, **kwargs)
        except Unavailable:
            if multipart is not None:  # moto let the upload go before the object was refused
                multiparts[multipart_id] = multipart
            raise
        store = _attached()
        if store is not None and multipart_id not in multiparts:
            with suppress(StorageUnavailable):  # the object is stored; a leftover upload row is inert
                for name in store.delete_upload(bucket_name, multipart_id):
                    store.drop_body(name)
        return key

    return patched


def _upload_abort(original: Callable[..., None]) -> Callable[..., None]:
    def patched(self: S3Backend, bucket_name: str, multipart_id: str) -> None:
        store = _attached()
        files: list[str] = []
        if store is not None and multipart_id in self.get_bucket(bucket_name).multiparts:
            try:
                files = store.delete_upload(bucket_name, multipart_id)
            except StorageUnavailable as error:
                raise _s3_refused(error) from error
        original(self, bucket_name, multipart_id)
        if store is not None:
            for name in files:
                store.drop_body(name)

    return patched


def install() -> None:
    if _hooks.installed:
        return
    _hooks.installed = True
    transactions.install()  # the transaction fix must be in place before it is wrapped
    DynamoDBBackend.put_item = _write_through(DynamoDBBackend.put_item, _put_keys)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _write_through(DynamoDBBackend.update_item, _key_of)  # type: ignore[method-assign]
    DynamoDBBackend.delete_item = _write_through(DynamoDBBackend.delete_item, _key_of)  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = _transact_write_through(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
    S3Backend.put_object = _object_put(S3Backend.put_object)  # type: ignore[method-assign]
    S3Backend.delete_object = _object_delete(S3Backend.delete_object)  # type: ignore[method-assign]
    S3Backend.delete_objects = _objects_delete(S3Backend.delete_objects)  # type: ignore[method-assign]
    S3Backend.create_multipart_upload = _upload_create(S3Backend.create_multipart_upload)  # type: ignore[method-assign]
    S3Backend.upload_part = _part_upload(S3Backend.upload_part)  # type: ignore[method-assign]
    S3Backend.upload_part_copy = _part_copy(S3Backend.upload_part_copy)  # type: ignore[method-assign]
    S3Backend.complete_multipart_upload = _upload_complete(S3Backend.complete_multipart_upload)  # type: ignore[method-assign]
    S3Backend.abort_multipart_upload = _upload_abort(S3Backend.abort_multipart_upload)  # type: ignore[method-assign]


def _restore_upload(
    s3: S3Backend,
    bucket: str,
    upload_id: str,
    key: str,
    details: dict[str, Any],
    parts: list[tuple[int, Path]],
) -> None:
    multipart = FakeMultipart(
        key,
        CaseInsensitiveDict(details.get("metadata") or {}),
        account_id=s3.account_id,
        region_name=s3.region_name,
        storage=details.get("storage"),
        tags=details.get("tags") or {},
        sse_encryption=details.get("sse_encryption"),
        kms_key_id=details.get("kms_key_id"),
    )
    multipart.id = upload_id
    if isinstance(details.get("initiated"), str):  # kept since its start, not since the restart
        setattr(multipart, INITIATED, datetime.fromisoformat(details["initiated"]))
    for number, path in parts:
        _store_once(multipart.set_part(number, path.read_bytes()), path)
    s3.get_bucket(bucket).multiparts[upload_id] = multipart


def attach(store: LocalStore, account: str, region: str) -> tuple[int, int]:
    """Put the store's items, objects and multipart uploads back into moto (no notifications, no
    copies), then write every later change through to it. Returns (items, objects) restored."""
    install()
    # moto spools a body over 5 MB to a temporary file before `_store_once` swaps it for the stored
    # one: kept in memory for that moment instead, each body is written to disk once.
    os.environ.setdefault("MOTO_S3_DEFAULT_KEY_BUFFER_SIZE", str(BUFFER_IN_MEMORY))
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
                created = s3.put_object(bucket, key, path.read_bytes(), disable_notification=True)
                _store_once(created, path)
                objects += 1
        for bucket, upload_id, key, details, parts in store.uploads():
            if bucket in s3.buckets:
                _restore_upload(s3, bucket, upload_id, key, details, parts)
    finally:
        _state.restoring = False
    _hooks.store = store
    return items, objects


def detach() -> None:
    store, _hooks.store = _hooks.store, None
    if store is not None:
        store.close()
