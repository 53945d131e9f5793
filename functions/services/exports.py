"""Export use cases of the API: request an export (cached for identical requests), read one, list a
batch's exports. The export itself runs in the export state machine (services/export_runner.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from functions.domain.enums import BatchExportKind, Stage, VideoStatus
from functions.domain.errors import Conflict, NotFound
from functions.domain.export_views import ExportAccepted, ExportDetail, ExportHistory, ExportSummary
from functions.domain.exports import (
    FILE_EXTENSIONS,
    BatchExport,
    ExportItem,
    ExportRequest,
    ExportStatus,
    RuntimeLimits,
    export_refusal,
    export_runtime,
    safe_file_name,
    select_items,
)
from functions.domain.links import Link, earliest
from functions.domain.models import BatchJob, BatchVideo, new_id
from functions.media.playlist import entry_target, note_expiry, rewrite_uris
from functions.observability import logger, tracer
from functions.services.access import require_batch
from functions.services.batches import Caller
from functions.services.context import Services
from functions.services.links import mint_link

EXPORT_NOT_FOUND = "Export not found"
ACTIVE = (ExportStatus.PENDING, ExportStatus.PROCESSING)
PLAYLIST_CONTENT_TYPE = "application/vnd.apple.mpegurl"


@dataclass(frozen=True)
class LocatedItem:
    """An export item and the bucket its object lives in (outputs: media; failed originals: ingest)."""

    item: ExportItem
    bucket: str


def published_extras(member: BatchVideo) -> tuple[tuple[str, str], ...]:
    """The files the render published beside a video (captions, poster, cut lists, clips), by name."""
    exported = (member.processing_result or {}).get(Stage.EXPORTING.value)
    outputs = exported.get("outputs") if isinstance(exported, dict) else None
    return tuple((str(name), str(key)) for name, key in sorted((outputs or {}).items()))


def export_items(ctx: Services, batch: BatchJob, include_failed: bool) -> list[LocatedItem]:
    """The batch's videos an export contains, in position order, with their object's size."""
    located: list[LocatedItem] = []
    for member in ctx.batch_videos.of_batch(batch.id):
        if member.status is VideoStatus.COMPLETED and member.output_key:
            key, bucket = member.output_key, ctx.config.media_bucket
        elif member.status is VideoStatus.FAILED and include_failed:
            video = ctx.videos.get(member.video_id)
            if video is None or ctx.storage.head(ctx.config.ingest_bucket, video.s3_key) is None:
                continue  # never uploaded: nothing to put in the export
            key, bucket = video.s3_key, ctx.config.ingest_bucket
        else:
            continue
        head = ctx.storage.head(bucket, key)
        item = ExportItem(
            position=member.position,
            original_name=member.original_name or PurePosixPath(key).name,
            stored_name=PurePosixPath(key).name,
            key=key,
            status=member.status,
            size=int(head["ContentLength"]) if head else None,
            duration=member.duration,
            error_message=member.error_message,
            extras=published_extras(member) if member.status is VideoStatus.COMPLETED else (),
        )
        located.append(LocatedItem(item, bucket))
    chosen = {id(i) for i in select_items([x.item for x in located], include_failed)}
    return sorted((x for x in located if id(x.item) in chosen), key=lambda x: x.item.position)


def lifetime(ctx: Services) -> timedelta:
    return timedelta(seconds=ctx.config.export_lifetime_seconds)


@tracer.capture_method
def request_export(ctx: Services, caller: Caller, batch_id: str, request: ExportRequest) -> ExportAccepted:
    """A new export, or the live one of an identical request (same batch, format and options)."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    refusal = export_refusal(batch.status, request.include_failed)
    if refusal:
        raise Conflict(refusal, title="Batch cannot be exported")
    items = export_items(ctx, batch, request.include_failed)
    if not items:
        raise Conflict("No video of this batch has a file to export", title="Batch cannot be exported")
    now = ctx.clock()
    record = BatchExport.create(new_id(), batch.id, caller.user_id, request, now, lifetime(ctx))
    record.runtime = export_runtime(
        request.format,
        sum(x.item.size or 0 for x in items),
        sum(x.item.duration or 0.0 for x in items),
        batch.settings.export_quality.height,
        hls=request.hls,
        limits=RuntimeLimits(budget_seconds=ctx.config.export_lambda_budget_seconds),
    )
    live = ctx.exports.claim(record, now)
    if live.id != record.id:
        return ExportAccepted(export_id=live.id, status=live.status, reused=True)
    try:
        ctx.export_workflow.start(
            record.id, {"batch_id": batch.id, "export_id": record.id, "runtime": record.runtime}
        )
    except Exception as error:
        fail_export(ctx, batch.id, record.id, f"Could not start the export: {error}")
        raise
    logger.info("Export requested", extra={"batch_id": batch.id, "export_id": record.id})
    return ExportAccepted(export_id=record.id, status=record.status)


def fail_export(ctx: Services, batch_id: str, export_id: str, message: str) -> bool:
    """Mark an unfinished export failed; an identical request then starts a new one. Repeatable."""
    record = ctx.exports.get(batch_id, export_id)
    if record is None:
        return False
    changed = ctx.exports.update(
        batch_id,
        export_id,
        ctx.clock(),
        set_fields={
            "status": ExportStatus.FAILED,
            "error_message": message[:1000],
            "current_operation": None,
        },
        only_if=ACTIVE,
    )
    ctx.exports.release(record)
    return changed


def _require_export(
    ctx: Services, caller: Caller, batch_id: str, export_id: str
) -> tuple[BatchJob, BatchExport]:
    """The batch and its export; another user's is NotFound, as a missing one."""
    batch = require_batch(ctx, batch_id, caller.user_id)
    record = ctx.exports.get(batch_id, export_id)
    if record is None or record.user_id != caller.user_id:
        raise NotFound(f"No export with id '{export_id}' exists for this batch", title=EXPORT_NOT_FOUND)
    return batch, record


def download_name(batch: BatchJob, record: BatchExport) -> str:
    extension = FILE_EXTENSIONS.get(record.format) or PurePosixPath(record.s3_key or "x.mp4").suffix[1:]
    return safe_file_name(batch.name, extension, fallback="export")


def _signed_playlist(ctx: Services, record: BatchExport, template_key: str, name: str | None) -> list[Link]:
    """A playlist written now from its template (services/export_runner.py), its entries linked for
    as long as its own link lives: the entries' links, then the written playlist's link (last)."""
    bucket = ctx.config.media_bucket
    base = str(PurePosixPath(template_key).parent)
    links: list[Link] = []

    def sign(uri: str) -> str:
        target = entry_target(uri, base, bucket)
        if target is None:
            return uri  # an export made before playlists were templates: its links are as they were
        links.append(mint_link(ctx, *target, until=record.expires_at))
        return links[-1].url

    body = rewrite_uris(ctx.storage.get_bytes(bucket, template_key).decode("utf-8"), sign)
    stated = earliest(links)
    if stated is not None:
        body = note_expiry(body, stated)
    stamp = int(stated.timestamp()) if stated else 0
    key = f"{base}/links/{stamp}/{PurePosixPath(template_key).name}"
    ctx.storage.put_bytes(bucket, key, body.encode("utf-8"), PLAYLIST_CONTENT_TYPE)
    return [*links, mint_link(ctx, bucket, key, until=record.expires_at, download_name=name)]


def _download_links(
    ctx: Services, batch: BatchJob, record: BatchExport, now: datetime
) -> tuple[Link | None, Link | None, datetime | None]:
    """The download link, the HLS link, and when the first link the answer holds stops working."""
    if record.s3_key is None or record.status is not ExportStatus.COMPLETED or record.is_expired(now):
        return None, None, None
    name = download_name(batch, record)
    if record.format is not BatchExportKind.PLAYLIST:
        link = mint_link(
            ctx, ctx.config.media_bucket, record.s3_key, until=record.expires_at, download_name=name
        )
        return link, None, link.expires_at
    playlist = _signed_playlist(ctx, record, record.s3_key, name)
    hls = _signed_playlist(ctx, record, record.hls_key, None) if record.hls_key else []
    return playlist[-1], (hls[-1] if hls else None), earliest([*playlist, *hls])


@tracer.capture_method
def get_export(ctx: Services, caller: Caller, batch_id: str, export_id: str) -> ExportDetail:
    """Status and progress; download links minted now, while the export lives (a playlist is written
    now, its entries linked as long as it is), and when the first of them stops working."""
    batch, record = _require_export(ctx, caller, batch_id, export_id)
    now = ctx.clock()
    summary = ExportSummary.of(record, now)
    download, hls, links_expire_at = _download_links(ctx, batch, record, now)
    return ExportDetail(
        **summary.model_dump(),
        batch_id=batch_id,
        progress=record.progress,
        current_operation=record.current_operation,
        download_url=download.url if download else None,
        hls_url=hls.url if hls else None,
        links_expire_at=links_expire_at,
        error_message=record.error_message,
    )


@tracer.capture_method
def list_exports(ctx: Services, caller: Caller, batch_id: str) -> ExportHistory:
    require_batch(ctx, batch_id, caller.user_id)
    now = ctx.clock()
    return ExportHistory(
        batch_id=batch_id, exports=[ExportSummary.of(r, now) for r in ctx.exports.of_batch(batch_id)]
    )
