"""Live progress events: what a WebSocket client receives, derived from the table's change stream.

`events_from_change` is pure: one change (old and new entity of a stream record) gives zero or more
events. It reads only the entities (the timestamp is the item's `updated_at`), so the same record
delivered twice gives the same events; a write that changes nothing a listener cares about gives none.
Sequence numbers are assigned afterwards, per batch, by whoever publishes (`numbered`).
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from functions.domain.batch_progress import batch_progress_percentage
from functions.domain.enums import BatchStatus, Stage, VideoStatus
from functions.domain.models import BatchJob, BatchVideo

MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway WebSocket frame limit for post_to_connection
MAX_TEXT_CHARS = 2000  # messages and error texts beyond this are cut (with an ellipsis)
SNAPSHOT_ERROR_CHARS = 200  # per-video error text kept in an oversized snapshot
ELLIPSIS = "…"


def _encodable(text: str) -> str:
    """Lone surrogates (e.g. from undecodable process output) cannot be sent as UTF-8: replace them."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _encodable_json(value: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = json.loads(_encodable(json.dumps(value, ensure_ascii=False, default=str)))
    return cleaned


Text = Annotated[str, AfterValidator(_encodable)]
Summary = Annotated[dict[str, Any], AfterValidator(_encodable_json)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    batch_id: str = Field(min_length=1, max_length=256)
    video_id: str | None = Field(default=None, max_length=256)
    progress: int = Field(ge=0, le=100, description="Percentage of the video (video events) or batch.")
    current_stage: Stage | None = None
    message: Text = ""
    timestamp: datetime
    sequence: int = Field(default=0, ge=0, description="Per-batch, gap-free from 1; 0 before numbering.")


class _VideoEvent(_Event):
    video_id: str = Field(min_length=1, max_length=256)
    position: int = Field(ge=1)
    name: Text = ""


class VideoStarted(_VideoEvent):
    type: Literal["video_started"] = "video_started"
    retry_count: int = Field(default=0, ge=0)


class VideoProgress(_VideoEvent):
    type: Literal["video_progress"] = "video_progress"


class VideoCompleted(_VideoEvent):
    type: Literal["video_completed"] = "video_completed"
    output_key: str | None = None


class VideoFailed(_VideoEvent):
    type: Literal["video_failed"] = "video_failed"
    error_message: Text = ""
    retry_count: int = Field(default=0, ge=0)


class VideoCancelled(_VideoEvent):
    type: Literal["video_cancelled"] = "video_cancelled"


class _BatchEvent(_Event):
    status: BatchStatus
    total_videos: int = Field(default=0, ge=0)
    completed_videos: int = Field(default=0, ge=0)
    failed_videos: int = Field(default=0, ge=0)
    cancelled_videos: int = Field(default=0, ge=0)


class BatchProgress(_BatchEvent):
    type: Literal["batch_progress"] = "batch_progress"
    estimated_time_remaining: int | None = Field(default=None, ge=0, description="Seconds, when known.")
    current_video_id: str | None = Field(
        default=None,
        description="The video reported last before this event (the one that moved the counters).",
    )


class BatchPaused(_BatchEvent):
    type: Literal["batch_paused"] = "batch_paused"


class BatchResumed(_BatchEvent):
    type: Literal["batch_resumed"] = "batch_resumed"


class BatchQueued(_BatchEvent):
    type: Literal["batch_queued"] = "batch_queued"


class _BatchFinished(_BatchEvent):
    error_message: Text | None = None
    summary: Summary | None = None


class BatchCompleted(_BatchFinished):
    type: Literal["batch_completed"] = "batch_completed"


class BatchFailed(_BatchFinished):
    type: Literal["batch_failed"] = "batch_failed"


class BatchCancelled(_BatchFinished):
    type: Literal["batch_cancelled"] = "batch_cancelled"


class VideoState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    video_id: str
    position: int = Field(ge=1)
    name: Text = ""
    status: VideoStatus
    progress: int = Field(ge=0, le=100)
    current_stage: Stage | None = None
    error_message: Text | None = None
    retry_count: int = Field(default=0, ge=0)


class BatchSnapshot(_BatchEvent):
    """The whole state of a batch, sent first on (re)subscription; `sequence` is the last one issued."""

    type: Literal["batch_snapshot"] = "batch_snapshot"
    name: Text = ""
    estimated_time_remaining: int | None = Field(default=None, ge=0)
    videos: list[VideoState] = Field(default_factory=list)
    videos_truncated: bool = Field(default=False, description="True when videos were left out to fit.")


ProgressEvent = Annotated[
    VideoStarted
    | VideoProgress
    | VideoCompleted
    | VideoFailed
    | VideoCancelled
    | BatchProgress
    | BatchPaused
    | BatchResumed
    | BatchQueued
    | BatchCompleted
    | BatchFailed
    | BatchCancelled
    | BatchSnapshot,
    Field(discriminator="type"),
]
PROGRESS_EVENT: TypeAdapter[ProgressEvent] = TypeAdapter(ProgressEvent)
FinishedEvent = BatchCompleted | BatchFailed | BatchCancelled
VideoEvent = VideoStarted | VideoProgress | VideoCompleted | VideoFailed | VideoCancelled
BatchEvent = BatchProgress | BatchPaused | BatchResumed | BatchQueued | FinishedEvent
E = TypeVar("E", bound=_Event)


def parse_event(data: str | bytes) -> ProgressEvent:
    return PROGRESS_EVENT.validate_json(data)


def openapi_components() -> dict[str, Any]:
    """JSON Schemas of every event model (and `ProgressEvent`, their union on `type`), to merge into the
    OpenAPI document's `components.schemas`."""
    schema = PROGRESS_EVENT.json_schema(ref_template="#/components/schemas/{model}")
    components: dict[str, Any] = dict(schema.pop("$defs"))
    components["ProgressEvent"] = schema
    return components


# ---- stream record → events -------------------------------------------------------------------------


def _video_fields(video: BatchVideo) -> dict[str, Any]:
    return {
        "batch_id": video.batch_job_id,
        "video_id": video.video_id,
        "position": video.position,
        "name": video.original_name,
        "progress": video.progress_percentage,
        "current_stage": video.current_stage,
        "timestamp": video.updated_at,
    }


def video_events(old: BatchVideo | None, new: BatchVideo) -> list[ProgressEvent]:
    fields = _video_fields(new)
    old_status = old.status if old else None
    restarted = old is not None and new.status is VideoStatus.PROCESSING and new.retry_count > old.retry_count
    if new.status is old_status and not restarted:
        if new.status is VideoStatus.PROCESSING and old is not None:
            moved = (old.progress_percentage, old.current_stage) != (
                new.progress_percentage,
                new.current_stage,
            )
            if moved:
                stage = new.current_stage.value if new.current_stage else "processing"
                return [VideoProgress(**fields, message=f"{stage} {new.progress_percentage}%")]
        return []
    match new.status:
        case VideoStatus.PROCESSING:
            retry = f" (retry {new.retry_count})" if new.retry_count else ""
            return [VideoStarted(**fields, retry_count=new.retry_count, message=f"started{retry}")]
        case VideoStatus.COMPLETED:
            return [VideoCompleted(**fields, output_key=new.output_key, message="completed")]
        case VideoStatus.FAILED:
            error = new.error_message or ""
            return [
                VideoFailed(
                    **fields, error_message=error, retry_count=new.retry_count, message=f"failed: {error}"
                )
            ]
        case VideoStatus.CANCELLED:
            return [VideoCancelled(**fields, message="cancelled")]
        case _:
            return []


def _batch_fields(batch: BatchJob) -> dict[str, Any]:
    return {
        "batch_id": batch.id,
        "status": batch.status,
        "progress": batch_progress_percentage(batch),
        "total_videos": batch.total_videos,
        "completed_videos": batch.completed_videos,
        "failed_videos": batch.failed_videos,
        "cancelled_videos": batch.cancelled_videos,
        "timestamp": batch.updated_at,
    }


def _counters(batch: BatchJob) -> tuple[int, int, int, int, int | None]:
    return (
        batch.total_videos,
        batch.completed_videos,
        batch.failed_videos,
        batch.cancelled_videos,
        batch.estimated_time_remaining,
    )


def batch_events(old: BatchJob | None, new: BatchJob) -> list[ProgressEvent]:
    fields = _batch_fields(new)
    events: list[ProgressEvent] = []
    status_changed = old is None or old.status is not new.status
    # starting, launching from the queue or retrying a finished batch (resuming has its own event)
    started = (
        status_changed
        and new.status is BatchStatus.PROCESSING
        and (old is None or old.status is not BatchStatus.PAUSED)
    )
    if (old is not None and _counters(old) != _counters(new)) or started:
        done = f"{new.finished_videos}/{new.total_videos} videos done"
        events.append(
            BatchProgress(**fields, estimated_time_remaining=new.estimated_time_remaining, message=done)
        )
    if not status_changed:
        return events
    finished = {"error_message": new.error_message, "summary": new.summary}
    match new.status:
        case BatchStatus.QUEUED if old is not None and old.status is BatchStatus.PAUSED:
            # a resume goes through the fair queue: it runs as soon as a running slot is free
            events.append(BatchResumed(**fields, message="resumed"))
        case BatchStatus.QUEUED:
            events.append(BatchQueued(**fields, message="queued"))
        case BatchStatus.PAUSED:
            events.append(BatchPaused(**fields, message="paused"))
        case BatchStatus.PROCESSING if old is not None and old.status is BatchStatus.PAUSED:
            events.append(BatchResumed(**fields, message="resumed"))
        case BatchStatus.COMPLETED:
            events.append(BatchCompleted(**fields, **finished, message="completed"))
        case BatchStatus.FAILED:
            events.append(BatchFailed(**fields, **finished, message=f"failed: {new.error_message or ''}"))
        case BatchStatus.CANCELLED:
            events.append(BatchCancelled(**fields, **finished, message="cancelled"))
        case _:
            pass
    return events


def events_from_change(
    old: BatchJob | BatchVideo | None, new: BatchJob | BatchVideo | None
) -> list[ProgressEvent]:
    """Events for one change of a batch or one of its videos (None: the item did not exist).

    Removals give no events; the caller decodes stream images (adapters/stream_images.py).
    """
    if isinstance(new, BatchJob):
        return [fit(e) for e in batch_events(old if isinstance(old, BatchJob) else None, new)]
    if isinstance(new, BatchVideo):
        return [fit(e) for e in video_events(old if isinstance(old, BatchVideo) else None, new)]
    return []


def snapshot(batch: BatchJob, videos: Sequence[BatchVideo], sequence: int) -> BatchSnapshot:
    """The catch-up state of a batch; `sequence` is the last event number issued for it."""
    event = BatchSnapshot(
        **_batch_fields(batch),
        name=batch.name,
        estimated_time_remaining=batch.estimated_time_remaining,
        message=f"{batch.finished_videos}/{batch.total_videos} videos done",
        sequence=sequence,
        videos=[
            VideoState(
                video_id=v.video_id,
                position=v.position,
                name=v.original_name,
                status=v.status,
                progress=v.progress_percentage,
                current_stage=v.current_stage,
                error_message=v.error_message,
                retry_count=v.retry_count,
            )
            for v in sorted(videos, key=lambda v: v.position)
        ],
    )
    return fit(event)


def numbered(events: Sequence[E], first: int) -> list[E]:
    """The events with consecutive sequence numbers from `first`."""
    return [event.model_copy(update={"sequence": first + i}) for i, event in enumerate(events)]


# ---- size guard -----------------------------------------------------------------------------------


def encode(event: _Event) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS if limit else ""


def _fits(event: _Event) -> bool:
    return len(encode(event)) < MAX_MESSAGE_BYTES


def fit(event: E) -> E:
    """The event, made small enough for one WebSocket message: texts cut, then a finished batch's
    summary dropped, then a snapshot's per-video errors cut and, last, its videos left out. JSON is
    never split."""
    if _fits(event):
        return event
    update: dict[str, Any] = {"message": _cut(event.message, MAX_TEXT_CHARS)}
    if isinstance(event, VideoFailed):
        update["error_message"] = _cut(event.error_message, MAX_TEXT_CHARS)
    if isinstance(event, _BatchFinished):
        update["error_message"] = _cut(event.error_message, MAX_TEXT_CHARS)
        update["summary"] = None
    event = event.model_copy(update=update)
    if isinstance(event, BatchSnapshot) and not _fits(event):
        return cast(E, _fit_snapshot(event))
    return event


def _fit_snapshot(event: BatchSnapshot) -> BatchSnapshot:
    for limit in (SNAPSHOT_ERROR_CHARS, 0):
        videos = [
            v.model_copy(update={"error_message": _cut(v.error_message, limit) or None}) for v in event.videos
        ]
        event = event.model_copy(update={"videos": videos})
        if _fits(event):
            return event
    videos = list(event.videos)
    while videos and not _fits(event):
        videos.pop()
        event = event.model_copy(update={"videos": videos, "videos_truncated": True})
    return event
