"""Progress of a running stage, written to the BatchVideo at a bounded rate."""

import threading
import time
from collections.abc import Callable

from functions.domain.enums import Stage, VideoStatus
from functions.domain.stage_plan import StageSpan
from functions.services.context import Services


class StageProgress:
    """Turns a stage's 0..1 fraction into the video's percentage and writes it at most once per
    `interval` seconds (and always at the end), only while the video is still processing."""

    def __init__(
        self,
        ctx: Services,
        batch_id: str,
        video_id: str,
        span: StageSpan,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
        self.batch_id = batch_id
        self.video_id = video_id
        self.span = span
        self.interval = ctx.config.progress_write_interval_seconds
        self.monotonic = monotonic
        self._last_write = float("-inf")
        self._last_percent = -1
        self._lock = threading.Lock()
        self.writes = 0

    @property
    def stage(self) -> Stage:
        return self.span.stage

    def begin(self) -> None:
        self._write(self.span.percent(0.0), force=True)

    def __call__(self, fraction: float) -> None:
        self._write(self.span.percent(fraction), force=False)

    def finish(self) -> None:
        self._write(self.span.percent(1.0), force=True)

    def _write(self, percent: int, force: bool) -> None:
        with self._lock:
            now = self.monotonic()
            if percent == self._last_percent and not force:
                return
            if not force and now - self._last_write < self.interval:
                return
            self._last_write, self._last_percent = now, percent
            self.writes += 1
        self.ctx.batch_videos.update(
            self.batch_id,
            self.video_id,
            self.ctx.clock(),
            set_fields={"progress_percentage": percent, "current_stage": self.stage.value},
            only_if=VideoStatus.PROCESSING,
        )
