"""The progress bar of a split render, moved by its parts as they render, each in a Lambda of its own.

The parts' share of the export stage is most of the output's (`PreparedRender.main_share`; the stitch's
downloads, remux and upload are the rest), split among the picture parts by their length (the sound is
rendered once beside them and weighs nothing). A finished part is added to the video's set of rendered
parts (atomic, and a part recorded twice counts once), so no part is lost however many finish together;
the bar is then raised to what the set says. Every such write is conditional: only upward, only while
the video is processing, and at most once per `progress_write_interval_seconds` per video across all
its parts (the time of the last one is on the item), except when the last part is in. Within a part,
its own fraction is added to the parts that were done when it started, throttled the same way.
"""

import threading
import time
from collections.abc import Callable, Iterable, Sequence

from functions.domain.pipeline_contract import VideoRef
from functions.domain.stage_plan import StageSpan
from functions.media.parts import Part
from functions.services.context import Services

PARTS_SHARE = 0.9  # of the output's share of the export stage; the stitch moves the bar on from there


class PartsProgress:
    def __init__(
        self,
        ctx: Services,
        ref: VideoRef,
        span: StageSpan,
        parts: Sequence[Part],
        share: float,
        done: Iterable[int] = (),
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
        self.ref = ref
        self.span = span
        self.share = share
        self.weights = {part.index: part.duration for part in parts}
        self.total = sum(self.weights.values()) or 1.0
        self.done = frozenset(done) & self.weights.keys()
        self.interval = ctx.config.progress_write_interval_seconds
        self.monotonic = monotonic
        self._last_try = float("-inf")
        self._lock = threading.Lock()

    def fraction(self, done: Iterable[int], partial: tuple[int, float] | None = None) -> float:
        """The export stage's fraction: the parts done, and one part's own fraction (if not done)."""
        finished = set(done) & self.weights.keys()
        seconds = sum(self.weights[index] for index in finished)
        if partial is not None and partial[0] not in finished and partial[0] in self.weights:
            seconds += self.weights[partial[0]] * max(0.0, min(1.0, partial[1]))
        return self.share * PARTS_SHARE * min(1.0, seconds / self.total)

    def rendering(self, index: int) -> Callable[[float], None]:
        """ffmpeg's progress callback for part `index`."""

        def report(fraction: float) -> None:
            with self._lock:
                now = self.monotonic()
                if now - self._last_try < self.interval:
                    return
                self._last_try = now
            self._raise(self.fraction(self.done, (index, fraction)), force=False)

        return report

    def finished(self, index: int) -> None:
        """Part `index` is rendered and uploaded: record it, then move the bar to what all recorded say."""
        video = self.ctx.batch_videos.add_rendered_part(
            self.ref.batch_id, self.ref.video_id, index, self.ctx.clock()
        )
        if video is None:
            return  # no longer processing: the bar is not ours to move
        done = set(video.rendered_parts or ())
        self._raise(self.fraction(done), force=self.weights.keys() <= done)

    def _raise(self, fraction: float, force: bool) -> None:
        now = self.ctx.clock()
        quiet_since = None if force else now.timestamp() - self.interval
        self.ctx.batch_videos.raise_progress(
            self.ref.batch_id,
            self.ref.video_id,
            now,
            self.span.percent(fraction),
            self.span.stage,
            quiet_since,
        )
