"""The S3 drop folder (issue 10 item 5): objects under `dropbox/{user_id}/{folder}/` make one batch.

Pure rules only; the wiring round calls them from the ingest Lambda and a scheduled check.

- **One batch per folder**, with ids derived from names (`drop_batch_id`, `drop_video_id`), so a
  re-delivered or reordered S3 event can only ever name the batch and the videos that already exist:
  every put is conditional on `attribute_not_exists(PK)` and a duplicate is a no-op.
- **Events say when, the listing says what.** An object event creates the batch (pending, source
  `dropbox`, named after the folder) if needed and records the time of the latest file; it never decides
  positions. When the batch starts, the use case lists the folder (S3 listings are strongly consistent)
  and `plan_drop_folder` turns that set of objects into the batch's videos. A set has no order, so the
  result is the same whatever order or how many times the events came.
- **Start** (`start_reason`): `batch.json` says `"start": true`, a `_start` marker exists, or no file has
  arrived for the quiet period (configurable; checked by a scheduled sweep, never a sleeping Lambda).
  A start request still waits for the folder to be complete: no multipart upload in progress and a few
  seconds (`settle_seconds`) without a new file.
- **Classification** (`classify`): videos by extension, case-insensitively (`.MOV`); `batch.json`; the
  `_start` marker; anything else (and anything in a sub-folder) is listed as skipped.
- **Limits**: a folder is an archive import, so the plan's per-batch count (which the API applies)
  does not: the deployment's drop-folder limit does (`drop_folder_max_videos`, 1,000 by default and at
  most `DROP_FOLDER_MAX_VIDEOS`, the size the state machine's limits are computed for); files beyond it
  (in file-name order) are reported as over the limit, never silently dropped; files S3 holds but the
  batch cannot accept (empty, over 2 GB) are reported as rejected with the reason.
- A broken `batch.json` (bad JSON or settings) never loses the folder: the batch is still created, with
  its videos, and immediately `failed` with the reason, so the user sees what to fix.
"""

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import unquote_plus
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.domain.errors import InvalidRequest
from functions.domain.models import DEFAULT_PRIORITY
from functions.domain.object_keys import Prefix
from functions.domain.settings import BatchSettings
from functions.domain.text import Description, Name, display_line
from functions.domain.uploads import ACCEPTED, check_file, is_video_name

MANIFEST_NAME = "batch.json"
START_MARKER = "_start"
MAX_MANIFEST_BYTES = 64 * 1024
DEFAULT_QUIET_SECONDS = 300
DEFAULT_SETTLE_SECONDS = 10
DEFAULT_ABANDON_SECONDS = 24 * 3600
MAX_BATCH_NAME = 100
# The most videos one drop folder may hold: the batch state machine's history and state size are
# computed for it (tests/unit/test_asl_limits.py).
DROP_FOLDER_MAX_VIDEOS = 1000

# Fixed namespace: ids must be the same in every Lambda, every deployment and local mode.
DROP_NAMESPACE = UUID("6f1d7c3e-5b0a-4c55-9a57-2f3d4e0b9a11")


# ---- keys ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DropKey:
    """A decoded object key under `dropbox/{user_id}/{folder}/`."""

    key: str  # the real (decoded) S3 key
    user_id: str
    folder: str
    file_name: str  # the rest of the key after the folder; contains "/" when in a sub-folder

    @property
    def in_subfolder(self) -> bool:
        return "/" in self.file_name


def decode_event_key(raw_key: str) -> str:
    """S3 event notifications URL-encode keys with `+` for spaces; undo it (unicode stays unicode)."""
    return unquote_plus(raw_key, encoding="utf-8", errors="strict")


def parse_drop_key(key: str) -> DropKey | None:
    """`dropbox/{user_id}/{folder}/{file}` → its parts; None for any other key or a folder marker.

    `key` is the decoded key (see `decode_event_key`). Names are kept exactly (no case folding, no
    unicode normalisation): they are S3 object names and must name the same objects later.
    """
    prefix, _, rest = key.partition("/")
    if prefix != Prefix.DROPBOX:
        return None
    parts = rest.split("/", 2)
    if len(parts) != 3 or not all(parts) or parts[2].endswith("/"):
        return None
    user_id, folder, file_name = parts
    return DropKey(key=key, user_id=user_id, folder=folder, file_name=file_name)


def folder_prefix(user_id: str, folder: str) -> str:
    """What to list to see a folder's files."""
    return f"{Prefix.DROPBOX}/{user_id}/{folder}/"


# ---- ids -------------------------------------------------------------------------------------------


def drop_batch_id(user_id: str, folder: str) -> str:
    """The one batch a folder becomes (the folder name exactly as in its keys)."""
    return str(uuid5(DROP_NAMESPACE, json.dumps(["batch", user_id, folder])))


def drop_video_id(batch_id: str, key: str) -> str:
    """The one video an object of the folder becomes (the key, not the name: S3 keys are unique)."""
    return str(uuid5(DROP_NAMESPACE, json.dumps(["video", batch_id, key])))


# ---- classification --------------------------------------------------------------------------------


class DropFileKind(StrEnum):
    VIDEO = "video"
    MANIFEST = "manifest"
    START_MARKER = "start_marker"
    SKIPPED = "skipped"


def refusal(drop_key: DropKey, size: int | None) -> str | None:
    """Why a video file of the folder is refused (the API's rules for a file's name and size), or None."""
    try:
        display_line(drop_key.file_name)  # the API's rule for a file name (FileName)
        check_file(drop_key.file_name, size, None)
    except ValueError as refused:
        return f"The file name {refused}"
    except InvalidRequest as refused:
        return refused.detail
    return None


def classify(drop_key: DropKey) -> DropFileKind:
    if drop_key.in_subfolder:
        return DropFileKind.SKIPPED
    name = drop_key.file_name
    if name.casefold() == MANIFEST_NAME:
        return DropFileKind.MANIFEST
    if name.casefold() == START_MARKER:
        return DropFileKind.START_MARKER
    if is_video_name(name):
        return DropFileKind.VIDEO
    return DropFileKind.SKIPPED


# ---- batch.json --------------------------------------------------------------------------------------


class DropManifest(BaseModel):
    """The optional `batch.json` of a folder. Every field is optional."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, max_length=MAX_BATCH_NAME)  # the API's rules for names
    description: Description | None = None
    settings: BatchSettings = Field(default_factory=BatchSettings)
    priority: int = Field(default=DEFAULT_PRIORITY, ge=0, le=10)
    start: bool = Field(default=False, description="Start as soon as the folder is complete.")


@dataclass(frozen=True)
class ManifestResult:
    manifest: DropManifest
    error: str | None  # why batch.json was refused; the batch is then created failed with it

    @property
    def valid(self) -> bool:
        return self.error is None


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "batch.json"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_manifest(raw: bytes) -> ManifestResult:
    """Read `batch.json`; anything wrong becomes a reason string (defaults apply, nothing raises)."""
    fallback = DropManifest()
    if len(raw) > MAX_MANIFEST_BYTES:
        return ManifestResult(fallback, f"batch.json is {len(raw)} bytes; the limit is {MAX_MANIFEST_BYTES}")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return ManifestResult(fallback, "batch.json is not UTF-8 text")
    except json.JSONDecodeError as error:
        return ManifestResult(
            fallback, f"batch.json is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        )
    if not isinstance(data, dict):
        return ManifestResult(fallback, "batch.json must be a JSON object")
    try:
        return ManifestResult(DropManifest.model_validate(data), None)
    except ValidationError as error:
        return ManifestResult(fallback, f"batch.json is invalid: {_describe(error)}")


# ---- the folder as a batch ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DropObject:
    """One object of the folder, as a listing (or an event) reports it."""

    key: str  # decoded
    size: int
    last_modified: datetime


@dataclass(frozen=True)
class DropVideo:
    video_id: str
    key: str
    file_name: str
    size: int
    position: int


@dataclass(frozen=True)
class RejectedFile:
    file_name: str
    reason: str


@dataclass(frozen=True)
class DropFolderPlan:
    """What a folder becomes: one batch, its videos by file name, and every file it did not take."""

    batch_id: str
    user_id: str
    folder: str
    name: str
    description: str | None
    settings: BatchSettings
    priority: int
    videos: tuple[DropVideo, ...]
    over_limit: tuple[str, ...]  # video files beyond the plan's per-batch count
    rejected: tuple[RejectedFile, ...]  # video files that cannot be accepted (empty, too large)
    skipped: tuple[str, ...]  # not videos (and files in sub-folders)
    manifest_key: str | None  # the batch.json to read (exact name first); the caller passes it in parsed
    start_marker: bool
    start_requested: bool  # batch.json "start": true
    failure_reason: str | None  # set: create the batch failed with this reason
    last_file_at: datetime | None

    @property
    def report(self) -> dict[str, list[str]]:
        """What the summary shows about files that are not videos of the batch."""
        return {
            "skipped": list(self.skipped),
            "over_limit": list(self.over_limit),
            "rejected": [f"{r.file_name}: {r.reason}" for r in self.rejected],
        }


def _name_order(name: str) -> tuple[str, str]:
    return (unicodedata.normalize("NFC", name).casefold(), name)


def default_batch_name(folder: str) -> str:
    return folder[:MAX_BATCH_NAME].strip() or "Drop folder"


def plan_drop_folder(
    user_id: str,
    folder: str,
    max_videos: int,
    objects: Iterable[DropObject],
    manifest: ManifestResult | None,
) -> DropFolderPlan:
    """Turn the folder's objects (any order, duplicates allowed) into the batch and its videos.

    `manifest` is the parsed `batch.json` if the folder has one (read by the caller); `max_videos` is
    the deployment's drop-folder limit. Objects outside
    `dropbox/{user_id}/{folder}/` are ignored. Positions follow the file names (case-insensitive).
    """
    batch_id = drop_batch_id(user_id, folder)
    unique: dict[str, DropObject] = {}
    for obj in objects:
        known = unique.get(obj.key)
        if known is None or (obj.last_modified, obj.size) > (known.last_modified, known.size):
            unique[obj.key] = obj
    videos: list[tuple[DropKey, DropObject]] = []
    rejected: list[RejectedFile] = []
    skipped: list[str] = []
    manifests: list[DropKey] = []
    start_marker = False
    last_file_at: datetime | None = None
    for obj in unique.values():
        drop_key = parse_drop_key(obj.key)
        if drop_key is None or (drop_key.user_id, drop_key.folder) != (user_id, folder):
            continue
        last_file_at = obj.last_modified if last_file_at is None else max(last_file_at, obj.last_modified)
        kind = classify(drop_key)
        if kind is DropFileKind.MANIFEST:
            manifests.append(drop_key)
        elif kind is DropFileKind.START_MARKER:
            start_marker = True
        elif kind is DropFileKind.SKIPPED:
            skipped.append(drop_key.file_name)
        elif (reason := refusal(drop_key, obj.size)) is not None:
            rejected.append(RejectedFile(drop_key.file_name, reason))
        else:
            videos.append((drop_key, obj))
    videos.sort(key=lambda pair: _name_order(pair[0].file_name))
    # Two spellings (batch.json, Batch.JSON): the exact name wins, the other is skipped.
    manifests.sort(key=lambda k: (k.file_name != MANIFEST_NAME, k.file_name))
    skipped.extend(k.file_name for k in manifests[1:])
    limit = min(max_videos, DROP_FOLDER_MAX_VIDEOS)
    accepted, extra = videos[:limit], videos[limit:]
    parsed = manifest if manifest is not None else ManifestResult(DropManifest(), None)
    failure = parsed.error
    if failure is None and parsed.manifest.name is None:
        try:
            display_line(folder)
        except ValueError as refused:
            failure = f"The folder name {refused}; name the batch in batch.json or rename the folder"
    if failure is None and not accepted:
        failure = f"The folder has no video files (accepted: {ACCEPTED})"
    return DropFolderPlan(
        batch_id=batch_id,
        user_id=user_id,
        folder=folder,
        name=parsed.manifest.name or default_batch_name(folder),
        description=parsed.manifest.description,
        settings=parsed.manifest.settings,
        priority=parsed.manifest.priority,
        videos=tuple(
            DropVideo(drop_video_id(batch_id, k.key), k.key, k.file_name, o.size, position)
            for position, (k, o) in enumerate(accepted, start=1)
        ),
        over_limit=tuple(k.file_name for k, _ in extra),
        rejected=tuple(sorted(rejected, key=lambda r: _name_order(r.file_name))),
        skipped=tuple(sorted(skipped, key=_name_order)),
        manifest_key=manifests[0].key if manifests else None,
        start_marker=start_marker,
        start_requested=parsed.valid and parsed.manifest.start,
        failure_reason=failure,
        last_file_at=last_file_at,
    )


# ---- when to start -----------------------------------------------------------------------------------


class StartReason(StrEnum):
    MANIFEST = "batch.json start"
    MARKER = "_start marker"
    QUIET_PERIOD = "quiet period"


@dataclass(frozen=True)
class StartTiming:
    """How long a folder must be still before it starts. Configurable so tests run in milliseconds."""

    quiet_seconds: float = DEFAULT_QUIET_SECONDS  # no start request: start after this long without files
    settle_seconds: float = DEFAULT_SETTLE_SECONDS  # start requested: wait this long after the last file
    abandon_after_seconds: float = DEFAULT_ABANDON_SECONDS  # an older unfinished upload no longer counts


def start_reason(
    *,
    manifest_start: bool,
    marker_present: bool,
    last_file_at: datetime | None,
    now: datetime,
    uploads_started_at: Iterable[datetime] = (),
    timing: StartTiming = StartTiming(),
) -> StartReason | None:
    """Why a pending drop-folder batch starts now, or None to keep waiting for files.

    `uploads_started_at`: initiation times of the multipart uploads still in progress under the folder
    (ListMultipartUploads). `aws s3 cp --recursive` sends `batch.json` and `_start` (tiny) long before a
    2 GB video completes, so a start request waits until no upload is running and the folder has been
    still for `settle_seconds`; the quiet period, too, counts a running upload as activity. An upload
    older than `abandon_after_seconds` is taken as abandoned (the bucket's lifecycle aborts it).
    """
    if last_file_at is None:
        return None
    running = [t for t in uploads_started_at if now - t < timedelta(seconds=timing.abandon_after_seconds)]
    if running:
        return None
    still = now - last_file_at
    if still >= timedelta(seconds=timing.settle_seconds):
        if manifest_start:
            return StartReason.MANIFEST
        if marker_present:
            return StartReason.MARKER
    if still >= timedelta(seconds=timing.quiet_seconds):
        return StartReason.QUIET_PERIOD
    return None


def plan_start_reason(
    plan: DropFolderPlan,
    now: datetime,
    uploads_started_at: Iterable[datetime] = (),
    timing: StartTiming = StartTiming(),
) -> StartReason | None:
    return start_reason(
        manifest_start=plan.start_requested,
        marker_present=plan.start_marker,
        last_file_at=plan.last_file_at,
        now=now,
        uploads_started_at=uploads_started_at,
        timing=timing,
    )
