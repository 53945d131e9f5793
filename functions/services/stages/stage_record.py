"""Running a stage: time it, store its artifact (if any) in S3 and its summary on the BatchVideo."""

import time
from collections.abc import Callable

from pydantic import BaseModel

from functions.domain import object_keys
from functions.domain.pipeline_contract import VideoRef
from functions.domain.stage_results import ProbeSummary, Skipped, StageOutcome, Summary
from functions.services.batch_lifecycle import record_stage_result
from functions.services.context import Services
from functions.services.stages.stage_context import StageContext

StageResult = tuple[Summary, BaseModel | None]  # (summary, artifact)
StageWork = Callable[[StageContext], StageResult]
StageRunner = Callable[[Services, VideoRef], StageOutcome]


def store_stage(
    ctx: Services, ref: VideoRef, name: str, summary: Summary, artifact: BaseModel | None, seconds: float
) -> Summary:
    """Write the artifact (if any) to S3 and the summary, with its key and timing, to the BatchVideo."""
    if artifact is not None:
        key = object_keys.artifact_key(ref.batch_id, ref.video_id, name)
        ctx.storage.put_json(ctx.config.media_bucket, key, artifact.model_dump(mode="json"))
        summary = summary.model_copy(update={"artifact_key": key})
    record_stage_result(ctx, ref, name, summary.model_dump(mode="json"), seconds)
    return summary


def timed_stage(name: str, work: StageWork) -> StageRunner:
    """Run one stage, store its summary (and artifact), and time it."""

    def run(ctx: Services, ref: VideoRef) -> StageOutcome:
        stage_ctx = StageContext(ctx, ref)
        started = time.monotonic()
        summary, artifact = work(stage_ctx)
        summary = store_stage(ctx, ref, name, summary, artifact, time.monotonic() - started)
        return StageOutcome(
            stage=name,
            skipped=True if isinstance(summary, Skipped) else None,
            route=summary.route if isinstance(summary, ProbeSummary) else None,
        )

    return run


def skipped(reason: str) -> StageResult:
    return Skipped(reason=reason), None
