"""The only place that says which status changes are legal.

Every status write in adapters/ is a conditional update built from these tables, so an illegal change
(or the loser of two concurrent changes) is rejected by DynamoDB itself, not just by Python.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.errors import IllegalTransition


class BatchAction(StrEnum):
    START = "start"
    ENQUEUE = "enqueue"
    LAUNCH = "launch"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    COMPLETE = "complete"
    FAIL = "fail"
    RETRY = "retry"
    # Recovery (issue 13): a new execution for a batch whose execution died; the status stays.
    RECOVER = "recover"
    RECOVER_PAUSED = "recover_paused"
    # Resume and retry-failed when the fair queue has no running slot: the batch waits in `queued`.
    RESUME_TO_QUEUE = "resume_to_queue"
    RETRY_TO_QUEUE = "retry_to_queue"
    REJECT = "reject"  # a batch that cannot start (a drop folder with a broken batch.json): pending → failed


class VideoAction(StrEnum):
    MARK_UPLOADED = "mark_uploaded"
    START = "start"
    COMPLETE = "complete"
    FAIL = "fail"
    CANCEL = "cancel"
    RETRY = "retry"


S = TypeVar("S", BatchStatus, VideoStatus)


@dataclass(frozen=True)
class Transition(Generic[S]):
    sources: frozenset[S]
    target: S


B = BatchStatus
V = VideoStatus

BATCH_TRANSITIONS: dict[BatchAction, Transition[BatchStatus]] = {
    BatchAction.START: Transition(frozenset({B.PENDING}), B.PROCESSING),
    BatchAction.ENQUEUE: Transition(frozenset({B.PENDING}), B.QUEUED),
    BatchAction.LAUNCH: Transition(frozenset({B.QUEUED}), B.PROCESSING),
    BatchAction.PAUSE: Transition(frozenset({B.PROCESSING, B.QUEUED}), B.PAUSED),
    BatchAction.RESUME: Transition(frozenset({B.PAUSED}), B.PROCESSING),
    BatchAction.CANCEL: Transition(frozenset({B.PENDING, B.QUEUED, B.PROCESSING, B.PAUSED}), B.CANCELLED),
    # A batch paused after its last video started still finishes when that video does.
    BatchAction.COMPLETE: Transition(frozenset({B.PROCESSING, B.PAUSED}), B.COMPLETED),
    BatchAction.FAIL: Transition(frozenset({B.QUEUED, B.PROCESSING, B.PAUSED}), B.FAILED),
    # Only retry-failed brings a finished batch back to work, and only from these two states.
    BatchAction.RETRY: Transition(frozenset({B.COMPLETED, B.FAILED}), B.PROCESSING),
    BatchAction.RECOVER: Transition(frozenset({B.PROCESSING}), B.PROCESSING),
    BatchAction.RECOVER_PAUSED: Transition(frozenset({B.PAUSED}), B.PAUSED),
    BatchAction.RESUME_TO_QUEUE: Transition(frozenset({B.PAUSED}), B.QUEUED),
    BatchAction.RETRY_TO_QUEUE: Transition(frozenset({B.COMPLETED, B.FAILED}), B.QUEUED),
    BatchAction.REJECT: Transition(frozenset({B.PENDING}), B.FAILED),
}

VIDEO_TRANSITIONS: dict[VideoAction, Transition[VideoStatus]] = {
    VideoAction.MARK_UPLOADED: Transition(frozenset({V.UPLOADING}), V.PENDING),
    VideoAction.START: Transition(frozenset({V.PENDING, V.PROCESSING}), V.PROCESSING),
    VideoAction.COMPLETE: Transition(frozenset({V.PROCESSING}), V.COMPLETED),
    VideoAction.FAIL: Transition(frozenset({V.UPLOADING, V.PENDING, V.PROCESSING}), V.FAILED),
    VideoAction.CANCEL: Transition(frozenset({V.UPLOADING, V.PENDING, V.PROCESSING}), V.CANCELLED),
    VideoAction.RETRY: Transition(frozenset({V.FAILED}), V.PENDING),
}


def batch_transition(action: BatchAction) -> Transition[BatchStatus]:
    return BATCH_TRANSITIONS[action]


def video_transition(action: VideoAction) -> Transition[VideoStatus]:
    return VIDEO_TRANSITIONS[action]


def next_batch_status(current: BatchStatus, action: BatchAction) -> BatchStatus:
    transition = BATCH_TRANSITIONS[action]
    if current not in transition.sources:
        raise IllegalTransition("batch", current, action)
    return transition.target


def next_video_status(current: VideoStatus, action: VideoAction) -> VideoStatus:
    transition = VIDEO_TRANSITIONS[action]
    if current not in transition.sources:
        raise IllegalTransition("video", current, action)
    return transition.target
