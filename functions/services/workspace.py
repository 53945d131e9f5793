"""Local scratch files of one video (Lambda /tmp, a Fargate volume, or a folder in local mode)."""

import shutil
import threading
from pathlib import Path

from functions.domain.models import Video
from functions.services.context import Services

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


class Workspace:
    def __init__(self, ctx: Services, batch_id: str, video_id: str) -> None:
        self.ctx = ctx
        self.root = Path(ctx.config.work_dir) / batch_id / video_id
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.root / name

    def source(self, video: Video) -> Path:
        """The uploaded file, downloaded once per workspace (a warm Lambda or a local run reuses it)."""
        suffix = Path(video.s3_key).suffix.lower() or ".bin"
        target = self.root / f"source{suffix}"
        with _lock_for(str(target)):
            expected = video.size
            if not target.exists() or (expected is not None and target.stat().st_size != expected):
                partial = target.with_suffix(target.suffix + ".part")
                self.ctx.storage.download(self.ctx.config.ingest_bucket, video.s3_key, partial)
                partial.replace(target)
        return target

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
