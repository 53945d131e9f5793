"""Generated media with known truth, built once per session."""

from pathlib import Path

import pytest

from reelflow.local.samples import Segment, Truth, make_sample, sync_sample

SCRIPT = (
    Segment("speech", 0, "The weather is nice today and the sun is shining."),
    Segment("silence", 1.5),
    Segment("speech", 0, "This is an important message for everyone in the room."),
    Segment("silence", 0.3),  # a natural pause: shorter than min_silence_duration, so it stays
    Segment("speech", 0, "Please read the report before the meeting."),
    Segment("silence", 2.0),
    Segment("burst", 0.6),
    Segment("silence", 1.2),
    Segment("speech", 0, "The results were amazing and the team worked very hard."),
    Segment("silence", 1.8),
    Segment("burst", 0.6),
    Segment("silence", 1.1),
    Segment("speech", 0, "Thank you for listening."),
)


@pytest.fixture(scope="session")
def talk(tmp_path_factory: pytest.TempPathFactory, espeak: str) -> tuple[Path, Truth]:
    path = tmp_path_factory.mktemp("talk") / "talk.mp4"
    truth = make_sample(path, SCRIPT, width=640, height=360, fps=25, scene_seconds=(6.0, 7.0, 6.0))
    return path, truth


@pytest.fixture(scope="session")
def sync_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    path = tmp_path_factory.mktemp("sync") / "sync.mp4"
    return path, sync_sample(path, cuts=22)
