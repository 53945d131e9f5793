"""The ports the use cases depend on. Adapters (DynamoDB, S3, Step Functions, Transcribe) implement them;
reelflow/fakes implements them in memory. Status changes name a domain action (`BatchAction`,
`VideoAction`): the store applies `domain.transitions` as a conditional write and raises
`IllegalTransition` when the stored status does not allow it."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from functions.domain.batch_control import ExecutionStatus, ParkedToken
from functions.domain.batch_listing import BatchPage, SortField, SortOrder
from functions.domain.capacity import CapacitySetting
from functions.domain.enums import BatchStatus, Stage, Tier, VideoStatus
from functions.domain.exports import ArchiveEntry, BatchExport, ExportProgress, ExportStatus
from functions.domain.links import Link, SignedRead
from functions.domain.models import BatchJob, BatchVideo, Connection, TranscriptionJob, User, Video
from functions.domain.slots import SlotCounts, SlotLimits
from functions.domain.stored_objects import StoredObject
from functions.domain.transitions import BatchAction, VideoAction
from functions.domain.upload_limits import CompletedPart

Fields = Mapping[str, Any]
Counters = Mapping[str, int | float]


class UserStore(Protocol):
    def upsert(self, user_id: str, tier: Tier, now: datetime) -> User: ...

    def get(self, user_id: str) -> User | None: ...

    def consume_creation_quota(self, user_id: str, window: str, limit: int, expires_epoch: int) -> int | None:
        """Count one creation in the window: the count so far, or None once `limit` are used."""
        ...


class VideoStore(Protocol):
    def put_many(self, videos: Iterable[Video]) -> None: ...

    def get(self, video_id: str) -> Video | None: ...

    def create(self, video: Video) -> bool:
        """Put a video unless one with its id exists (False: it did; nothing changed)."""
        ...

    def get_many(self, video_ids: Iterable[str]) -> dict[str, Video]:
        """The videos that exist, by id, in one round trip per 100."""
        ...

    def record_probe(self, video_id: str, etag: str, fields: Fields, now: datetime) -> Video | None:
        """Store what probing the object version `etag` found (and count the probe), once per version:
        None when that version was already recorded."""
        ...

    def set_upload(self, video_id: str, now: datetime, fields: Fields) -> Video:
        """Change the upload's declared size, content type or multipart upload (a new upload target)."""
        ...

    def delete(self, video_id: str) -> None: ...


class BatchStore(Protocol):
    def create(self, batch: BatchJob, batch_videos: list[BatchVideo]) -> None:
        """Batch and members in one transaction; MembershipConflict if it exists or lists a video twice,
        TransactionTooLarge (nothing written) with more than 99 members."""
        ...

    def get(self, batch_id: str) -> BatchJob | None: ...

    def get_with_videos(self, batch_id: str) -> tuple[BatchJob, list[BatchVideo]] | None:
        """The batch and its members in position order, read together."""
        ...

    def list_for_user(self, user_id: str, status: BatchStatus | None = None) -> list[BatchJob]:
        """Newest first."""
        ...

    def list_for_user_since(self, user_id: str, since: datetime) -> list[BatchJob]:
        """The user's batches created at or after `since`, newest first (one Query, bounded by time)."""
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
        order: SortOrder | None = None,
    ) -> BatchPage:
        """`limit` batches in `domain.batch_listing.order_batches(…, sort, order)` order, after the batch
        `after` (a next_token) names and `skip` more; reads what the page needs, not every batch of the user.
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
        slots: SlotLimits | None = None,
    ) -> BatchJob:
        """A change into or out of `processing` moves the running counters in the same transaction;
        with `slots`, taking a slot needs room under both limits (else NoRunningSlot, nothing written)."""
        ...

    def slot_counts(self, user_ids: Iterable[str]) -> SlotCounts:
        """Running batches of these users and of the service, and the users' last admission times."""
        ...

    def update(
        self,
        batch_id: str,
        now: datetime,
        *,
        set_fields: Fields | None = None,
        add_fields: Counters | None = None,
    ) -> BatchJob: ...

    def update_pending(self, batch_id: str, now: datetime, set_fields: Fields) -> BatchJob | None:
        """Set fields of a batch that is still pending, in one write conditional on that; the batch as
        stored after it, or None when it is missing or no longer pending (nothing written)."""
        ...

    def add_videos(
        self, batch: BatchJob, batch_videos: list[BatchVideo], now: datetime, limit: int | None = None
    ) -> None:
        """Attach members to a pending batch in one transaction, conditional on the member count being
        `batch.total_videos` (as read: positions are 1..total) and, with `limit`, staying within it;
        MembershipConflict (nothing written) if it started, changed meanwhile, or a video is in it."""
        ...

    def remove_video(
        self, batch: BatchJob, removed: BatchVideo, after: list[BatchVideo], now: datetime
    ) -> None:
        """Delete an uploading/pending member and move each member `after` it up one position, in one
        transaction on the count as read; MembershipConflict if anything changed meanwhile,
        TransactionTooLarge (nothing written) when `after` holds more than 98 (the transaction's
        100 items: the batch, the removed member, the moved ones)."""
        ...

    def reorder(self, batch: BatchJob, moves: list[tuple[BatchVideo, int]], now: datetime) -> None:
        """Give members new positions, in one transaction on the count as read (MembershipConflict);
        more than 99 moves are refused whole (TransactionTooLarge: the batch and the moves in one)."""
        ...

    def delete(self, batch_id: str, only_if: Iterable[BatchStatus]) -> BatchJob | None:
        """Delete the batch (conditional on its stored status being one of `only_if`) and then every
        item of its partition (members, task tokens, event sequence, exports). The deleted batch, or None
        when it is missing or in another status (nothing deleted): of two concurrent deletes one wins."""
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

    def add_rendered_part(self, batch_id: str, video_id: str, index: int, now: datetime) -> BatchVideo | None:
        """Record picture part `index` as rendered (added to a set: twice counts once); the video as it
        is after, or None (nothing written) when it is not processing."""
        ...

    def raise_progress(
        self,
        batch_id: str,
        video_id: str,
        now: datetime,
        percent: int,
        stage: Stage,
        quiet_since: float | None,
    ) -> bool:
        """Set the bar to `percent` only if that is higher than it is, the video is processing and, with
        `quiet_since` (epoch seconds), no part moved it after then: writers racing each other never move
        it back. False when nothing was written."""
        ...


class TaskTokenStore(Protocol):
    def park(self, batch_id: str, video_id: str, token: str, now: datetime) -> bool:
        """False (nothing kept) when the batch is no longer paused."""
        ...

    def parked(self, batch_id: str) -> list[ParkedToken]: ...

    def remove(self, parked: ParkedToken) -> bool:
        """Delete this token once it has been answered; False when it is gone or was replaced."""
        ...

    def drop_all(self, batch_id: str) -> int:
        """Forget every parked token (their execution is gone, nobody awaits them)."""
        ...


class TranscriptionJobStore(Protocol):
    def park(self, job: TranscriptionJob) -> None: ...

    def get(self, job_name: str) -> TranscriptionJob | None: ...

    def remove(self, job_name: str) -> None:
        """Called once the job's event was acted on, so an error before that leaves it for the retry."""
        ...


class ConnectionStore(Protocol):
    def put(self, connection: Connection) -> None: ...

    def get(self, connection_id: str) -> Connection | None: ...

    def subscribe_to_batch(self, connection: Connection, batch_id: str) -> None: ...

    def subscribe_to_user(self, connection: Connection) -> None: ...

    def batch_listeners(self, batch_id: str) -> list[str]: ...

    def user_listeners(self, user_id: str) -> list[str]: ...

    def delete(self, connection_id: str) -> None: ...


class ExportStore(Protocol):
    """`BatchExport` records in their batch's partition, with one live export per identical request."""

    def claim(self, record: BatchExport, now: datetime) -> BatchExport:
        """Store `record`, unless an identical request (same `request_hash`) has a live (not failed,
        not expired) export: then return that one. Atomic: two identical calls create one export."""
        ...

    def release(self, record: BatchExport) -> None:
        """A failed export stops answering identical requests."""
        ...

    def get(self, batch_id: str, export_id: str) -> BatchExport | None: ...

    def of_batch(self, batch_id: str) -> list[BatchExport]:
        """Newest first."""
        ...

    def update(
        self,
        batch_id: str,
        export_id: str,
        now: datetime,
        *,
        set_fields: Fields,
        only_if: Iterable[ExportStatus],
    ) -> bool:
        """Set fields while the status is one of `only_if`; False (nothing written) otherwise."""
        ...


class ObjectStore(Protocol):
    def presigned_put(
        self, bucket: str, key: str, expires_in: int, content_type: str | None = None, size: int | None = None
    ) -> tuple[str, dict[str, str]]: ...

    def presigned_get(
        self, bucket: str, key: str, expires_in: int, download_name: str | None = None
    ) -> str: ...

    def signed_read(self, bucket: str, key: str, expires_in: int, if_match: str | None = None) -> SignedRead:
        """A GET URL for ffmpeg to read in ranges; with `if_match`, only that version (ETag) is served
        (another raises SourceChangedError here or fails the read with 412)."""
        ...

    def signed_link(self, bucket: str, key: str, expires_in: int, download_name: str | None = None) -> Link:
        """A GET link for a user and the time it stops working (what the API states)."""
        ...

    def signing_credentials_expire(self) -> datetime | None:
        """When the credentials that sign links expire, if known: no link may outlive them."""
        ...

    def head(self, bucket: str, key: str) -> dict[str, Any] | None: ...

    def download(self, bucket: str, key: str, destination: Path, if_match: str | None = None) -> Path:
        """With `if_match`, only that version (ETag) is read: another raises SourceChangedError."""
        ...

    def upload(self, source: Path, bucket: str, key: str, content_type: str | None = None) -> None: ...

    def put_json(self, bucket: str, key: str, data: Any) -> None: ...

    def get_json(self, bucket: str, key: str) -> Any: ...

    def write_zip(
        self,
        entries: Sequence[ArchiveEntry],
        bucket: str,
        key: str,
        extra: Mapping[str, bytes],
        on_progress: Callable[[ExportProgress], None] | None = None,
    ) -> int:
        """Stream the objects (in order, under their names) and `extra` files into a ZIP at bucket/key,
        never holding one whole; returns the archive's size."""

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        """Delete every object whose key starts with `prefix`; how many were deleted."""

    def get_bytes(self, bucket: str, key: str) -> bytes: ...

    def put_bytes(self, bucket: str, key: str, body: bytes, content_type: str | None = None) -> None: ...

    def list_objects(self, bucket: str, prefix: str) -> list[StoredObject]: ...

    def start_multipart(self, bucket: str, key: str, content_type: str | None) -> str:
        """CreateMultipartUpload: the upload id."""
        ...

    def presigned_part(
        self, bucket: str, key: str, upload_id: str, part_number: int, size: int, expires_in: int
    ) -> str:
        """An UploadPart URL that signs the part's exact Content-Length."""
        ...

    def list_parts(self, bucket: str, key: str, upload_id: str) -> list[CompletedPart]:
        """The parts S3 holds (NotFound when the upload does not exist any more)."""
        ...

    def complete_multipart(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[CompletedPart]
    ) -> None:
        """InvalidRequest when S3 refuses the parts (a wrong ETag, a part too small)."""
        ...

    def abort_multipart(self, bucket: str, key: str, upload_id: str) -> None: ...

    def multipart_uploads(self, bucket: str, prefix: str) -> list[datetime]:
        """When each multipart upload still in progress under `prefix` was started."""
        ...


class WorkflowEngine(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Start an execution; the same name twice returns the first one's ARN."""
        ...

    def execution_arn(self, name: str) -> str: ...

    def status(self, name: str) -> ExecutionStatus | None:
        """DescribeExecution's status of the execution named `name`; None when there is none."""
        ...

    def send_success(self, token: str, output: dict[str, Any]) -> None: ...

    def send_failure(self, token: str, error: str, cause: str) -> None: ...

    def send_heartbeat(self, token: str) -> None: ...

    def stop(self, execution_arn: str, error: str, cause: str, batch_id: str) -> bool:
        """Stop a running execution at once, and the batch's Fargate tasks that still run.
        False when the execution had already ended (or never existed)."""
        ...


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


class CapacityStore(Protocol):
    """The one config item holding the service's global caps (functions/domain/capacity.py)."""

    def get(self) -> CapacitySetting | None: ...

    def put(self, setting: CapacitySetting) -> None: ...
