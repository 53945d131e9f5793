"""A long video's speech through the real ASL: the Transcribe task finds its speech parts and answers
them in groups, the "Transcribe parts" Map hears each group in an invocation of its own, and the join
records one transcript. Here "long" is a talk of espeak-ng speech whose words are known, with groups of
16 seconds (parts of 8 s, two to a group): the joined transcript is as good as the talk heard as one
piece (the same rule as the in-process pool's, tests/media/test_transcript_parts.py), its word times
monotonic."""

from pathlib import Path

import pytest

from functions.domain.capacity import Capacity
from functions.domain.media_values import Transcript
from functions.domain.pipeline_contract import JOIN_TRANSCRIPT, HeardGroup, JoinTranscriptInput
from functions.media.audio import extract_audio, loudness_frames
from functions.services.capacity import change_capacity, current_setting
from functions.services.stages import split_transcription
from functions.services.stages.split_transcription import (
    GroupsMissingError,
    SpeechPlan,
    group_key,
    join_transcript,
    plan_key,
)
from tests.helpers import batch_states, start_batch, wait_for_batch
from tests.media.test_transcript_parts import assert_joined_as_good_as_one_piece, heard_whole

pytestmark = pytest.mark.usefixtures("local_cloud")

GROUP_SECONDS = 16.0  # the talk's ~20 s of speech: parts of 8 s in two groups or more


def test_a_long_videos_speech_is_heard_in_groups_by_the_map_and_joined(
    ctx, user_id, talk, local_cloud, monkeypatch, tmp_path, request
):
    path, truth = talk
    monkeypatch.setattr(ctx.config, "transcription_group_seconds", GROUP_SECONDS)
    # the Lambda slots leave each admitted video one: its groups are heard one at a time
    before = current_setting(ctx)
    request.addfinalizer(lambda: ctx.capacity.put(before))
    change_capacity(ctx, {"lambda_slots": before.capacity.admission_videos})
    shares: list[tuple[int, int]] = []  # (groups, the Map's concurrency), as the Transcribe task chose
    chosen = split_transcription.parts_at_once

    def recorded(pieces: int, configured: int, capacity: Capacity) -> int:
        shares.append((pieces, chosen(pieces, configured, capacity)))
        return shares[-1][1]

    monkeypatch.setattr(split_transcription, "parts_at_once", recorded)
    settings = {"transcribe": True, "language": "en", "detect_highlights": False, "export_quality": "720p"}
    batch_id, execution_arn, _ = start_batch(user_id, [path], settings)
    batch = wait_for_batch(batch_id, user_id, timeout=600)
    video = batch["videos"][0]
    assert video["status"] == "completed", video["error_message"]
    entered = batch_states(local_cloud.client("stepfunctions"), execution_arn)
    assert entered == ["Prepare batch", "Process videos", "Complete batch"]
    ((groups, concurrency),) = shares
    assert groups >= 2 and concurrency == 1

    # each group was heard by an invocation of its own, which left its segments in the work prefix
    ref = JoinTranscriptInput(stage=JOIN_TRANSCRIPT, batch_id=batch_id, video_id=video["video_id"], heard=[])
    s3 = local_cloud.client("s3")
    for index in range(groups):
        s3.head_object(Bucket=local_cloud.media_bucket, Key=group_key(ref, index))
    plan = SpeechPlan.model_validate(ctx.storage.get_json(local_cloud.media_bucket, plan_key(ref)))
    assert len(plan.groups) == groups and plan.language == "en"
    assert {len(parts) for parts in plan.groups} <= {1, 2} and any(len(p) == 2 for p in plan.groups)
    result = video["processing_result"]
    assert result["timings"]["transcribing_parts"] > 0 and result["timings"]["transcribing"] > 0
    summary = result["transcribing"]
    assert summary["engine"] == "faster-whisper" and summary["language"] == "en"
    joined = Transcript.model_validate(
        ctx.storage.get_json(local_cloud.media_bucket, summary["artifact_key"])
    )

    # the transcript joined from the groups is as good as the talk heard as one piece
    wav = extract_audio(str(path), tmp_path / "talk.wav", truth.duration)
    assert_joined_as_good_as_one_piece(joined, heard_whole(wav, loudness_frames(wav), truth), truth)

    # a join handed fewer groups than the plan has (a group lost on the way) refuses to record
    fewer = [HeardGroup(index=i, key=group_key(ref, i), seconds=1.0) for i in range(groups - 1)]
    with pytest.raises(GroupsMissingError, match="not the"):
        join_transcript(ctx, ref.model_copy(update={"heard": fewer}))
    assert Path(summary["artifact_key"]).name == "transcribing.json"
