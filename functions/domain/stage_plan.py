"""The one table of a video's media stages: their order, the ASL state that runs each on the Lambda
route, the setting that turns each on, and how each one weighs in the progress percentage.

The Lambda media handler, the Fargate worker, the progress bar and a test of statemachines/batch.asl.json
all read this table; a new stage is a row here and a module in functions/services/stages/.
"""

from collections.abc import Callable
from dataclasses import dataclass

from functions.domain.enums import Stage
from functions.domain.settings import BatchSettings

PROBE = "probe"  # runs first, before the route is chosen; its result is stored under this name
PROBE_STATE = "Probe video"
PROBE_SHARE = 5  # percent reserved for probing before the first stage


def _always(_: BatchSettings) -> bool:
    return True


@dataclass(frozen=True)
class MediaStage:
    stage: Stage
    asl_state: str  # the state of the Lambda route that runs it
    weight: int  # relative cost on a typical talk video (render dominates)
    enabled: Callable[[BatchSettings], bool] = _always

    @property
    def name(self) -> str:
        """The stage's task name in the ASL payload and its key in `processing_result`."""
        return self.stage.value


# In the order they run, after probing, on either route.
MEDIA_STAGES: tuple[MediaStage, ...] = (
    MediaStage(Stage.TRANSCRIBING, "Transcribe", 30, lambda s: s.transcribe),
    MediaStage(Stage.REMOVING_SILENCE, "Remove silence", 5, lambda s: s.remove_silence),
    MediaStage(Stage.DETECTING_HIGHLIGHTS, "Detect highlights", 10, lambda s: s.detect_highlights),
    MediaStage(Stage.EXPORTING, "Export video", 55),
)
STAGE_WEIGHTS: dict[Stage, int] = {s.stage: s.weight for s in MEDIA_STAGES}
# Every task of the media function in run order: the probe, then the stages.
TASK_NAMES: tuple[str, ...] = (PROBE, *(s.name for s in MEDIA_STAGES))


@dataclass(frozen=True)
class StageSpan:
    stage: Stage
    start: float  # percent
    end: float

    def percent(self, fraction: float) -> int:
        fraction = max(0.0, min(1.0, fraction))
        return int(self.start + (self.end - self.start) * fraction)


def enabled_stages(settings: BatchSettings) -> list[Stage]:
    return [s.stage for s in MEDIA_STAGES if s.enabled(settings)]


def stage_spans(settings: BatchSettings) -> dict[Stage, StageSpan]:
    """Each enabled stage's share of the 0–100 progress bar, in pipeline order."""
    stages = enabled_stages(settings)
    total = sum(STAGE_WEIGHTS[s] for s in stages)
    spans, cursor = {}, float(PROBE_SHARE)
    for stage in stages:
        width = (100 - PROBE_SHARE) * STAGE_WEIGHTS[stage] / total
        spans[stage] = StageSpan(stage, cursor, cursor + width)
        cursor += width
    return spans
