"""Step Functions' limits, computed from the batch state machine itself: the history events of a batch
of 50 videos of 60 minutes, each failing three times before it succeeds, stay under 25,000; the state
stays far under 256 KB. Parts of a long video must not add events per part to the batch's history: the
same count with the parts fanned out by an inline Map would be over the limit, which is why parts run
inside the export task (a pool) or as a Distributed Map (child executions, whose events are their own).

Events per state follow the Step Functions history model: a Lambda task is entered, scheduled, started,
succeeded (or failed) and exited (5; a callback task also reports TaskSubmitted: 6); Choice, Wait and
Succeed are entered and exited (2); a Map is entered, started, succeeded and exited (4) and each
iteration started and succeeded (2); a Distributed Map adds MapRunStarted and MapRunSucceeded (2) and
nothing per item. A Lambda task retried on a service error (throttling) adds 3 events a retry: the
margin left (about 15,000 events) holds some 25 of them in every attempt of every video.
"""

import json
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "batch.asl.json").read_text())
HISTORY_LIMIT, STATE_LIMIT = 25_000, 256 * 1024
VIDEOS, MINUTES, RETRIES = 50, 60, 3
PART_SECONDS = 120.0

VIDEO = ASL["States"]["Process videos"]["ItemProcessor"]["States"]


def events(state: dict[str, Any]) -> int:
    kind = state["Type"]
    if kind == "Task":
        return 6 if str(state["Resource"]).endswith(".waitForTaskToken") else 5
    if kind == "Map":
        return 4
    return 2


def path(start: str, stop_at: str | None = None, fail_at: str | None = None) -> list[str]:
    """States visited from `start`, on the Lambda route with every stage on and the batch running, up
    to and including `stop_at` or the state that fails (`fail_at`, caught into the failure handler)."""
    visited, name = [], start
    while name:
        state = VIDEO[name]
        visited.append(name)
        if name in (stop_at, fail_at):
            if name == fail_at:
                caught = next(c for c in state["Catch"] if c["ErrorEquals"] == ["States.ALL"])
                return visited + path(caught["Next"], stop_at="Wait before retry")
            return visited
        name = choice(name, state) if state["Type"] == "Choice" else state.get("Next", "")
    return visited


def choice(name: str, state: dict[str, Any]) -> str:
    wanted = {"Paused or cancelled?": "running", "Lambda or Fargate?": "lambda", "Retry video?": True}
    for rule in state["Choices"]:
        value = rule.get("StringEquals", rule.get("BooleanEquals"))
        if value == wanted[name]:
            return str(rule["Next"])
    return str(state["Default"])


def video_events(parts: int, fan_out: str | None) -> int:
    """One video: RETRIES attempts failing at its export, then one that succeeds."""
    export = "Export video"
    failed = path("Check batch state", fail_at=export)
    succeeded = path("Check batch state")
    assert export in succeeded and succeeded[-1] == "Video completed" and failed[-1] == "Wait before retry"
    per_attempt_parts = {None: 0, "inline": 4 + parts * (2 + 5), "distributed": 4 + 2}[fan_out]
    total = 2  # the iteration's start and success
    total += RETRIES * (sum(events(VIDEO[n]) for n in failed) + per_attempt_parts)
    total += sum(events(VIDEO[n]) for n in succeeded) + per_attempt_parts
    return total


def batch_events(fan_out: str | None, minutes: float = MINUTES) -> int:
    parts = round(minutes * 60 / PART_SECONDS)
    outer = ["Prepare batch", "Process videos", "Complete batch"]
    return 2 + sum(events(ASL["States"][n]) for n in outer) + VIDEOS * video_events(parts, fan_out)


def test_the_failing_and_succeeding_paths_are_the_real_ones():
    names = path("Check batch state")
    assert names[:4] == ["Check batch state", "Paused or cancelled?", "Begin video", "Probe video"]
    assert "Transcribe" in names and "Process on Fargate" not in names


def test_fifty_hour_long_videos_with_three_retries_stay_under_the_history_limit():
    assert batch_events(None) < HISTORY_LIMIT - VIDEOS * (RETRIES + 1) * 3 * 20  # and room for task retries
    assert batch_events("distributed") < HISTORY_LIMIT  # a Distributed Map over parts would fit too
    assert batch_events("inline") > HISTORY_LIMIT  # an inline Map over 30 parts a video would not


def test_history_does_not_grow_with_length():
    assert batch_events(None, minutes=1) == batch_events(None, minutes=MINUTES)
    assert batch_events("distributed", minutes=1) == batch_events("distributed", minutes=MINUTES)


def test_the_batch_state_stays_far_under_256_kb():
    """The largest state is the batch input the Map iterates (each iteration's result is dropped:
    `ResultPath: null`); a video's iteration holds its reference and small stage replies."""
    assert ASL["States"]["Process videos"]["ResultPath"] is None
    videos = [
        {"batch_id": str(uuid.uuid4()), "video_id": str(uuid.uuid4()), "position": i} for i in range(VIDEOS)
    ]
    state = {"batch": {"batch_id": str(uuid.uuid4()), "max_concurrency": 5, "videos": videos}}
    assert len(json.dumps(state)) < STATE_LIMIT / 20
