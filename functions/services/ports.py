"""The ports the use cases depend on. Adapters (DynamoDB, S3, Step Functions, Transcribe) implement them;
tests/fakes implements them in memory. Status changes name a domain action (`BatchAction`,
`VideoAction`): the store applies `domain.transitions` as a conditional write and raises
`IllegalTransition` when the stored status does not allow it."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from functions.domain.batch_listing import BatchPage, SortField
from functions.domain.enums import BatchStatus, Tier, VideoStatus
from functions.domain.models import BatchJob, BatchVideo, Connection, TranscriptionJob, User, Video
from functions.domain.transitions import BatchAction, VideoAction

Fields = Mapping[str, Any]
Counters = Mapping[str, int | float]


class UserStore(Protocol):
    def upsert(self, user_id: str, tier: Tier, now: datetime) -> User: ...

    def consume_creation_quota(self, user_id: str, window: str, limit: int, expires_epoch: int) -> int | None:
        """Count one creation in the window: the count so far, or None once `limit` are used."""
        ...


class VideoStore(Protocol):
    def put_many(self, videos: Iterable[Video]) -> None: ...

    def get(self, video_id: str) -> Video | None: ...

    def get_many(self, video_ids: Iterable[str]) -> dict[str, Video]:
        """The videos that exist, by id, in one round trip per 100."""
        ...

    def record_probe(self, video_id: str, fields: Fields, now: datetime) -> Video | None:
        """Store what probing found, once: None when the video was already probed."""
        ...


class BatchStore(Protocol):
    def create(self, batch: BatchJob, batch_videos: list[BatchVideo]) -> None:
        """Batch and members in one transaction; MembershipConflict if it exists or lists a video twice."""
        ...

    def get(self, batch_id: str) -> BatchJob | None: ...

    def get_with_videos(self, batch_id: str) -> tuple[BatchJob, list[BatchVideo]] | None:
        """The batch and its members in position order, read together."""
        ...

    def list_for_user(self, user_id: str, status: BatchStatus | None = None) -> list[BatchJob]:
        """Newest first."""
        ...

    def page_for_user(
        self,
        user_id: str,
        status: BatchStatus | None,
        sort: SortField,
        limit: int,
        *,
        after: str | None = None,
        skip: int = 0,
    ) -> BatchPage:
        """`limit` batches in `domain.batch_listing.order_batches` order, after the batch `after` (a
        next_token) names and `skip` more; reads what the page needs, not every batch of the user.
        InvalidPageToken for a token from another listing."""
        ...

    def count_for_user(self, user_id: str, status: BatchStatus | None = None) -> int: ...

    def list_by_status(self, status: BatchStatus, limit: int | None = None) -> list[BatchJob]:
        """Highest effective priority first, then oldest first."""
        ...

    def transition(
        self,
        batch: BatchJob,
        action: BatchAction,
        now: datetime,
        *,
        set_fields: Fields | None = None,
        add_fields: Counters | None = None,
    ) -> BatchJob: ...

    def update(
        self,
        batch_id: str,
        now: datetime,
        *,
        set_fields: Fields | None = None,
        add_fields: Counters | None = None,
    ) -> BatchJob: ...

    def add_videos(self, batch: BatchJob, batch_videos: list[BatchVideo], now: datetime) -> None:
        """Attach members to a pending batch; MembershipConflict if it started or a video is in it."""
        ...


class BatchVideoStore(Protocol):
    def get(self, batch_id: str, video_id: str) -> BatchVideo | None: ...

    def of_batch(self, batch_id: str) -> list[BatchVideo]:
        """In position order."""
        ...

    def of_video(self, video_id: str) -> list[BatchVideo]: ...

    def transition(
        self,
        batch_id: str,
        video_id: str,
        action: VideoAction,
        now: datetime,
        *,
        set_fields: Fields | None = None,
        add_fields: Counters | None = None,
        batch_set: Fields | None = None,
        batch_add: Counters | None = None,
    ) -> None:
        """With batch_set/batch_add the batch moves in the same transaction: a redelivery never counts
        twice."""
        ...

    def update(
        self,
        batch_id: str,
        video_id: str,
        now: datetime,
        *,
        set_fields: Fields,
        only_if: VideoStatus | None = None,
    ) -> bool: ...


class TaskTokenStore(Protocol):
    def park(self, batch_id: str, video_id: str, token: str, now: datetime) -> bool:
        """False (nothing kept) when the batch is no longer paused."""
        ...

    def take_all(self, batch_id: str) -> list[str]: ...


class TranscriptionJobStore(Protocol):
    def park(self, job: TranscriptionJob) -> None: ...

    def take(self, job_name: str) -> TranscriptionJob | None:
        """The parked job, removed: a redelivered event finds nothing."""
        ...


class ConnectionStore(Protocol):
    def put(self, connection: Connection) -> None: ...

    def get(self, connection_id: str) -> Connection | None: ...

    def subscribe_to_batch(self, connection: Connection, batch_id: str) -> None: ...

    def subscribe_to_user(self, connection: Connection) -> None: ...

    def batch_listeners(self, batch_id: str) -> list[str]: ...

    def user_listeners(self, user_id: str) -> list[str]: ...

    def delete(self, connection_id: str) -> None: ...


class ObjectStore(Protocol):
    def presigned_put(
        self, bucket: str, key: str, expires_in: int, content_type: str | None = None, size: int | None = None
    ) -> tuple[str, dict[str, str]]: ...

    def presigned_get(
        self, bucket: str, key: str, expires_in: int, download_name: str | None = None
    ) -> str: ...

    def head(self, bucket: str, key: str) -> dict[str, Any] | None: ...

    def download(self, bucket: str, key: str, destination: Path) -> Path: ...

    def upload(self, source: Path, bucket: str, key: str, content_type: str | None = None) -> None: ...

    def put_json(self, bucket: str, key: str, data: Any) -> None: ...

    def get_json(self, bucket: str, key: str) -> Any: ...


class WorkflowEngine(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Start an execution; the same name twice returns the first one's ARN."""
        ...

    def execution_arn(self, name: str) -> str: ...

    def send_success(self, token: str, output: dict[str, Any]) -> None: ...

    def send_failure(self, token: str, error: str, cause: str) -> None: ...

    def send_heartbeat(self, token: str) -> None: ...


class Transcriber(Protocol):
    """A speech-to-text job service whose result lands in a bucket (Amazon Transcribe)."""

    def start(
        self, job_name: str, media_uri: str, language: str, output_bucket: str, output_key: str
    ) -> None: ...

    def job(self, job_name: str) -> dict[str, Any]:
        """The job's description: TranscriptionJobStatus, FailureReason, StartTime, CompletionTime."""
        ...

    def wait(self, job_name: str, delay_seconds: int, max_attempts: int) -> dict[str, Any]:
        """Block until the job ends (COMPLETED or FAILED) and return its description."""
        ...
