"""Remove silence: the cut plan (which intervals to keep). Only the export renders it."""

from functions.domain.enums import Stage
from functions.domain.media_values import CutPlan, Interval
from functions.domain.stage_results import CutPlanSummary
from functions.media import silence as silence_media
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, skipped, timed_stage


def silence_plan(sc: StageContext) -> CutPlan:
    settings = sc.settings
    duration = sc.probe_result().duration
    plan = silence_media.plan_cuts(
        sc.loudness(),
        duration,
        settings.silence_threshold,
        settings.min_silence_duration,
        settings.margin,
    )
    if not plan.keep:  # all quiet: nothing is speech, so cutting would leave nothing
        plan = plan.model_copy(
            update={
                "keep": [(0.0, duration)],
                "kept_seconds": duration,
                "removed_seconds": 0.0,
                "cuts": 0,
                "note": "No sound above the threshold: nothing was cut",
            }
        )
    return plan


def _remove_silence(sc: StageContext) -> StageResult:
    if not sc.settings.remove_silence:
        return skipped("silence removal is not enabled in this batch's settings")
    if not sc.probe_result().has_audio:
        return skipped("the video has no audio stream")
    progress = sc.progress(Stage.REMOVING_SILENCE)
    progress.begin()
    sc.audio(on_progress=progress)
    plan = silence_plan(sc)
    progress.finish()
    return CutPlanSummary.of(plan), plan


def kept_intervals(sc: StageContext) -> list[Interval] | None:
    """The intervals the export keeps; None when silence removal did not run (keep everything)."""
    summary = sc.result.removing_silence
    if not isinstance(summary, CutPlanSummary):
        return None
    if summary.keep is not None:
        return summary.keep
    plan = sc.artifact(summary.artifact_key, CutPlan)
    return plan.keep if plan else None


remove_silence = timed_stage(Stage.REMOVING_SILENCE.value, _remove_silence)
