"""Export use cases on in-memory fakes: who may export what, the cache of identical requests, the
record's lifetime, failures releasing the cache, and a ZIP run end to end on the fake object store."""

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from functions.domain.enums import BatchStatus, ExportStatus, Tier, VideoStatus
from functions.domain.errors import Conflict, NotFound
from functions.domain.exports import ExportRequest
from functions.domain.schemas import BatchJobCreate
from functions.media.playlist import PlaylistEntry, extended_m3u, object_uri
from functions.services import exports
from functions.services.batches import Caller, create_batch
from functions.services.export_runner import ProgressWriter, run_export
from tests.fakes.container import FakeServices

ALICE = Caller("alice", Tier.CREATOR)


def finished_batch(fake: FakeServices, status: BatchStatus = BatchStatus.COMPLETED, failed: int = 0) -> str:
    """A batch of three videos whose outputs exist; the last `failed` of them failed (upload kept)."""
    created = create_batch(fake.ctx, ALICE, BatchJobCreate(name="Trip", video_count=3))
    batch_id = created.batch_job.id
    t = fake.table
    t.batches[batch_id] = t.batches[batch_id].model_copy(update={"status": status})
    for upload in created.uploads:
        member = t.members[(batch_id, upload.video_id)]
        video = t.videos[upload.video_id]
        fake.storage.put_bytes(
            fake.ctx.config.ingest_bucket, video.s3_key, f"original {upload.position}".encode()
        )
        if upload.position > 3 - failed:
            update: dict[str, object] = {"status": VideoStatus.FAILED, "error_message": "not a video"}
        else:
            key = f"outputs/{batch_id}/{upload.position:03d}_video.mp4"
            fake.storage.put_bytes(fake.ctx.config.media_bucket, key, f"output {upload.position}".encode())
            update = {"status": VideoStatus.COMPLETED, "output_key": key, "duration": 2.0}
        t.members[(batch_id, upload.video_id)] = member.model_copy(
            update={**update, "original_name": f"clip {upload.position}.mp4"}
        )
    return batch_id


def test_an_export_is_recorded_started_and_expires_after_its_lifetime(fake):
    batch_id = finished_batch(fake)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip"))
    assert accepted.status is ExportStatus.PENDING and not accepted.reused
    record = fake.ctx.exports.get(batch_id, accepted.export_id)
    assert record is not None and record.runtime == "lambda"
    assert (record.expires_at - record.created_at).total_seconds() == 24 * 3600
    assert record.ttl == int(record.expires_at.timestamp())
    (name,) = fake.export_workflow.executions
    assert name == accepted.export_id
    assert fake.export_workflow.executions[name] == {
        "batch_id": batch_id,
        "export_id": accepted.export_id,
        "runtime": "lambda",
    }
    fake.clock.advance(24 * 3600)
    listed = exports.list_exports(fake.ctx, ALICE, batch_id).exports
    assert [e.expired for e in listed] == [True]


def test_an_identical_request_reuses_the_export_until_it_fails_or_expires(fake):
    batch_id = finished_batch(fake)
    request = ExportRequest(format="zip", custom_naming="{position}-{name}")
    first = exports.request_export(fake.ctx, ALICE, batch_id, request)
    again = exports.request_export(
        fake.ctx, ALICE, batch_id, ExportRequest(format="zip", custom_naming="{position}-{name}.{ext}")
    )
    assert again.export_id == first.export_id and again.reused
    assert (
        exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="merged")).export_id
        != first.export_id
    )
    assert exports.fail_export(fake.ctx, batch_id, first.export_id, "boom")
    assert not exports.fail_export(fake.ctx, batch_id, first.export_id, "boom")  # repeatable, no change
    retried = exports.request_export(fake.ctx, ALICE, batch_id, request)
    assert retried.export_id != first.export_id
    fake.clock.advance(24 * 3600 + 1)
    assert exports.request_export(fake.ctx, ALICE, batch_id, request).export_id != retried.export_id


@pytest.mark.parametrize(
    ("status", "include_failed", "fragment"),
    [
        (BatchStatus.PROCESSING, False, "Batch is processing"),
        (BatchStatus.PROCESSING, True, "once it has finished"),
        (BatchStatus.PENDING, False, "Batch is pending"),
        (BatchStatus.FAILED, False, "set include_failed"),
        (BatchStatus.CANCELLED, False, "set include_failed"),
    ],
)
def test_unfinished_batches_and_unfinished_without_include_failed_are_refused(
    fake, status, include_failed, fragment
):
    batch_id = finished_batch(fake, status)
    with pytest.raises(Conflict, match=fragment):
        exports.request_export(
            fake.ctx, ALICE, batch_id, ExportRequest(format="zip", include_failed=include_failed)
        )


def test_include_failed_allows_a_failed_batch_and_adds_its_originals(fake):
    batch_id = finished_batch(fake, BatchStatus.FAILED, failed=3)
    with pytest.raises(Conflict, match="set include_failed"):
        exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip"))
    accepted = exports.request_export(
        fake.ctx, ALICE, batch_id, ExportRequest(format="zip", include_failed=True)
    )
    done = run_export(fake.ctx, batch_id, accepted.export_id)
    with zipfile.ZipFile(fake.storage.root / fake.ctx.config.media_bucket / done.s3_key) as archive:
        assert archive.namelist() == ["001_clip 1.mp4", "002_clip 2.mp4", "003_clip 3.mp4", "results.json"]
        assert archive.read("002_clip 2.mp4") == b"original 2"


def test_another_users_export_is_not_found(fake):
    batch_id = finished_batch(fake)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip"))
    with pytest.raises(NotFound):
        exports.get_export(fake.ctx, Caller("bob", Tier.CREATOR), batch_id, accepted.export_id)
    with pytest.raises(NotFound, match="No export"):
        exports.get_export(fake.ctx, ALICE, batch_id, "missing")


def test_a_zip_run_completes_the_record_and_a_fresh_url_is_minted_each_time(fake):
    batch_id = finished_batch(fake, failed=1)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip"))
    pending = exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id)
    assert pending.download_url is None and pending.progress == 0
    done = run_export(fake.ctx, batch_id, accepted.export_id)
    assert done.status is ExportStatus.COMPLETED and done.progress == 100 and done.current_operation is None
    assert done.s3_key == f"exports/{batch_id}/{done.id}/Trip.zip"
    assert run_export(fake.ctx, batch_id, accepted.export_id) == done  # a redelivered task changes nothing
    view = exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id)
    assert view.download_url and view.file_size == done.file_size
    with zipfile.ZipFile(view.download_url) as archive:
        assert archive.namelist() == ["001_clip 1.mp4", "002_clip 2.mp4", "results.json"]
        assert json.loads(archive.read("results.json"))["batch_name"] == "Trip"
    assert not list((fake.storage.root.parent / "work").glob("export-*"))  # temporary files removed
    fake.clock.advance(24 * 3600)
    assert exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id).download_url is None


def test_a_failed_run_marks_the_record_and_releases_the_cache(fake):
    batch_id = finished_batch(fake)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip"))
    member = next(iter(fake.table.members.values()))
    (fake.storage.root / fake.ctx.config.media_bucket / member.output_key).unlink()
    with pytest.raises(FileNotFoundError):
        run_export(fake.ctx, batch_id, accepted.export_id)
    record = fake.ctx.exports.get(batch_id, accepted.export_id)
    assert record.status is ExportStatus.FAILED and "FileNotFoundError" in record.error_message
    assert (
        exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip")).export_id != record.id
    )


def test_progress_writes_are_throttled(fake, monkeypatch):
    batch_id = finished_batch(fake)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip"))
    fake.ctx.exports.update(
        batch_id,
        accepted.export_id,
        fake.clock(),
        set_fields={"status": ExportStatus.PROCESSING},
        only_if=[ExportStatus.PENDING],
    )
    writer = ProgressWriter(fake.ctx, fake.ctx.exports.get(batch_id, accepted.export_id), interval=3600)
    writer(10, "adding video 1/3")
    writer(50, "adding video 2/3")  # within the interval: not written
    record = fake.ctx.exports.get(batch_id, accepted.export_id)
    assert (record.progress, record.current_operation) == (10, "adding video 1/3")


def test_identical_requests_at_the_same_moment_create_one_export(fake):
    from concurrent.futures import ThreadPoolExecutor

    batch_id = finished_batch(fake)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda _: exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="playlist")),
                range(8),
            )
        )
    assert len({a.export_id for a in answers}) == 1
    assert sum(not a.reused for a in answers) == 1
    assert len(fake.export_workflow.executions) == 1 and len(fake.ctx.exports.of_batch(batch_id)) == 1


def completed(fake: FakeServices, batch_id: str, export_id: str, **fields: object) -> None:
    fake.ctx.exports.update(
        batch_id,
        export_id,
        fake.clock(),
        set_fields={"status": ExportStatus.COMPLETED, "progress": 100, **fields},
        only_if=exports.ACTIVE,
    )


def test_a_download_link_states_its_own_expiry_cut_to_the_export_and_the_signer(fake):
    batch_id = finished_batch(fake)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="zip"))
    assert exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id).links_expire_at is None
    run_export(fake.ctx, batch_id, accepted.export_id)
    view = exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id)
    hour = timedelta(seconds=fake.ctx.config.download_url_expiry_seconds)
    assert view.links_expire_at == fake.clock() + hour < view.expires_at
    fake.clock.advance(24 * 3600 - 600)  # ten minutes left: the link ends with the export
    view = exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id)
    assert view.links_expire_at == view.expires_at
    fake.storage.credentials_expire = fake.clock() + timedelta(minutes=5)  # a session about to end
    view = exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id)
    assert view.links_expire_at == fake.clock() + timedelta(minutes=4)


def test_a_playlist_is_written_when_downloaded_with_entries_that_live_as_long_as_its_link(fake):
    batch_id = finished_batch(fake)
    accepted = exports.request_export(fake.ctx, ALICE, batch_id, ExportRequest(format="playlist"))
    media = fake.ctx.config.media_bucket
    outputs = sorted(k for k in fake.storage.keys(media) if k.startswith("outputs/"))
    template_key = f"exports/{batch_id}/{accepted.export_id}/Trip.m3u8"
    entries = [PlaylistEntry(object_uri(media, key), f"clip {i}", 2.0) for i, key in enumerate(outputs, 1)]
    fake.storage.put_bytes(media, template_key, extended_m3u(entries, "Trip").encode())
    completed(fake, batch_id, accepted.export_id, s3_key=template_key, file_size=10)
    view = exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id)
    assert view.links_expire_at == fake.clock() + timedelta(hours=1)
    text = Path(view.download_url or "").read_text()
    lines = text.splitlines()
    assert lines[:3] == [
        "#EXTM3U",
        f"# reelflow: links valid until {view.links_expire_at.isoformat().replace('+00:00', 'Z')}",
        "#PLAYLIST:Trip",
    ]
    linked = [line for line in lines if not line.startswith("#")]
    assert linked == [str(fake.storage.root / media / key) for key in outputs]
    # The stored template is unchanged (object references); the signed copy is a new object.
    assert "s3://" in fake.storage.get_bytes(media, template_key).decode()
    fake.clock.advance(1800)
    again = exports.get_export(fake.ctx, ALICE, batch_id, accepted.export_id)
    assert (
        again.links_expire_at == fake.clock() + timedelta(hours=1) and again.download_url != view.download_url
    )
