"""Runs one export (in the export Lambda or the Fargate worker, as the export state machine chose):
the ZIP streamed S3 → S3, the merged video from presigned GET URLs, or the playlist template (object
references, signed at download time) and its HLS rendition. Progress goes to the `BatchExport`
record, throttled."""

import json
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from functions.domain import object_keys
from functions.domain.enums import BatchExportKind, VideoStatus
from functions.domain.errors import InvalidMediaError, NotFound
from functions.domain.exports import (
    RESULTS_ENTRY,
    ArchiveEntry,
    BatchExport,
    ExportProgress,
    ExportStatus,
    entry_names,
    export_length_refusal,
    results_document,
    safe_file_name,
)
from functions.domain.models import BatchJob
from functions.media.ffmpeg_run import watched
from functions.media.merge import MergeClip, merge, merge_target
from functions.media.playlist import PLAYLIST_NAME, PlaylistEntry, build_hls, extended_m3u, object_uri
from functions.media.probe import probe
from functions.observability import logger, tracer
from functions.services.context import Services
from functions.services.exports import ACTIVE, PLAYLIST_CONTENT_TYPE, LocatedItem, export_items, fail_export
from functions.services.workspace import scratch_root

CONTENT_TYPES = {"zip": "application/zip", "m3u8": PLAYLIST_CONTENT_TYPE, "ts": "video/mp2t"}


class ProgressWriter:
    """Writes progress to the record at most every `interval` seconds (and always the first time)."""

    def __init__(self, ctx: Services, record: BatchExport, interval: float) -> None:
        self.ctx, self.record, self.interval = ctx, record, interval
        self._last = float("-inf")

    def __call__(self, percent: int, operation: str) -> None:
        moment = time.monotonic()
        if moment - self._last < self.interval:
            return
        self._last = moment
        self.ctx.exports.update(
            self.record.batch_job_id,
            self.record.id,
            self.ctx.clock(),
            set_fields={"progress": min(99, max(0, percent)), "current_operation": operation},
            only_if=(ExportStatus.PROCESSING,),
        )

    def fraction(self, done: float, operation: str) -> None:
        self(int(done * 100), operation)

    def zip(self, progress: ExportProgress) -> None:
        self(progress.percent, progress.operation)


def _seconds_left(record: BatchExport, now: datetime) -> int:
    return max(60, int((record.expires_at - now).total_seconds()))


def _stop_check(ctx: Services, batch_id: str, export_id: str) -> Callable[[], str | None]:
    def reason() -> str | None:
        record = ctx.exports.get(batch_id, export_id)
        if record is None:
            return "the export no longer exists"
        if record.status is not ExportStatus.PROCESSING:
            return f"the export was marked {record.status.value}"
        return None

    return reason


@tracer.capture_method
def run_export(ctx: Services, batch_id: str, export_id: str, deadline: float | None = None) -> BatchExport:
    """Produce the export's file(s) under exports/{batch}/{export}/ and complete the record. A record
    already completed is left alone (a redelivered task); any error marks it failed and is raised.
    Its ffmpeg is killed at `deadline` (time.monotonic()) or once the record leaves processing (marked
    failed by a timeout, or by anything else), so no encode outlives its export."""
    record = ctx.exports.get(batch_id, export_id)
    if record is None:
        raise NotFound(f"No export {export_id} of batch {batch_id}")
    if record.status is ExportStatus.COMPLETED:
        return record
    batch = ctx.batches.get(batch_id)
    if batch is None:
        raise NotFound(f"Batch {batch_id} no longer exists")
    ctx.exports.update(
        batch_id,
        export_id,
        ctx.clock(),
        set_fields={"status": ExportStatus.PROCESSING, "current_operation": "starting"},
        only_if=ACTIVE,
    )
    progress = ProgressWriter(ctx, record, ctx.config.progress_write_interval_seconds)
    items = export_items(ctx, batch, record.options.include_failed)
    work_root = scratch_root(ctx)
    work_root.mkdir(parents=True, exist_ok=True)
    try:
        with (
            watched(deadline=deadline, should_stop=_stop_check(ctx, batch_id, export_id)),
            tempfile.TemporaryDirectory(prefix=f"export-{export_id}-", dir=work_root) as tmp,
        ):
            runners: dict[BatchExportKind, Callable[..., dict[str, object]]] = {
                BatchExportKind.ZIP: _zip,
                BatchExportKind.MERGED: _merged,
                BatchExportKind.PLAYLIST: _playlist,
            }
            fields = runners[record.format](ctx, batch, record, items, Path(tmp), progress)
    except Exception as error:
        logger.exception("Export failed", extra={"batch_id": batch_id, "export_id": export_id})
        fail_export(ctx, batch_id, export_id, f"{type(error).__name__}: {error}")
        raise
    now = ctx.clock()
    ctx.exports.update(
        batch_id,
        export_id,
        now,
        set_fields={
            **fields,
            "status": ExportStatus.COMPLETED,
            "progress": 100,
            "current_operation": None,
            "completed_at": now,
        },
        only_if=ACTIVE,
    )
    done = ctx.exports.get(batch_id, export_id)
    assert done is not None
    return done


def _target_key(batch: BatchJob, record: BatchExport, extension: str) -> str:
    name = safe_file_name(batch.name, extension, fallback="export")
    return object_keys.export_object_key(batch.id, record.id, name)


def _zip(
    ctx: Services,
    batch: BatchJob,
    record: BatchExport,
    items: list[LocatedItem],
    _: Path,
    progress: ProgressWriter,
) -> dict[str, object]:
    names = entry_names([x.item for x in items], record.options, batch.name)
    extras = record.options.include_extras
    results = results_document(
        batch.id, batch.name, batch.summary or {}, [x.item for x in items], names, with_extras=extras
    )
    entries = []
    for located, name in zip(items, names, strict=True):
        entries.append(ArchiveEntry(located.bucket, located.item.key, name, located.item.size))
        if extras:  # captions, poster, cut lists, clips: beside the video, named like it
            entries.extend(
                ArchiveEntry(located.bucket, key, entry, None)
                for _, key, entry in located.item.extra_entries(name)
            )
    key = _target_key(batch, record, "zip")
    size = ctx.storage.write_zip(
        entries,
        ctx.config.media_bucket,
        key,
        {RESULTS_ENTRY: json.dumps(results, indent=2, ensure_ascii=False).encode()},
        on_progress=progress.zip,
    )
    return {"s3_key": key, "file_size": size}


def _title(record: BatchExport, located: LocatedItem) -> str:
    item = located.item
    name = item.original_name if record.options.use_original_names else item.stored_name
    return Path(name).stem or name


def _readable(
    ctx: Services, record: BatchExport, items: list[LocatedItem]
) -> list[tuple[LocatedItem, MergeClip]]:
    """Each item as ffmpeg reads it: a presigned GET URL and its probe. A failed video whose original
    cannot be decoded is left out of a merged or playlist export (a ZIP still carries it)."""
    seconds = _seconds_left(record, ctx.clock())
    readable = []
    for located in items:
        url = ctx.storage.presigned_get(located.bucket, located.item.key, seconds)
        try:
            found = probe(url)
        except InvalidMediaError:
            if located.item.status is VideoStatus.FAILED:
                continue
            raise
        readable.append((located, MergeClip(url, _title(record, located), found)))
    if not readable:
        raise ValueError("none of the batch's videos can be decoded")
    return readable


def _clips(ctx: Services, record: BatchExport, items: list[LocatedItem]) -> list[MergeClip]:
    return [clip for _, clip in _readable(ctx, record, items)]


def _within_cap(ctx: Services, record: BatchExport, clips: list[MergeClip]) -> None:
    """The request was checked against the recorded durations; this checks what the files really hold
    (probed) before any encoding starts."""
    total = sum(clip.probe.duration for clip in clips)
    refusal = export_length_refusal(record.format, record.options.hls, total, ctx.config.export_max_seconds)
    if refusal:
        raise InvalidMediaError(refusal)


def _merged(
    ctx: Services,
    batch: BatchJob,
    record: BatchExport,
    items: list[LocatedItem],
    work: Path,
    progress: ProgressWriter,
) -> dict[str, object]:
    progress(0, "reading videos")
    clips = _clips(ctx, record, items)
    _within_cap(ctx, record, clips)
    settings = batch.settings
    target = merge_target([c.probe for c in clips], settings.export_quality, settings.export_format)
    extension = settings.export_format.value
    destination = work / f"merged.{extension}"
    merge(clips, target, destination, title=batch.name, on_progress=progress.fraction)
    key = _target_key(batch, record, extension)
    progress(99, "uploading")
    ctx.storage.upload(destination, ctx.config.media_bucket, key, content_type=f"video/{extension}")
    return {"s3_key": key, "file_size": destination.stat().st_size}


def _playlist(
    ctx: Services,
    batch: BatchJob,
    record: BatchExport,
    items: list[LocatedItem],
    work: Path,
    progress: ProgressWriter,
) -> dict[str, object]:
    progress(0, "reading videos")
    readable = _readable(ctx, record, items)
    _within_cap(ctx, record, [clip for _, clip in readable])
    # Object references, not links: links are signed when the playlist is downloaded (services/exports.py).
    entries = [
        PlaylistEntry(object_uri(located.bucket, located.item.key), clip.title, clip.probe.duration)
        for located, clip in readable
    ]
    playlist = work / "playlist.m3u8"
    playlist.write_text(extended_m3u(entries, batch.name), encoding="utf-8")
    key = _target_key(batch, record, "m3u8")
    fields: dict[str, object] = {"s3_key": key, "file_size": playlist.stat().st_size}
    if record.options.hls:
        clips = [clip for _, clip in readable]
        fields["hls_key"] = _hls(ctx, batch, record, clips, work / "hls", progress)
    ctx.storage.upload(playlist, ctx.config.media_bucket, key, content_type=CONTENT_TYPES["m3u8"])
    return fields


def _hls(
    ctx: Services,
    batch: BatchJob,
    record: BatchExport,
    clips: list[MergeClip],
    folder: Path,
    progress: ProgressWriter,
) -> str:
    """Segments uploaded under exports/{batch}/{export}/hls/ and a media playlist naming them relative
    to itself; links to the segments are signed when the playlist is downloaded (the bucket is private)."""
    settings = batch.settings
    target = merge_target([c.probe for c in clips], settings.export_quality, settings.export_format)
    playlist = build_hls(clips, target, folder, on_progress=lambda f, op: progress.fraction(0.95 * f, op))
    bucket = ctx.config.media_bucket
    progress(96, "uploading segments")
    for segment in sorted(folder.glob("*.ts")):
        key = object_keys.export_object_key(batch.id, record.id, f"hls/{segment.name}")
        ctx.storage.upload(segment, bucket, key, content_type=CONTENT_TYPES["ts"])
    key = object_keys.export_object_key(batch.id, record.id, f"hls/{PLAYLIST_NAME}")
    ctx.storage.upload(playlist, bucket, key, content_type=CONTENT_TYPES["m3u8"])
    return key
