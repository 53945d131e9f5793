from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.domain.batch_control import (
    ALREADY_FINISHED,
    ALREADY_PROCESSING,
    CANCEL_CLEANUP_PREFIXES,
    CONTROL_RULES,
    DELETE_PREFIXES,
    NOT_PAUSED,
    NOT_RUNNING,
    NOT_UPLOADED,
    NOTHING_TO_RETRY,
    STILL_ACTIVE,
    Control,
    batch_id_of_execution,
    batch_outcome,
    check_control,
    check_uploaded,
    execution_name,
    gate_action,
    is_allowed,
    outcome_message,
    plan_retry,
    reconcile,
    unfinished_videos,
)
from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import Conflict, DomainError, InvalidRequest
from functions.domain.models import BatchVideo
from functions.domain.object_keys import Prefix
from functions.domain.transitions import BATCH_TRANSITIONS, BatchAction

B = BatchStatus
V = VideoStatus
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def video(
    video_id: str, status: VideoStatus, position: int, retry_count: int = 0, max_retries: int = 3
) -> BatchVideo:
    return BatchVideo(
        batch_job_id="batch",
        video_id=video_id,
        position=position,
        original_name=f"{video_id}.mp4",
        status=status,
        retry_count=retry_count,
        max_retries=max_retries,
        created_at=NOW,
        updated_at=NOW,
    )


ALLOWED = {
    Control.START: {B.PENDING},
    Control.PAUSE: {B.PROCESSING, B.QUEUED},
    Control.RESUME: {B.PAUSED},
    Control.CANCEL: {B.PENDING, B.QUEUED, B.PROCESSING, B.PAUSED},
    Control.RETRY_FAILED: {B.COMPLETED, B.FAILED},
    Control.DELETE: {B.COMPLETED, B.FAILED, B.CANCELLED},
}


@pytest.mark.parametrize("control", list(Control))
@pytest.mark.parametrize("status", list(BatchStatus))
def test_each_control_is_allowed_exactly_from_its_statuses(control, status):
    expected = status in ALLOWED[control]
    assert is_allowed(control, status) is expected
    if expected:
        check_control(control, status)
    else:
        with pytest.raises(DomainError) as refused:
            check_control(control, status)
        assert refused.value.http_status == CONTROL_RULES[control].http_status
        assert f"'{status.value}'" in refused.value.detail or status.value in refused.value.detail


@pytest.mark.parametrize(
    ("control", "status", "error_type", "title"),
    [
        (Control.START, B.PROCESSING, InvalidRequest, ALREADY_PROCESSING),
        (Control.START, B.QUEUED, InvalidRequest, ALREADY_PROCESSING),
        (Control.START, B.COMPLETED, InvalidRequest, ALREADY_FINISHED),
        (Control.PAUSE, B.PAUSED, InvalidRequest, NOT_RUNNING),
        (Control.RESUME, B.PROCESSING, InvalidRequest, NOT_PAUSED),
        (Control.CANCEL, B.COMPLETED, InvalidRequest, ALREADY_FINISHED),
        (Control.RETRY_FAILED, B.PROCESSING, InvalidRequest, NOTHING_TO_RETRY),
        (Control.DELETE, B.PROCESSING, Conflict, STILL_ACTIVE),
        (Control.DELETE, B.PENDING, Conflict, STILL_ACTIVE),
    ],
)
def test_refusals_carry_the_seed_titles_and_statuses(control, status, error_type, title):
    with pytest.raises(error_type) as refused:
        check_control(control, status)
    assert refused.value.title == title
    assert refused.value.http_status == (409 if control is Control.DELETE else 400)


def test_second_start_is_the_seed_message():
    with pytest.raises(InvalidRequest) as refused:
        check_control(Control.START, B.PROCESSING)
    assert (refused.value.title, refused.value.http_status) == ("Batch is already processing", 400)


@pytest.mark.parametrize(
    ("control", "action"),
    [
        (Control.START, BatchAction.START),
        (Control.CANCEL, BatchAction.CANCEL),
        (Control.RESUME, BatchAction.RESUME),
        (Control.RETRY_FAILED, BatchAction.RETRY),
        (Control.PAUSE, BatchAction.PAUSE),
    ],
)
def test_rules_agree_with_the_transition_table(control, action):
    # The conditional write uses transitions.py: the API must not allow what DynamoDB would refuse.
    assert CONTROL_RULES[control].allowed == BATCH_TRANSITIONS[action].sources


@pytest.mark.parametrize(
    ("batch_status", "video_status", "action"),
    [
        (B.PROCESSING, V.PENDING, "run"),
        (B.PROCESSING, V.PROCESSING, "run"),
        (B.PAUSED, V.PENDING, "wait"),
        (B.QUEUED, V.PENDING, "wait"),
        (B.CANCELLED, V.PENDING, "stop"),
        (B.COMPLETED, V.PENDING, "stop"),
        (B.PROCESSING, V.CANCELLED, "stop"),
        (B.PROCESSING, V.COMPLETED, "stop"),
        (B.PROCESSING, None, "stop"),
    ],
)
def test_gate_action(batch_status, video_status, action):
    assert gate_action(batch_status, video_status) == action


def test_start_needs_every_upload():
    check_uploaded([video("a", V.PENDING, 1), video("b", V.FAILED, 2)])
    with pytest.raises(InvalidRequest) as refused:
        check_uploaded([video("a", V.PENDING, 1), *(video(f"u{i}", V.UPLOADING, i + 2) for i in range(6))])
    assert refused.value.title == NOT_UPLOADED == "All videos must be uploaded before starting"
    assert refused.value.detail.startswith("6 of 7 videos are not uploaded yet: u0.mp4, u1.mp4")
    assert refused.value.detail.endswith("…")
    with pytest.raises(InvalidRequest, match="no videos"):
        check_uploaded([])


def test_cancel_marks_unfinished_videos_and_cleans_only_work_files():
    videos = [
        video("done", V.COMPLETED, 1),
        video("bad", V.FAILED, 2),
        video("up", V.UPLOADING, 3),
        video("wait", V.PENDING, 4),
        video("run", V.PROCESSING, 5),
        video("gone", V.CANCELLED, 6),
    ]
    assert [v.video_id for v in unfinished_videos(videos)] == ["up", "wait", "run"]
    assert CANCEL_CLEANUP_PREFIXES == (Prefix.WORK,)
    assert Prefix.OUTPUTS in DELETE_PREFIXES and Prefix.REPORTS in DELETE_PREFIXES


def test_retry_picks_failed_videos_with_retries_left_in_position_order():
    videos = [
        video("c", V.FAILED, 3, retry_count=1),
        video("a", V.FAILED, 1),
        video("b", V.COMPLETED, 2),
        video("spent", V.FAILED, 4, retry_count=3),
    ]
    plan = plan_retry("batch", B.COMPLETED, 1, videos)
    assert plan.video_ids == ("a", "c")
    assert (plan.run, plan.execution_name) == (2, "batch-run2")
    assert plan_retry("batch", B.FAILED, 2, videos).execution_name == "batch-run3"


def test_retry_chosen_videos():
    videos = [video("a", V.FAILED, 1), video("b", V.FAILED, 2), video("ok", V.COMPLETED, 3)]
    assert plan_retry("batch", B.FAILED, 1, videos, chosen=["b"]).video_ids == ("b",)
    assert plan_retry("batch", B.FAILED, 1, videos, chosen=["b", "a"]).video_ids == ("a", "b")
    with pytest.raises(InvalidRequest, match="Not videos of this batch: zzz"):
        plan_retry("batch", B.FAILED, 1, videos, chosen=["zzz"])
    with pytest.raises(InvalidRequest) as refused:
        plan_retry("batch", B.FAILED, 1, videos, chosen=["ok"])
    assert refused.value.title == NOTHING_TO_RETRY
    assert "'ok.mp4' is completed" in refused.value.detail
    with pytest.raises(InvalidRequest, match="more than once"):
        plan_retry("batch", B.FAILED, 1, videos, chosen=["a", "a"])
    with pytest.raises(InvalidRequest, match="empty"):
        plan_retry("batch", B.FAILED, 1, videos, chosen=[])


@pytest.mark.parametrize(
    ("status", "videos", "reason"),
    [
        (B.COMPLETED, [video("a", V.COMPLETED, 1)], "No video of this batch failed"),
        (
            B.FAILED,
            [video("a", V.FAILED, 1, retry_count=3), video("b", V.FAILED, 2, retry_count=2, max_retries=2)],
            "Every failed video has used all its retries: 'a.mp4' (3/3), 'b.mp4' (2/2)",
        ),
        (B.PROCESSING, [video("a", V.FAILED, 1)], "failed videos can be retried once the batch has finished"),
        (B.CANCELLED, [video("a", V.FAILED, 1)], "Batch status is 'cancelled'"),
    ],
)
def test_nothing_retryable_says_why(status, videos, reason):
    with pytest.raises(InvalidRequest) as refused:
        plan_retry("batch", status, 1, videos)
    assert refused.value.title == NOTHING_TO_RETRY
    assert reason in refused.value.detail


def test_retry_of_chosen_exhausted_video_says_why():
    with pytest.raises(InvalidRequest, match=r"'a.mp4' \(1/1\)"):
        plan_retry("batch", B.FAILED, 1, [video("a", V.FAILED, 1, 1, 1)], chosen=["a"])


def test_execution_names():
    assert execution_name("b-1", 1) == "b-1"
    assert execution_name("b-1", 4) == "b-1-run4"
    with pytest.raises(ValueError, match="start at 1"):
        execution_name("b", 0)
    assert batch_id_of_execution("b-1-run4") == "b-1"
    assert batch_id_of_execution("b-1") == "b-1"
    assert batch_id_of_execution("b-runner") == "b-runner"
    assert batch_id_of_execution("b-run1") == "b-run1"  # run 1 never carries a suffix


@given(st.uuids().map(str), st.integers(1, 10_000))
def test_execution_name_round_trips(batch_id, run):
    assert batch_id_of_execution(execution_name(batch_id, run)) == batch_id


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([V.COMPLETED, V.COMPLETED], B.COMPLETED),
        ([V.COMPLETED, V.FAILED, V.FAILED], B.COMPLETED),
        ([V.COMPLETED, V.CANCELLED], B.COMPLETED),
        ([V.FAILED, V.FAILED], B.FAILED),
        ([V.FAILED, V.CANCELLED], B.FAILED),
        ([], B.FAILED),
        ([V.COMPLETED, V.PROCESSING], None),
        ([V.FAILED, V.PENDING], None),
        ([V.UPLOADING], None),
    ],
)
def test_batch_outcome(statuses, expected):
    assert batch_outcome(statuses) is expected


def test_cancel_and_execution_failure_decide_the_outcome():
    assert batch_outcome([V.COMPLETED, V.PENDING], cancelled=True) is B.CANCELLED
    assert batch_outcome([V.COMPLETED, V.COMPLETED], execution_failed=True) is B.FAILED
    assert batch_outcome([V.PROCESSING], execution_failed=True) is B.FAILED


def test_outcome_message():
    assert outcome_message([V.COMPLETED, V.FAILED]) is None
    assert outcome_message([V.FAILED, V.FAILED, V.FAILED]) == "Every video failed (3 of 3)"
    assert outcome_message([V.FAILED, V.CANCELLED]) == (
        "No video completed (1 of 2 failed, the others were cancelled)"
    )
    assert outcome_message([]) == "The batch has no videos"


@given(st.lists(st.sampled_from(list(VideoStatus)), max_size=12))
def test_outcome_is_completed_exactly_when_all_terminal_and_one_completed(statuses):
    outcome = batch_outcome(statuses)
    if not all(s.is_terminal for s in statuses):
        assert outcome is None
    elif V.COMPLETED in statuses:
        assert outcome is B.COMPLETED
    else:
        assert outcome is B.FAILED
        assert outcome_message(statuses) is not None


@pytest.mark.parametrize(
    ("batch_status", "execution", "videos", "since", "expected"),
    [
        (B.PROCESSING, "RUNNING", [V.PENDING], 9999, None),
        (B.PAUSED, "PENDING_REDRIVE", [V.PENDING], 9999, None),
        (B.COMPLETED, "FAILED", [V.COMPLETED], 9999, None),
        (B.QUEUED, None, [V.PENDING], 9999, None),
        (B.PROCESSING, None, [V.PENDING], 299, None),
        (B.PROCESSING, None, [V.PENDING], 300, (B.FAILED, "The batch's execution never started")),
        (B.PROCESSING, "TIMED_OUT", [V.PROCESSING], 9, (B.FAILED, "The batch's execution ended timed out")),
        (B.PAUSED, "ABORTED", [V.PENDING], 9, (B.FAILED, "The batch's execution ended aborted")),
        (B.PROCESSING, "SUCCEEDED", [V.COMPLETED, V.FAILED], 9, (B.COMPLETED, None)),
        (B.PROCESSING, "SUCCEEDED", [V.FAILED], 9, (B.FAILED, "Every video failed (1 of 1)")),
        (
            B.PROCESSING,
            "SUCCEEDED",
            [V.COMPLETED, V.PENDING],
            9,
            (B.FAILED, "The execution ended before every video finished"),
        ),
    ],
)
def test_reconcile(batch_status, execution, videos, since, expected):
    result = reconcile(batch_status, execution, videos, since)
    assert (None if result is None else (result.status, result.reason)) == expected
