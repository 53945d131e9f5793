"""The transcription of a long video as a Map over groups of its speech parts (statemachines/batch.asl.json,
"Transcribe parts").

With faster-whisper the Transcribe task first decides: a video whose speech fits one invocation
(`transcription_group_seconds`) is transcribed at once, as before; a longer one finds its speech parts
(silences first, so no word is split; speech only), packs them into groups, uploads its 16 kHz audio and
the plan (which source spans each group hears, in which language) to the work prefix, and answers the
groups. Each group is one invocation that hears its parts and uploads its segments, their times already
the source's; the join puts the groups' segments together in order (`join_segments`: word starts never
go back across a join) and records the transcript as the one invocation does. The state carries group
numbers and keys only. Amazon Transcribe keeps its one job; the Fargate worker its one pool.
"""

import time

from pydantic import BaseModel, ConfigDict

from functions.domain import object_keys
from functions.domain.capacity import parts_at_once
from functions.domain.enums import Stage
from functions.domain.errors import MediaError
from functions.domain.map_results import each_planned_once
from functions.domain.media_values import Interval, Transcript
from functions.domain.pipeline_contract import (
    HeardGroup,
    JoinTranscriptInput,
    SpeechGroupItem,
    TranscribeGroupInput,
    TranscriptionOutcome,
    VideoRef,
)
from functions.domain.stage_results import StageOutcome, TranscriptSummary
from functions.services.capacity import capacity_in_force
from functions.services.context import Services
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, timed_stage
from functions.services.stages.transcribing import local_engine, transcribe_video, transcription_blocker

PARTS_TIMING = "transcribing_parts"  # the plan's and the groups' seconds, beside the stages' own


class SpeechPlan(BaseModel):
    """What the plan stores for the groups and the join: each group's parts, each part's source spans."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str  # `auto` already resolved: every group hears the language the first part has
    duration: float
    groups: list[list[list[Interval]]]
    seconds: float  # what planning took (the audio, the loudness, the upload)


class GroupsMissingError(MediaError):
    """The join was handed other groups than the plan has (a group failed without failing the Map)."""


def _key(ref: VideoRef, name: str) -> str:
    return object_keys.work_key(ref.batch_id, ref.video_id, f"speech/{name}")


def audio_key(ref: VideoRef) -> str:
    return _key(ref, "audio.wav")


def plan_key(ref: VideoRef) -> str:
    return _key(ref, "plan.json")


def group_key(ref: VideoRef, index: int) -> str:
    return _key(ref, f"group{index:04d}.json")


def at_once(outcome: StageOutcome) -> TranscriptionOutcome:
    """A transcription that needs no Map: transcribed (or skipped, or started as a job) in this task."""
    return TranscriptionOutcome(**outcome.model_dump(), split=False, groups=[], group_concurrency=1)


def transcribe_or_plan(ctx: Services, ref: VideoRef) -> TranscriptionOutcome:
    """faster-whisper in this task when the video's speech fits one invocation; otherwise its groups."""
    planned = _plan(StageContext(ctx, ref))
    return planned if planned is not None else at_once(transcribe_video(ctx, ref))


def _plan(sc: StageContext) -> TranscriptionOutcome | None:
    from functions.media.speech_parts import GROUP_PARTS, PART_SECONDS, groups, speech_parts

    group_seconds = sc.ctx.config.transcription_group_seconds
    duration = sc.probe_result().duration
    if transcription_blocker(sc) is not None or duration <= group_seconds:
        return None  # its speech is never longer than the video: no need to look
    started = time.monotonic()
    language = sc.settings.language.value
    engine = local_engine(sc)
    engine.check_language(language)
    sc.progress(Stage.TRANSCRIBING).begin()
    wav, frames = sc.audio(), sc.loudness()  # kept in the workspace: transcribing at once reuses them
    parts = speech_parts(frames, duration, min(PART_SECONDS, group_seconds / GROUP_PARTS))
    packed = groups(parts, group_seconds)
    if len(packed) <= 1:
        return None
    if language == "auto":  # what hearing the first part alone would tell every other part
        language = engine.detect_language(wav, parts[0])
    bucket, ref = sc.ctx.config.media_bucket, sc.ref
    sc.ctx.storage.upload(wav, bucket, audio_key(ref), "audio/wav")
    plan = SpeechPlan(
        language=language,
        duration=duration,
        groups=[[list(part.spans) for part in group] for group in packed],
        seconds=round(time.monotonic() - started, 3),
    )
    sc.ctx.storage.put_json(bucket, plan_key(ref), plan.model_dump(mode="json"))
    items = [SpeechGroupItem(**ref.video().model_dump(), index=i) for i in range(len(packed))]
    # Groups hold the video's share of the Lambda slots, as its render parts do later (issue 22: parts
    # count as work in flight; docs/scale.md); a video's groups and its parts never run at once.
    concurrency = parts_at_once(len(items), sc.ctx.config.render_part_concurrency, capacity_in_force(sc.ctx))
    return TranscriptionOutcome(
        stage=Stage.TRANSCRIBING.value, split=True, groups=items, group_concurrency=concurrency
    )


def _stored_plan(sc: StageContext) -> SpeechPlan:
    return SpeechPlan.model_validate(sc.ctx.storage.get_json(sc.ctx.config.media_bucket, plan_key(sc.ref)))


def transcribe_group(ctx: Services, item: TranscribeGroupInput) -> HeardGroup:
    """One group of speech parts heard (a pool over its parts), its segments uploaded."""
    from functions.media.speech_parts import SpeechPart

    started = time.monotonic()
    sc = StageContext(ctx, item.video())
    plan = _stored_plan(sc)
    if item.index >= len(plan.groups):
        raise GroupsMissingError(f"The speech plan has {len(plan.groups)} groups, not a group {item.index}")
    bucket = ctx.config.media_bucket
    wav = ctx.storage.download(bucket, audio_key(item), sc.workspace.path("speech.wav"))
    parts = [SpeechPart(tuple((a, b) for a, b in spans)) for spans in plan.groups[item.index]]
    transcript = local_engine(sc).hear(wav, plan.language, plan.duration, parts)
    key = group_key(item, item.index)
    ctx.storage.put_json(bucket, key, transcript.model_dump(mode="json"))
    return HeardGroup(index=item.index, key=key, seconds=round(time.monotonic() - started, 3))


def _join(sc: StageContext, heard: list[HeardGroup], plan: SpeechPlan) -> StageResult:
    from functions.media.whisper import join_segments

    groups = each_planned_once(heard, lambda group: group.index, range(len(plan.groups)))
    if groups is None:
        raise GroupsMissingError(
            f"The transcription has {len(heard)} heard groups, not the {len(plan.groups)} its plan has"
        )
    bucket = sc.ctx.config.media_bucket
    pieces = [
        Transcript.model_validate(sc.ctx.storage.get_json(bucket, groups[i].key)) for i in sorted(groups)
    ]
    transcript = Transcript(
        engine=pieces[0].engine,
        language=plan.language,
        duration=plan.duration,
        segments=join_segments([piece.segments for piece in pieces]),
    )
    sc.progress(Stage.TRANSCRIBING).finish()
    return TranscriptSummary.of(transcript, requested=sc.settings.language.value), transcript


def join_transcript(ctx: Services, item: JoinTranscriptInput) -> StageOutcome:
    """The groups' transcripts joined and recorded as the transcribing stage (its own seconds); the
    plan's and the groups' seconds are recorded beside it, as `timings.transcribing_parts`."""
    plan = _stored_plan(StageContext(ctx, item.video()))
    outcome = timed_stage(Stage.TRANSCRIBING.value, lambda sc: _join(sc, item.heard, plan))(ctx, item.video())
    spent = plan.seconds + sum(group.seconds for group in item.heard)
    ctx.batch_videos.update(
        item.batch_id,
        item.video_id,
        ctx.clock(),
        set_fields={f"processing_result.timings.{PARTS_TIMING}": round(spent, 3)},
    )
    return outcome
