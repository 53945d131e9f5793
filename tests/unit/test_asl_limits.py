"""Step Functions' limits, computed from the batch state machine itself (statemachines/batch.asl.json):
a batch of 1,000 videos (a drop folder's archive import) of 60 minutes, each failing three times (after
its parts were rendered) before it succeeds, stays under 25,000 history events per execution (the
batch's, and each video's child execution), and every state document under 256 KB.

The model counts events as Step Functions writes them into an execution's history:
- an execution: ExecutionStarted and ExecutionSucceeded (2);
- a Task: Entered, Scheduled, Started, Succeeded (or Failed) and Exited (5); a callback task
  (`.waitForTaskToken`) also writes TaskSubmitted (6); each Retry of a Lambda service error adds
  TaskFailed, TaskScheduled and TaskStarted (3);
- a Choice, Wait, Pass or Succeed state: Entered and Exited (2);
- an INLINE Map: Entered, Started, Succeeded and Exited (4), and in the same history, for each item,
  MapIterationStarted and MapIterationSucceeded (2) plus the events of the states the item visits;
- a DISTRIBUTED Map: the same 4 plus MapRunStarted and MapRunSucceeded (2) and nothing per item; each
  item is a child execution whose events are its own history (and its own 25,000).

The walk follows the real `Next`, `Default`, `Choices` and `Catch` of the file, so a state added on
the path is counted without touching this test.
"""

import copy
import json
import math
import uuid
from pathlib import Path
from typing import Any

import pytest

from functions.domain import pipeline_contract as contract
from functions.domain.drop_folder import DROP_FOLDER_MAX_VIDEOS
from functions.services.stages.split_export import part_key
from functions.services.stages.split_transcription import group_key

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "batch.asl.json").read_text())
HISTORY_LIMIT, STATE_LIMIT = 25_000, 256 * 1024
VIDEOS, MINUTES, RETRIES = DROP_FOLDER_MAX_VIDEOS, 60, 3
PART_SECONDS = 120.0  # functions/config.py's render_part_seconds default
GROUP_SECONDS = 300.0  # functions/config.py's transcription_group_seconds default
THROTTLE_RETRY = 3  # events of one Retry of a Lambda task (TaskFailed, TaskScheduled, TaskStarted)
# The Choices a running video takes: the batch runs, the video stays on Lambda, it is long (its speech
# heard in groups, its render split), and a failed attempt is retried.
RUNNING = {
    "Paused or cancelled?": "Begin video",
    "Lambda or Fargate?": "Transcribe",
    "Transcribed or in parts?": "Transcribe parts",
    "Rendered or in parts?": "Render parts",
    "Retry video?": "Wait before retry",
}


def parts_of(minutes: float) -> int:
    """A video's Map items: the picture parts of its output, and its sound."""
    return max(1, round(minutes * 60 / PART_SECONDS)) + 1


def groups_of(minutes: float) -> int:
    """A video's speech groups, at most: every second of it speech."""
    return max(1, math.ceil(minutes * 60 / GROUP_SECONDS))


def state_events(state: dict[str, Any], items: int) -> int:
    kind = state["Type"]
    if kind == "Task":
        return 6 if str(state["Resource"]).endswith(".waitForTaskToken") else 5
    if kind != "Map":
        return 2
    if state["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED":
        return 4 + 2
    inner = state["ItemProcessor"]
    return 4 + items * (2 + scope_events(inner["States"], inner["StartAt"], items)[0])


def scope_events(
    states: dict[str, Any], start: str, items: int, fail_at: str | None = None, stop_at: str | None = None
) -> tuple[int, list[str]]:
    """(events, states visited) from `start` to the scope's end, or to `stop_at`; the state `fail_at`
    fails and its catch-all is followed."""
    total, visited, name = 0, [], start
    while name:
        state = states[name]
        visited.append(name)
        total += state_events(state, items)
        if name == stop_at:
            break
        if name == fail_at:
            caught = next(c for c in state["Catch"] if c["ErrorEquals"] == ["States.ALL"])
            name = caught["Next"]
            fail_at = None
            continue
        if state["Type"] == "Choice":
            name = RUNNING.get(name) or state["Default"]
            assert name in {c["Next"] for c in state["Choices"]} | {state["Default"]}
            continue
        name = state.get("Next", "")
    return total, visited


def video_events(asl: dict[str, Any], minutes: float = MINUTES) -> tuple[int, int]:
    """(events of one video's iteration, its states' count per attempt): RETRIES attempts that fail at
    the stitch, after the parts ran, then one that succeeds. The 2 are the iteration's own start and
    end (MapIterationStarted/Succeeded inline, ExecutionStarted/Succeeded as a child execution)."""
    states = asl["States"]["Process videos"]["ItemProcessor"]["States"]
    items = parts_of(minutes)
    failed, failed_path = scope_events(
        states, "Check batch state", items, fail_at="Stitch parts", stop_at="Wait before retry"
    )
    succeeded, path = scope_events(states, "Check batch state", items)
    for visited in (failed_path, path):
        assert {"Transcribe parts", "Join transcript", "Render parts"} <= set(visited)
    assert failed_path[-1] == "Wait before retry" and path[-1] == "Video completed"
    tasks = sum(1 for n in path if states[n]["Type"] == "Task")
    return 2 + RETRIES * failed + succeeded, tasks


def batch_events(asl: dict[str, Any], minutes: float = MINUTES, videos: int = VIDEOS) -> int:
    """Events in the batch's own history: with the videos' Map distributed, each video is a child
    execution and only the Map's own events are the batch's."""
    outer = sum(state_events(asl["States"][n], videos) for n in ("Prepare batch", "Complete batch"))
    process = asl["States"]["Process videos"]
    if process["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED":
        return 2 + outer + state_events(process, videos)
    return 2 + outer + 4 + videos * video_events(asl, minutes)[0]


def videos_inline() -> dict[str, Any]:
    """The same file with the videos' Map inline (every video's events in the batch's history)."""
    changed = copy.deepcopy(ASL)
    changed["States"]["Process videos"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "INLINE"}
    return changed


def with_parts_inline(map_name: str = "Render parts") -> dict[str, Any]:
    """The same file with a parts' Map inline (their events in the video's history)."""
    changed = copy.deepcopy(ASL)
    video = changed["States"]["Process videos"]["ItemProcessor"]["States"]
    video[map_name]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "INLINE"}
    return changed


def test_the_walk_follows_the_real_paths():
    states = ASL["States"]["Process videos"]["ItemProcessor"]["States"]
    _, path = scope_events(states, "Check batch state", parts_of(MINUTES))
    assert path[:4] == ["Check batch state", "Paused or cancelled?", "Begin video", "Probe video"]
    assert path[-4:] == ["Render parts", "Stitch parts", "Finish video", "Video completed"]
    assert "Process on Fargate" not in path
    assert path[5:9] == ["Transcribe", "Transcribed or in parts?", "Transcribe parts", "Join transcript"]


def test_a_thousand_hour_long_videos_with_three_retries_stay_under_the_history_limit():
    process = ASL["States"]["Process videos"]
    assert process["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert VIDEOS == 1000
    assert batch_events(ASL) < 50  # the batch's own history: Prepare, the Map and its run, Complete
    events, tasks = video_events(ASL)
    # each video's child execution keeps this many Lambda service-error retries in every task of
    # every attempt to spare
    spare_retries_per_task = (HISTORY_LIMIT - events) / ((RETRIES + 1) * tasks * THROTTLE_RETRY)
    assert events < HISTORY_LIMIT / 20 and spare_retries_per_task >= 20, (events, spare_retries_per_task)


def test_the_batch_history_does_not_grow_with_its_videos():
    assert batch_events(ASL, videos=3) == batch_events(ASL, videos=VIDEOS)


def test_an_inline_map_over_the_videos_would_break_the_limit():
    """Why the videos are a Distributed Map: inline, every video's events land in the batch's history,
    which then holds about a hundred videos with three retries each, not 1,000."""
    assert batch_events(videos_inline(), videos=VIDEOS) > 9 * HISTORY_LIMIT
    assert batch_events(videos_inline(), videos=110) > HISTORY_LIMIT


@pytest.mark.parametrize("map_name", ["Transcribe parts", "Render parts"])
def test_each_part_is_a_child_execution_far_under_the_limit(map_name):
    part = ASL["States"]["Process videos"]["ItemProcessor"]["States"][map_name]["ItemProcessor"]
    assert part["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    # a child retrying its task three times on service errors still has a handful of events
    assert 2 + scope_events(part["States"], part["StartAt"], 1)[0] + 3 * THROTTLE_RETRY < 50


def test_an_inline_map_over_the_parts_would_grow_each_video_with_its_length():
    """Why the parts are a Distributed Map too: inline, an hour-long video's parts land in its history."""
    inline, _ = video_events(with_parts_inline())
    assert inline > 3 * video_events(ASL)[0]
    # the walk gives every Map the render's items: an inline transcription Map grows the same way
    assert video_events(with_parts_inline("Transcribe parts"))[0] > 3 * video_events(ASL)[0]


def test_a_video_history_does_not_grow_with_length():
    assert video_events(ASL, minutes=3)[0] == video_events(ASL, minutes=MINUTES)[0]


def test_the_largest_state_stays_far_under_256_kb():
    """The largest document is a 60-minute video's iteration after its parts ran and its stitch failed:
    its reference, the speech groups it asked for and the keys of their transcripts, the parts it asked
    for, the keys of what they rendered and the recorded error (a Lambda error's Cause, with its stack
    trace, taken as 8 KB). Every part's media and every transcript stays in S3."""
    ref = {"batch_id": str(uuid.uuid4()), "video_id": str(uuid.uuid4()), "position": VIDEOS}
    items = parts_of(MINUTES)
    parts = [contract.PartItem(**ref, kind="picture", index=i) for i in range(items - 1)]
    parts.append(contract.PartItem(**ref, kind="sound", index=0))
    video = contract.VideoRef(**ref)
    rendered = [
        contract.RenderedPart(
            kind=p.kind, index=p.index, key=part_key(video, p.kind, p.index, "mp4"), seconds=123.456
        )
        for p in parts
    ]
    groups = [contract.SpeechGroupItem(**ref, index=i) for i in range(groups_of(MINUTES))]
    heard = [contract.HeardGroup(index=g.index, key=group_key(video, g.index), seconds=1.5) for g in groups]
    state = contract.IterationState(
        **ref,
        gate=contract.GateOutput(action="run"),
        probe=contract.ProbeRoute(route="lambda"),
        transcription=contract.TranscriptionPlan(split=True, groups=groups, group_concurrency=40),
        heard=heard,
        export=contract.ExportPlan(split=True, parts=parts, part_concurrency=40),
        rendered=rendered,
        error=contract.TaskError(Error="MediaError", Cause="x" * 8192),
        decision=contract.FailureDecision(retry=True, wait_seconds=900, error_type="MediaError"),
    )
    size = len(json.dumps(contract.dump(state)))
    assert size < STATE_LIMIT / 8, size
    assert ASL["States"]["Process videos"]["ResultPath"] is None  # the videos' documents are dropped


def test_a_thousand_videos_in_the_batch_state_stay_under_256_kb():
    """The batch's largest document is its input to the videos' Map: every video's reference (read
    from the state by ItemsPath; a child execution gets one). Measured with the widest positions."""
    batch_id = str(uuid.uuid4())
    batch = contract.ExecutionState(
        batch_id=batch_id,
        batch=contract.PrepareBatchOutput(
            batch_id=batch_id,
            videos=[
                contract.VideoRef(batch_id=batch_id, video_id=str(uuid.uuid4()), position=VIDEOS - i)
                for i in range(VIDEOS)
            ],
            max_concurrency=5,
        ),
    )
    size = len(json.dumps(contract.dump(batch)))
    assert size < STATE_LIMIT / 2, size
    assert ASL["States"]["Process videos"]["ItemsPath"] == "$.batch.videos"
