"""Stage summaries are stored as JSON with the shape the API shows, and read back to the same values."""

from decimal import Decimal

from functions.adapters.dynamo_codec import from_dynamo, to_dynamo
from functions.domain.media_values import CutPlan, ProbeResult
from functions.domain.stage_results import (
    SUMMARY_KEEP_INTERVALS,
    CutPlanSummary,
    ProbeSummary,
    ProcessingResult,
    Skipped,
    StageOutcome,
)

PLAN = CutPlan(
    threshold_db=-35.0,
    min_silence_duration=0.5,
    margin=0.2,
    silences=[(2.0, 4.0)],
    keep=[(0.0, 2.2), (3.8, 6.0)],
    cuts=1,
    kept_seconds=4.4,
    removed_seconds=1.6,
)


def test_a_cut_plan_summary_keeps_the_stored_fields_and_leaves_out_unset_ones():
    stored = CutPlanSummary.of(PLAN).model_dump(mode="json")
    assert stored == {
        "threshold_db": -35.0,
        "min_silence_duration": 0.5,
        "margin": 0.2,
        "cuts": 1,
        "kept_seconds": 4.4,
        "removed_seconds": 1.6,
        "keep": [[0.0, 2.2], [3.8, 6.0]],
    }
    many = PLAN.model_copy(update={"keep": [(i, i + 0.5) for i in range(SUMMARY_KEEP_INTERVALS + 1)]})
    assert "keep" not in CutPlanSummary.of(many).model_dump(mode="json")


def test_what_dynamodb_returns_reads_back_as_the_values_that_were_stored():
    probe = ProbeSummary(
        **ProbeResult(
            duration=6.0,
            width=640,
            height=360,
            video_codec="h264",
            audio_codec=None,
            container="mov",
            frame_rate=25.0,
            size=None,
        ).model_dump(),
        route="lambda",
    )
    written = {
        "probe": probe.model_dump(mode="json"),
        "transcribing": Skipped(reason="no audio").model_dump(mode="json"),
        "removing_silence": CutPlanSummary.of(PLAN).model_dump(mode="json"),
        "timings": {"probe": 0.1},
    }
    assert written["transcribing"] == {"skipped": True, "reason": "no audio"}
    stored = to_dynamo(written)
    assert isinstance(stored["removing_silence"]["keep"][0][1], Decimal)
    result = ProcessingResult.model_validate(from_dynamo(stored))  # whole floats come back as ints
    assert result.probe == probe and not result.probe.probe.has_audio
    assert isinstance(result.transcribing, Skipped)
    assert isinstance(result.removing_silence, CutPlanSummary)
    assert result.removing_silence.keep == PLAN.keep
    assert result.exporting is None and result.timings == {"probe": 0.1}


def test_a_stage_outcome_carries_only_what_the_workflow_reads():
    assert StageOutcome(stage="probe", route="fargate").as_output() == {"stage": "probe", "route": "fargate"}
    assert StageOutcome(stage="transcribing", skipped=True).as_output() == {
        "stage": "transcribing",
        "skipped": True,
    }
