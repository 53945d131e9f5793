"""Editing a batch's name and description while it is pending: the use case on fakes and its route."""

import threading
from typing import Any

import pytest
from pydantic import ValidationError

from functions.domain.enums import BatchStatus
from functions.domain.errors import Conflict, NotFound
from functions.domain.schemas import BatchJobCreate, BatchJobEdit
from functions.services import batch_edit, batches
from functions.services.batches import Caller
from tests.fakes.container import FakeServices


def pending_batch(fake: FakeServices, caller: Caller) -> str:
    request = BatchJobCreate(name="Holiday clips", description="first draft", video_count=2)
    return batches.create_batch(fake.ctx, caller, request).batch_job.id


def set_status(fake: FakeServices, batch_id: str, status: BatchStatus) -> None:
    stored = fake.ctx.batches.get(batch_id)
    fake.table.batches[batch_id] = stored.model_copy(update={"status": status})


def test_a_pending_batch_gets_a_new_name_and_keeps_its_description(fake, alice):
    batch_id = pending_batch(fake, alice)
    edited = batch_edit.edit_batch(fake.ctx, alice, batch_id, BatchJobEdit(name="Final cut"))
    assert (edited.name, edited.description) == ("Final cut", "first draft")
    stored = fake.ctx.batches.get(batch_id)
    assert (stored.name, stored.description, stored.status) == (
        "Final cut",
        "first draft",
        BatchStatus.PENDING,
    )
    assert len(edited.videos) == 2


def test_a_null_description_clears_it_and_the_name_stays(fake, alice):
    batch_id = pending_batch(fake, alice)
    edited = batch_edit.edit_batch(
        fake.ctx, alice, batch_id, BatchJobEdit.model_validate({"description": None})
    )
    assert (edited.name, edited.description) == ("Holiday clips", None)


@pytest.mark.parametrize("status", [s for s in BatchStatus if s is not BatchStatus.PENDING])
def test_only_a_pending_batch_can_be_edited(fake, alice, status):
    batch_id = pending_batch(fake, alice)
    set_status(fake, batch_id, status)
    with pytest.raises(Conflict) as refused:
        batch_edit.edit_batch(fake.ctx, alice, batch_id, BatchJobEdit(name="late"))
    assert refused.value.title == batch_edit.NOT_EDITABLE and f"'{status.value}'" in refused.value.detail
    assert fake.ctx.batches.get(batch_id).name == "Holiday clips"


def test_someone_elses_batch_is_not_found(fake, alice):
    batch_id = pending_batch(fake, alice)
    with pytest.raises(NotFound):
        batch_edit.edit_batch(fake.ctx, Caller("mallory", alice.tier), batch_id, BatchJobEdit(name="mine"))
    assert fake.ctx.batches.get(batch_id).name == "Holiday clips"


def test_a_start_between_the_read_and_the_write_makes_the_edit_a_conflict_and_writes_nothing(
    fake, alice, monkeypatch
):
    batch_id = pending_batch(fake, alice)
    conditional = fake.ctx.batches.update_pending

    def started_meanwhile(*args: Any, **kwargs: Any) -> Any:
        set_status(fake, batch_id, BatchStatus.QUEUED)
        return conditional(*args, **kwargs)

    monkeypatch.setattr(fake.ctx.batches, "update_pending", started_meanwhile)
    with pytest.raises(Conflict) as refused:
        batch_edit.edit_batch(fake.ctx, alice, batch_id, BatchJobEdit(name="late"))
    assert "'queued'" in refused.value.detail
    stored = fake.ctx.batches.get(batch_id)
    assert (stored.name, stored.status) == ("Holiday clips", BatchStatus.QUEUED)


def test_concurrent_edits_each_land_whole(fake, alice):
    batch_id = pending_batch(fake, alice)
    edits = [BatchJobEdit(name=f"name {n}", description=f"description {n}") for n in range(8)]
    threads = [
        threading.Thread(target=batch_edit.edit_batch, args=(fake.ctx, alice, batch_id, edit))
        for edit in edits
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = fake.ctx.batches.get(batch_id)
    assert stored.name.removeprefix("name ") == stored.description.removeprefix("description ")


@pytest.mark.parametrize(
    "body",
    [{}, {"name": None}, {"name": ""}, {"name": "x" * 101}, {"description": "x" * 2001}, {"status": "x"}],
)
def test_an_edit_must_change_something_valid(body):
    with pytest.raises(ValidationError):
        BatchJobEdit.model_validate(body)


def test_the_route_edits_refuses_and_hides_with_the_error_shape(fake, alice, call):
    batch_id = pending_batch(fake, alice)
    path = f"/api/batch-jobs/{batch_id}"
    status, edited = call("PATCH", path, {"name": "Renamed", "description": "notes"})
    assert status == 200 and (edited["name"], edited["description"]) == ("Renamed", "notes")
    status, refused = call("PATCH", path, {"name": "Renamed"}, user="mallory")
    assert status == 404 and set(refused) >= {"error", "detail"}
    status, refused = call("PATCH", path, {})
    assert status == 422 and set(refused) >= {"error", "detail"}
    set_status(fake, batch_id, BatchStatus.PROCESSING)
    status, refused = call("PATCH", path, {"name": "Too late"})
    assert (
        status == 409 and refused["error"] == batch_edit.NOT_EDITABLE and "'processing'" in refused["detail"]
    )
    assert fake.ctx.batches.get(batch_id).name == "Renamed"
