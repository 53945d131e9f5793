"""Batch exports, the pure part: what a request may ask for, how entries are named, when two requests
are the same, and the record that tracks one export. No AWS, no ffmpeg, no environment."""

import hashlib
import json
import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from functions.domain.enums import BatchExportKind, BatchStatus, ExportStatus, VideoStatus

__all__ = [
    "DEFAULT_NAMING",
    "EXPORT_LIFETIME",
    "PLACEHOLDERS",
    "RESULTS_ENTRY",
    "ArchiveEntry",
    "BatchExport",
    "BatchExportKind",
    "ExportItem",
    "ExportOptions",
    "ExportProgress",
    "ExportRequest",
    "ExportStatus",
    "RuntimeLimits",
    "cache_key",
    "entry_names",
    "export_length_refusal",
    "export_refusal",
    "export_runtime",
    "results_document",
    "safe_file_name",
    "select_items",
]

PLACEHOLDERS = ("position", "name", "ext", "batch")
DEFAULT_NAMING = "{position}_{name}.{ext}"
RESULTS_ENTRY = "results.json"
EXPORT_LIFETIME = timedelta(hours=24)
CACHE_KEY_VERSION = 2  # bump when the same request would produce a different file
MAX_NAME_BYTES = 200  # well under the 255-byte limit of common file systems, leaving room for " (n)"
MAX_PATTERN_LENGTH = 200

# Characters no file system or unzip tool handles well: separators, Windows-reserved, controls.
_FORBIDDEN = set('/\\<>:"|?*')
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)
_SPACES = re.compile(r"\s+")
_JOINERS = "\u200d\ufe0e\ufe0f"  # a name cut in the middle of an emoji sequence must not end on these


def _is_unsafe_char(char: str) -> bool:
    return char in _FORBIDDEN or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _keep_char(char: str) -> bool:
    # Zero-width joiners and variation selectors are format characters (Cf) that emoji need.
    return char in _JOINERS or not _is_unsafe_char(char)


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode(errors="ignore").rstrip(_JOINERS)


def safe_file_name(stem: str, extension: str = "", *, fallback: str = "video") -> str:
    """A file name every OS and unzip tool accepts, keeping every letter a person recognises
    (Cyrillic, CJK, emoji): unsafe characters become `_`, whitespace collapses, no leading or
    trailing dots/spaces, no Windows device names, at most MAX_NAME_BYTES bytes of UTF-8."""
    text = unicodedata.normalize("NFC", stem)
    text = "".join(c if _keep_char(c) else "_" for c in text)
    text = _SPACES.sub(" ", text).strip(" ._")
    if not text:
        text = fallback
    if text.split(".")[0].casefold() in _WINDOWS_DEVICES:
        text = f"_{text}"
    suffix = ""
    if extension:
        clean_ext = "".join(c for c in unicodedata.normalize("NFC", extension) if c.isalnum())
        suffix = f".{clean_ext.lower()}" if clean_ext else ""
    text = _truncate_utf8(text, MAX_NAME_BYTES - len(suffix.encode())).rstrip(" .") or fallback
    return text + suffix


class ExportOptions(BaseModel):
    """The options that, with the batch and the format, define an export (and its cache key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    include_failed: bool = Field(
        default=False,
        description="Also export failed videos (their original upload) and allow exporting any batch "
        "that has finished, not only completed ones.",
    )
    custom_naming: str | None = Field(
        default=None,
        max_length=MAX_PATTERN_LENGTH,
        description="Entry name pattern with the placeholders {position} (001, 002…), {name} (the "
        "video's name without extension), {ext} (the file's extension) and {batch} (the batch name). "
        f"Default {DEFAULT_NAMING!r}; '.{{ext}}' is appended when the pattern does not end with it.",
        examples=["{batch} - {position} - {name}.{ext}"],
    )
    use_original_names: bool = Field(
        default=True,
        description="{name} is the uploaded file's name (unicode kept); false uses the ASCII-safe name "
        "the output was stored under.",
    )
    batch_name_prefix: bool = Field(
        default=False,
        description="Prefix every entry with the batch name ('{batch}_' before the pattern) unless the "
        "pattern already uses {batch}.",
    )
    hls: bool = Field(
        default=False, description="Playlist exports only: also build an HLS rendition (segments)."
    )
    include_extras: bool = Field(
        default=True,
        description="ZIP exports: put each video's captions, poster, thumbnail, cut lists, chapter list "
        "and highlight clips (with their posters) beside it, named like its entry (false: the videos only).",
    )

    @field_validator("custom_naming")
    @classmethod
    def check_pattern(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        problems = pattern_problems(value)
        if problems:
            raise ValueError(problems)
        return value

    @property
    def naming(self) -> str:
        pattern = self.custom_naming or DEFAULT_NAMING
        if not pattern.endswith(".{ext}"):
            pattern += ".{ext}"
        if self.batch_name_prefix and "{batch}" not in pattern:
            pattern = "{batch}_" + pattern
        return pattern


class ExportRequest(ExportOptions):
    """Body of `POST /api/batch-jobs/{id}/export`."""

    format: BatchExportKind = Field(description="zip (every output), merged (one video) or playlist (M3U8).")

    @model_validator(mode="after")
    def check_hls(self) -> Self:
        if self.hls and self.format is not BatchExportKind.PLAYLIST:
            raise ValueError(f"hls applies to playlist exports only, not to format '{self.format}'")
        return self

    @property
    def options(self) -> ExportOptions:
        return ExportOptions.model_validate(self.model_dump(exclude={"format"}))


def pattern_problems(pattern: str) -> str:
    """Why a naming pattern is unusable ('' when it is fine)."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(pattern)]
    except ValueError as error:
        return f"custom_naming {pattern!r} has unbalanced braces ({error}); write {{{{ or }}}} for a brace"
    allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
    for name, spec, conv in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            shown = f"{{{name}}}" if name else "{}"
            return f"custom_naming has an unknown placeholder {shown}; allowed: {allowed}"
        if spec or conv:
            return f"custom_naming placeholder {{{name}}} takes no format spec or conversion"
    bad = sorted({c for c in pattern if _is_unsafe_char(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        return f"custom_naming must not contain {shown}: entries are files in one folder"
    return ""


def export_refusal(status: BatchStatus, include_failed: bool) -> str | None:
    """Why a batch in `status` cannot be exported (None when it can): completed batches can, and with
    include_failed any finished one (failed, cancelled)."""
    if status is BatchStatus.COMPLETED:
        return None
    if status.is_terminal:
        if include_failed:
            return None
        return (
            f"Batch is {status.value}: only completed batches can be exported; "
            "set include_failed to export a finished batch with failed videos"
        )
    return f"Batch is {status.value}: it can be exported once it has finished"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h ({seconds:,.0f} s)"


def export_length_refusal(
    kind: BatchExportKind, hls: bool, total_seconds: float, cap_seconds: float
) -> str | None:
    """Why an export that encodes `total_seconds` of media is refused (None when it is not): a merged
    video or an HLS rendition encodes every second of every video, so their total is capped; a ZIP or a
    plain playlist copies or names the files and is not."""
    encodes = kind is BatchExportKind.MERGED or (kind is BatchExportKind.PLAYLIST and hls)
    if not encodes or total_seconds <= cap_seconds:
        return None
    what = "merged video" if kind is BatchExportKind.MERGED else "HLS rendition"
    return (
        f"The {what} would last {_hours(total_seconds)}, above the cap of {_hours(cap_seconds)} "
        "(REELFLOW_EXPORT_MAX_SECONDS): export fewer videos, or a ZIP or plain playlist instead"
    )


FILE_EXTENSIONS = {BatchExportKind.ZIP: "zip", BatchExportKind.PLAYLIST: "m3u8"}


@dataclass(frozen=True)
class ArchiveEntry:
    """One object to put in a ZIP under `name`."""

    bucket: str
    key: str
    name: str
    size: int | None = None


@dataclass(frozen=True)
class ExportItem:
    """One video as an export sees it. `key` is the object to export: the rendered output for a
    completed video, the original upload for a failed one (when failed videos are included)."""

    position: int
    original_name: str
    stored_name: str  # the ASCII-safe name the output/upload was stored under
    key: str
    status: VideoStatus = VideoStatus.COMPLETED
    size: int | None = None
    duration: float | None = None
    error_message: str | None = None
    extras: tuple[tuple[str, str], ...] = ()  # (output name, key) of the files published beside it

    @property
    def extension(self) -> str:
        return PurePosixPath(self.key).suffix.lstrip(".").lower()

    def extra_entries(self, entry_name: str) -> list[tuple[str, str, str]]:
        """(output name, key, ZIP entry name) of each file beside the video: the entry's stem with the
        file's own suffix (`001_talk.mp4` → `001_talk.srt`, `001_talk.poster.jpg`)."""
        stem, entry_stem = PurePosixPath(self.key).stem, PurePosixPath(entry_name).stem
        return [
            (name, key, entry_stem + PurePosixPath(key).name.removeprefix(stem)) for name, key in self.extras
        ]


def select_items(items: Sequence[ExportItem], include_failed: bool) -> list[ExportItem]:
    """Completed videos (and failed ones if asked) in position order."""
    wanted = {VideoStatus.COMPLETED} | ({VideoStatus.FAILED} if include_failed else set())
    return sorted((i for i in items if i.status in wanted), key=lambda i: i.position)


def _position_width(items: Sequence[ExportItem]) -> int:
    return max(3, *(len(str(i.position)) for i in items)) if items else 3


def entry_names(items: Sequence[ExportItem], options: ExportOptions, batch_name: str) -> list[str]:
    """The file name of each item inside the export, in the order given: the pattern filled in,
    every value made safe, and duplicates (compared as a case-insensitive file system would)
    numbered ' (2)', ' (3)'… Never `results.json`, which the ZIP uses for the summary."""
    width = _position_width(items)
    pattern = options.naming
    taken = {RESULTS_ENTRY.casefold()}
    names: list[str] = []
    for item in items:
        source = item.original_name if options.use_original_names else item.stored_name
        ext = "".join(c for c in item.extension if c.isalnum())
        values = {
            "position": str(item.position).zfill(width),
            "name": safe_file_name(PurePosixPath(source.replace("\\", "/")).stem),
            "ext": ext,
            "batch": safe_file_name(batch_name, fallback="batch"),
        }
        filled = pattern.format(**values)
        suffix = f".{ext}" if ext else ""
        stem = filled[: -len(suffix)] if suffix and filled.endswith(suffix) else filled
        name = safe_file_name(stem, ext)
        names.append(_unique(name, taken))
    return names


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while unicodedata.normalize("NFC", candidate).casefold() in taken:
        n += 1
        marker = f" ({n})"
        base = _truncate_utf8(stem, MAX_NAME_BYTES - len(marker.encode()) - len(ext.encode()) - 1)
        candidate = f"{base}{marker}" + (f".{ext}" if ext else "")
    taken.add(unicodedata.normalize("NFC", candidate).casefold())
    return candidate


def cache_key(batch_id: str, request: ExportRequest) -> str:
    """Identical (batch, format, effective options) → identical key, in any process. Options that
    cannot change the file are normalised away (a missing pattern equals the default one)."""
    options = request.options
    document = {
        "v": CACHE_KEY_VERSION,
        "batch": batch_id,
        "format": request.format.value,
        "include_failed": options.include_failed,
        "use_original_names": options.use_original_names,  # {name}, chapter names and titles
        "naming": options.naming if request.format is BatchExportKind.ZIP else None,  # entry names
        "hls": options.hls,
        "extras": options.include_extras if request.format is BatchExportKind.ZIP else None,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ExportProgress:
    """Where an export is, for the record and the progress events."""

    done: int
    total: int
    bytes_done: int = 0
    bytes_total: int = 0
    operation: str = ""

    @property
    def percent(self) -> int:
        if self.bytes_total > 0:
            return min(100, self.bytes_done * 100 // self.bytes_total)
        return min(100, self.done * 100 // self.total) if self.total else 0


def adding(index: int, total: int, noun: str = "video") -> str:
    """'adding video 5/20' (1-based)."""
    return f"adding {noun} {index}/{total}"


def results_document(
    batch_id: str,
    batch_name: str,
    summary: Mapping[str, Any],
    items: Sequence[ExportItem],
    names: Sequence[str],
    with_extras: bool = False,
) -> dict[str, Any]:
    """The `results.json` put in a ZIP: the batch summary and what each entry is; with `with_extras`,
    each entry's `files` names the files beside it by their path in the ZIP."""
    return {
        "batch_id": batch_id,
        "batch_name": batch_name,
        "summary": dict(summary),
        "entries": [
            {
                "file": name,
                "position": item.position,
                "original_name": item.original_name,
                "status": item.status.value,
                "size": item.size,
                "duration": item.duration,
                **({"error": item.error_message} if item.error_message else {}),
                **(
                    {"files": {output: entry for output, _, entry in item.extra_entries(name)}}
                    if with_extras and item.extras
                    else {}
                ),
            }
            for item, name in zip(items, names, strict=True)
        ],
    }


class BatchExport(BaseModel):
    """One export of a batch: what was asked, where it is, and when it goes away. `ttl` is the
    epoch second DynamoDB's TTL deletes the record at; the S3 object expires by lifecycle rule."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    id: str
    batch_job_id: str
    user_id: str
    format: BatchExportKind
    options: ExportOptions = Field(default_factory=ExportOptions)
    request_hash: str
    status: ExportStatus = ExportStatus.PENDING
    progress: int = Field(default=0, ge=0, le=100)
    current_operation: str | None = None
    s3_key: str | None = None
    hls_key: str | None = None  # playlist exports with hls: the HLS media playlist
    runtime: Literal["lambda", "fargate"] | None = None
    file_size: int | None = Field(default=None, ge=0)
    error_message: str | None = None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    expires_at: datetime
    ttl: int

    @classmethod
    def create(
        cls,
        export_id: str,
        batch_id: str,
        user_id: str,
        request: ExportRequest,
        now: datetime,
        lifetime: timedelta = EXPORT_LIFETIME,
    ) -> "BatchExport":
        expires = now + lifetime
        return cls(
            id=export_id,
            batch_job_id=batch_id,
            user_id=user_id,
            format=request.format,
            options=request.options,
            request_hash=cache_key(batch_id, request),
            created_at=now,
            updated_at=now,
            expires_at=expires,
            ttl=int(expires.astimezone(UTC).timestamp()),
        )

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def reusable(self, now: datetime) -> bool:
        """A cached answer for an identical request: anything not failed and not expired."""
        return self.status is not ExportStatus.FAILED and not self.is_expired(now)


@dataclass(frozen=True)
class RuntimeLimits:
    """What one Lambda invocation can finish, with margin under its 15-minute limit. Defaults are
    conservative figures (docs/exports.md): S3→ZIP→S3 throughput, and x-realtime encode speeds on
    the ~2 vCPU of a 3 GB Lambda (1080p veryfast 3.6x, 720p 9x; 4K is always Fargate)."""

    budget_seconds: float = 600.0
    zip_bytes_per_second: float = 50e6
    encode_speed: Mapping[int, float] = field(default_factory=lambda: {720: 9.0, 1080: 3.6})
    ephemeral_bytes: int = 9 * 1024**3  # the merged file is written to /tmp before upload


def export_runtime(
    kind: BatchExportKind,
    total_bytes: int,
    total_seconds: float,
    height: int,
    *,
    hls: bool = False,
    limits: RuntimeLimits | None = None,
) -> Literal["lambda", "fargate"]:
    """Where an export runs, decided from the sizes before it starts: Lambda when it surely ends
    within the budget, else the Fargate task (no time limit)."""
    limits = limits or RuntimeLimits()
    if kind is BatchExportKind.ZIP:
        seconds = total_bytes / limits.zip_bytes_per_second
    elif kind is BatchExportKind.PLAYLIST and not hls:
        return "lambda"  # a text file of presigned URLs
    else:
        speed = next((s for h, s in sorted(limits.encode_speed.items()) if height <= h), None)
        if speed is None:
            return "fargate"
        if kind is BatchExportKind.MERGED and total_bytes > limits.ephemeral_bytes:
            return "fargate"
        seconds = total_seconds / speed
    return "lambda" if seconds <= limits.budget_seconds else "fargate"
