import pytest

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import IllegalTransition
from functions.domain.transitions import (
    BATCH_TRANSITIONS,
    VIDEO_TRANSITIONS,
    BatchAction,
    VideoAction,
    next_batch_status,
    next_video_status,
)


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (BatchStatus.PENDING, BatchAction.START, BatchStatus.PROCESSING),
        (BatchStatus.PENDING, BatchAction.ENQUEUE, BatchStatus.QUEUED),
        (BatchStatus.QUEUED, BatchAction.LAUNCH, BatchStatus.PROCESSING),
        (BatchStatus.PROCESSING, BatchAction.PAUSE, BatchStatus.PAUSED),
        (BatchStatus.PAUSED, BatchAction.RESUME, BatchStatus.PROCESSING),
        (BatchStatus.PROCESSING, BatchAction.COMPLETE, BatchStatus.COMPLETED),
        (BatchStatus.PAUSED, BatchAction.CANCEL, BatchStatus.CANCELLED),
        (BatchStatus.COMPLETED, BatchAction.RETRY, BatchStatus.PROCESSING),
        (BatchStatus.PROCESSING, BatchAction.FAIL, BatchStatus.FAILED),
    ],
)
def test_legal_batch_transitions(current, action, expected):
    assert next_batch_status(current, action) is expected


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (BatchStatus.COMPLETED, BatchAction.START),  # completed → processing only through retry-failed
        (BatchStatus.PROCESSING, BatchAction.START),
        (BatchStatus.CANCELLED, BatchAction.RESUME),
        (BatchStatus.PENDING, BatchAction.PAUSE),
        (BatchStatus.CANCELLED, BatchAction.RETRY),
        (BatchStatus.COMPLETED, BatchAction.CANCEL),
    ],
)
def test_illegal_batch_transitions_raise(current, action):
    with pytest.raises(IllegalTransition) as error:
        next_batch_status(current, action)
    assert error.value.current == current
    assert error.value.http_status == 409


def test_terminal_batch_statuses_have_no_way_out_but_retry_failed():
    for status in (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED):
        actions = [a for a, t in BATCH_TRANSITIONS.items() if status in t.sources]
        assert set(actions) <= {BatchAction.RETRY, BatchAction.RETRY_TO_QUEUE}


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (VideoStatus.UPLOADING, VideoAction.MARK_UPLOADED, VideoStatus.PENDING),
        (VideoStatus.PENDING, VideoAction.START, VideoStatus.PROCESSING),
        (VideoStatus.PROCESSING, VideoAction.COMPLETE, VideoStatus.COMPLETED),
        (VideoStatus.PROCESSING, VideoAction.FAIL, VideoStatus.FAILED),
        (VideoStatus.FAILED, VideoAction.RETRY, VideoStatus.PENDING),
        (VideoStatus.PENDING, VideoAction.CANCEL, VideoStatus.CANCELLED),
    ],
)
def test_legal_video_transitions(current, action, expected):
    assert next_video_status(current, action) is expected


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (VideoStatus.COMPLETED, VideoAction.START),
        (VideoStatus.PENDING, VideoAction.COMPLETE),
        (VideoStatus.CANCELLED, VideoAction.RETRY),
        (VideoStatus.COMPLETED, VideoAction.FAIL),
    ],
)
def test_illegal_video_transitions_raise(current, action):
    with pytest.raises(IllegalTransition):
        next_video_status(current, action)


def test_every_action_has_a_transition():
    assert set(BATCH_TRANSITIONS) == set(BatchAction)
    assert set(VIDEO_TRANSITIONS) == set(VideoAction)
