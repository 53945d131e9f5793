"""Which stages a video runs and how each one weighs in its progress percentage."""

from dataclasses import dataclass

from functions.domain.enums import Stage
from functions.domain.settings import BatchSettings

# Relative cost of each stage on a typical talk video (render dominates).
STAGE_WEIGHTS: dict[Stage, int] = {
    Stage.TRANSCRIBING: 30,
    Stage.REMOVING_SILENCE: 5,
    Stage.DETECTING_HIGHLIGHTS: 10,
    Stage.EXPORTING: 55,
}
PROBE_SHARE = 5  # percent reserved for probing before the first stage


@dataclass(frozen=True)
class StageSpan:
    stage: Stage
    start: float  # percent
    end: float

    def percent(self, fraction: float) -> int:
        fraction = max(0.0, min(1.0, fraction))
        return int(self.start + (self.end - self.start) * fraction)


def enabled_stages(settings: BatchSettings) -> list[Stage]:
    stages = []
    if settings.transcribe:
        stages.append(Stage.TRANSCRIBING)
    if settings.remove_silence:
        stages.append(Stage.REMOVING_SILENCE)
    if settings.detect_highlights:
        stages.append(Stage.DETECTING_HIGHLIGHTS)
    stages.append(Stage.EXPORTING)
    return stages


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
