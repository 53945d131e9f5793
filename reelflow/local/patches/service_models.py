"""botocore's service models read once per installed version, not once per client or backend.

Starting local mode made botocore and moto read the same service models again and again: every moto
backend and every boto3 session builds a new `Loader`, and each one listed the ~400 service folders
(`list_available_services`, 12 ms a time, ~50 times) and parsed the JSON of every model it used
(S3's alone is 1.4 MB) with its own cache. Together 0.4–0.6 s of the ~2 s before a `reelflow run`
reached its first ffmpeg.

- The listing is kept per search path and type for the process.
- A model file is parsed once; its data is kept as `marshal` bytes, in memory and in the cache folder
  (`reelflow/local/home.py`: `cache_dir()`), keyed by the file's path, size and modification time
  and by the Python that wrote it. Every caller gets its own copy (botocore merges extras into what it
  loads), as a fresh parse gave it. Plain dicts in order instead of `OrderedDict`s: nothing reads them
  as ordered dicts.
- The cache is only an accelerator: a folder that cannot be written, or a file that cannot be read
  back, parses the JSON as before.
"""

import hashlib
import json
import marshal
import os
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore import loaders

from reelflow.local.home import cache_dir

_parsed: dict[str, bytes] = {}
_listed: dict[tuple[Any, ...], list[str]] = {}
_original_list = loaders.Loader.list_available_services
_FORMAT = f"{sys.implementation.cache_tag}-m{marshal.version}"  # marshal bytes belong to one Python


@dataclass(frozen=True)
class _Source:
    path: str
    opener: Callable[..., Any]
    stat: os.stat_result

    def parse(self) -> Any:
        with self.opener(self.path, "rb") as file:
            return json.loads(file.read().decode("utf-8"))


def _source(file_path: str) -> _Source | None:
    """The file botocore would read for `file_path` (the same extensions, in the same order)."""
    for extension, opener in loaders._JSON_OPEN_METHODS.items():  # type: ignore[attr-defined]
        with suppress(OSError):
            return _Source(file_path + extension, opener, os.stat(file_path + extension))
    return None


def _cache_file(source: _Source) -> Path:
    key = f"{source.path}\0{source.stat.st_size}\0{source.stat.st_mtime_ns}\0{_FORMAT}"
    return cache_dir() / "service-models" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.marshal"


def _read_cached(path: Path) -> tuple[bytes, Any] | None:
    with suppress(OSError, EOFError, ValueError, TypeError):
        kept = path.read_bytes()
        return kept, marshal.loads(kept)  # a torn or foreign file is parsed again, not trusted
    return None


def _write_cached(path: Path, data: bytes) -> None:
    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)  # readers never see half a file


def load_file(self: loaders.JSONFileLoader, file_path: str) -> Any:
    kept = _parsed.get(file_path)
    if kept is not None:
        return marshal.loads(kept)
    source = _source(file_path)
    if source is None:
        return None
    cached = _cache_file(source)
    found = _read_cached(cached)
    if found is None:
        kept = marshal.dumps(source.parse())
        _write_cached(cached, kept)
        found = kept, marshal.loads(kept)
    _parsed[file_path] = found[0]
    return found[1]


def list_available_services(self: loaders.Loader, type_name: str) -> list[str]:
    key = (tuple(self.search_paths), type_name)
    if key not in _listed:
        _listed[key] = _original_list(self, type_name)
    return list(_listed[key])


def install() -> None:
    loaders.JSONFileLoader.load_file = load_file  # type: ignore[method-assign]
    loaders.Loader.list_available_services = list_available_services  # type: ignore[method-assign]
