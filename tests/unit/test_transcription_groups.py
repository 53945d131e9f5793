"""A long video's transcription in groups (functions/services/stages/split_transcription.py) on fakes:
the groups packed from the speech parts, the join of the groups' transcripts (in order, word times
monotonic, every group present) and the Transcribe task's answer when nothing is split."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.domain.media_values import Segment, Transcript, Word
from functions.domain.pipeline_contract import JOIN_TRANSCRIPT, HeardGroup, JoinTranscriptInput, VideoRef
from functions.media.speech_parts import SpeechPart, groups
from functions.services.batch_lifecycle import begin_video, record_stage_result
from functions.services.stages.split_transcription import (
    GroupsMissingError,
    SpeechPlan,
    group_key,
    join_transcript,
    plan_key,
)
from functions.services.transcription import start_transcription
from tests.unit.test_lifecycle_use_cases import started_batch
from tests.unit.test_transcription_use_cases import PROBE


@given(
    st.lists(st.floats(min_value=0.5, max_value=400.0), max_size=30), st.floats(min_value=10, max_value=600)
)
def test_groups_keep_every_part_in_order_and_hold_at_most_a_groups_speech(lengths, group_seconds):
    parts, start = [], 0.0
    for length in lengths:
        parts.append(SpeechPart(((start, start + length),)))
        start += length + 2.0
    packed = groups(parts, group_seconds)
    assert [part for group in packed for part in group] == parts
    for group in packed:
        assert len(group) == 1 or sum(p.seconds for p in group) <= group_seconds
    for group, following in itertools.pairwise(packed):  # a group ends only when full
        assert sum(p.seconds for p in group) + following[0].seconds > group_seconds


def probed(fake) -> VideoRef:
    _, refs = started_batch(fake, videos=1)
    ref = refs[0]
    begin_video(fake.ctx, ref)
    record_stage_result(fake.ctx, ref, "probe", PROBE, 0.1)
    return ref


def heard_group(start: float, words: list[tuple[str, float, float]]) -> Transcript:
    segment = Segment(
        start=start,
        end=words[-1][2],
        text=" ".join(w for w, _, _ in words),
        words=[Word(word=w, start=a, end=b, probability=0.9) for w, a, b in words],
    )
    return Transcript(engine="faster-whisper", language="en", duration=30.0, segments=[segment])


def stored_groups(fake, ref: VideoRef) -> list[HeardGroup]:
    bucket = fake.ctx.config.media_bucket
    plan = SpeechPlan(language="en", duration=30.0, groups=[[[(0.0, 9.0)]], [[(11.0, 20.0)]]], seconds=2.0)
    fake.storage.put_json(bucket, plan_key(ref), plan.model_dump(mode="json"))
    pieces = [
        heard_group(0.0, [("hello", 0.5, 1.0), ("there", 8.0, 9.2)]),
        # whisper starts a part's first word loosely: before the last word of the group before it
        heard_group(7.9, [("general", 7.9, 12.0), ("kenobi", 12.5, 13.0)]),
    ]
    heard = []
    for index, piece in enumerate(pieces):
        fake.storage.put_json(bucket, group_key(ref, index), piece.model_dump(mode="json"))
        heard.append(HeardGroup(index=index, key=group_key(ref, index), seconds=10.0 + index))
    return heard


def test_the_join_records_the_groups_in_order_with_monotonic_word_times(fake):
    ref = probed(fake)
    heard = stored_groups(fake, ref)
    task = JoinTranscriptInput(stage=JOIN_TRANSCRIPT, **ref.model_dump(), heard=list(reversed(heard)))
    assert join_transcript(fake.ctx, task).stage == "transcribing"
    result = fake.ctx.batch_videos.get(ref.batch_id, ref.video_id).processing_result
    assert result["transcribing"]["word_count"] == 4 and result["transcribing"]["engine"] == "faster-whisper"
    assert result["timings"]["transcribing_parts"] == pytest.approx(2.0 + 10.0 + 11.0)
    stored = Transcript.model_validate(
        fake.storage.get_json(fake.ctx.config.media_bucket, result["transcribing"]["artifact_key"])
    )
    assert [w.word for w in stored.words] == ["hello", "there", "general", "kenobi"]
    starts = [w.start for w in stored.words]
    assert starts == sorted(starts) and starts[2] == 8.0  # moved up to the word before it


@pytest.mark.parametrize("keep", [[0], [0, 0], [1, 1]])
def test_a_join_handed_other_groups_than_the_plan_has_records_nothing(fake, keep):
    ref = probed(fake)
    heard = stored_groups(fake, ref)
    task = JoinTranscriptInput(stage=JOIN_TRANSCRIPT, **ref.model_dump(), heard=[heard[i] for i in keep])
    with pytest.raises(GroupsMissingError):
        join_transcript(fake.ctx, task)
    assert "transcribing" not in (
        fake.ctx.batch_videos.get(ref.batch_id, ref.video_id).processing_result or {}
    )


def test_a_skipped_transcription_answers_its_token_with_nothing_for_the_map(fake):
    _, refs = started_batch(fake, videos=1)
    ref = refs[0]
    begin_video(fake.ctx, ref)
    record_stage_result(fake.ctx, ref, "probe", {**PROBE, "audio_codec": None}, 0.1)  # no sound
    outcome = start_transcription(fake.ctx, ref, "tok")
    assert outcome.split is False and outcome.groups == [] and outcome.skipped
    ((token, answer),) = fake.workflow.successes
    assert token == "tok" and answer == outcome.as_output() and answer["group_concurrency"] == 1
