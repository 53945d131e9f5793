"""Local scratch files of one video (Lambda /tmp, a Fargate volume, or a folder in local mode).

A function's scratch space outlives an invocation (a warm Lambda sandbox keeps its /tmp), so whatever
an invocation leaves there fills the next ones' 10 GB: `invocation_scratch()` removes every workspace
an invocation made when it ends. Local mode gives each function a folder of its own (`in_sandbox`),
as AWS gives each function its own sandbox."""

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from functions.domain.models import Video
from functions.services.context import Services

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
_local = threading.local()


def _lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def sandbox() -> Path | None:
    """The scratch root the runtime gave this invocation (None: the configured work_dir)."""
    return getattr(_local, "sandbox", None)


@contextmanager
def in_sandbox(root: Path | None) -> Iterator[None]:
    """Run the block with `root` as its scratch root (local mode: one folder per function)."""
    previous = sandbox()
    _local.sandbox = root
    try:
        yield
    finally:
        _local.sandbox = previous


def scratch_root(ctx: Services) -> Path:
    return sandbox() or Path(ctx.config.work_dir)


@contextmanager
def invocation_scratch() -> Iterator[None]:
    """Every workspace made on this thread during the block is removed when it ends, whatever happens."""
    made: list[Path] = []
    previous = getattr(_local, "made", None)
    _local.made = made
    try:
        yield
    finally:
        _local.made = previous
        for root in made:
            shutil.rmtree(root, ignore_errors=True)
            _remove_empty_parent(root)


def _remove_empty_parent(root: Path) -> None:
    with suppress(OSError):
        root.parent.rmdir()  # the batch folder, once its last video's workspace is gone


class Workspace:
    def __init__(self, ctx: Services, batch_id: str, video_id: str) -> None:
        self.ctx = ctx
        self.root = scratch_root(ctx) / batch_id / video_id
        self.root.mkdir(parents=True, exist_ok=True)
        made = getattr(_local, "made", None)
        if made is not None and self.root not in made:
            made.append(self.root)

    def path(self, name: str) -> Path:
        return self.root / name

    def _source_path(self, video: Video) -> Path:
        return self.root / f"source{Path(video.s3_key).suffix.lower() or '.bin'}"

    @staticmethod
    def _complete(target: Path, video: Video) -> bool:
        return target.exists() and (video.size is None or target.stat().st_size == video.size)

    def downloaded(self, video: Video) -> Path | None:
        """The uploaded file if a stage of this workspace has already downloaded it."""
        target = self._source_path(video)
        return target if self._complete(target, video) else None

    def source(self, video: Video, pinned: str | None = None) -> Path:
        """The uploaded file, downloaded once per workspace (stages of one invocation share it); with
        `pinned`, only that version (ETag): a file replaced since raises SourceChangedError."""
        target = self._source_path(video)
        with _lock_for(str(target)):
            if not self._complete(target, video):
                partial = target.with_suffix(target.suffix + ".part")
                self.ctx.storage.download(
                    self.ctx.config.ingest_bucket, video.s3_key, partial, if_match=pinned
                )
                partial.replace(target)
        return target

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        _remove_empty_parent(self.root)
