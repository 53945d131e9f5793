"""Random journeys through the API on the real store (DynamoDB in moto, S3, the local pipeline): add,
remove, reorder, rename, upload, start and cancel in any order. After every step, every batch of the
user reads back, lists under every filter and validates against the API's own response models."""

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from functions.domain.enums import BatchStatus
from functions.domain.schemas import BatchJobDetail, BatchJobList
from tests.helpers import api

OPEN = {"pending", "uploading"}  # the video statuses that may still be removed or moved


class BatchJourneys(RuleBasedStateMachine):
    clip: bytes = b""

    def __init__(self) -> None:
        super().__init__()
        self.user = f"states-{uuid.uuid4().hex[:10]}"
        self.order: dict[str, list[str]] = {}  # what each pending batch's order must be
        self.uploads: dict[str, dict[str, Any]] = {}  # the latest target of each slot, by video id
        self.names: dict[str, str] = {}  # each batch's name as last set

    def call(self, method: str, path: str, body: Any = None, query: str = "") -> tuple[int, Any]:
        status, reply = api(method, path, body, user=self.user, query=query)
        assert status != 500, f"{method} {path}: {reply}"
        return status, reply

    def new_files(self, count: int) -> list[dict[str, Any]]:
        return [{"name": f"clip {uuid.uuid4().hex[:6]}.mp4", "size": len(self.clip)} for _ in range(count)]

    def pending(self) -> list[str]:
        return [batch_id for batch_id, order in self.order.items() if order is not None]

    def detail(self, batch_id: str) -> BatchJobDetail:
        status, reply = self.call("GET", f"/api/batch-jobs/{batch_id}")
        assert status == 200, reply
        return BatchJobDetail.model_validate(reply)

    @initialize(count=st.integers(1, 3))
    def create(self, count: int) -> None:
        status, created = self.call(
            "POST", "/api/batch-jobs", {"name": "journey", "files": self.new_files(count)}
        )
        assert status == 201, created
        self.order[created["batch_job"]["id"]] = [u["video_id"] for u in created["uploads"]]
        self.names[created["batch_job"]["id"]] = "journey"
        self.uploads.update({u["video_id"]: u for u in created["uploads"]})

    @rule(count=st.integers(1, 2))
    def create_another(self, count: int) -> None:
        if len(self.order) < 3:
            self.create(count)

    @precondition(lambda self: self.pending())
    @rule(data=st.data(), count=st.integers(1, 2))
    def add(self, data: st.DataObject, count: int) -> None:
        batch_id = data.draw(st.sampled_from(self.pending()))
        status, added = self.call(
            "POST", f"/api/batch-jobs/{batch_id}/videos", {"files": self.new_files(count)}
        )
        assert status == 200, added
        self.order[batch_id] += [u["video_id"] for u in added["uploads"]]
        self.uploads.update({u["video_id"]: u for u in added["uploads"]})

    @precondition(lambda self: any(self.order[b] for b in self.pending()))
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from([b for b in self.pending() if self.order[b]]))
        video_id = data.draw(st.sampled_from(self.order[batch_id]))
        status, after = self.call("DELETE", f"/api/batch-jobs/{batch_id}/videos/{video_id}")
        assert status == 200, after
        self.order[batch_id].remove(video_id)

    @precondition(lambda self: any(len(self.order[b]) > 1 for b in self.pending()))
    @rule(data=st.data())
    def reorder(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from([b for b in self.pending() if len(self.order[b]) > 1]))
        new_order = data.draw(st.permutations(self.order[batch_id]))
        status, moved = self.call(
            "PATCH", f"/api/batch-jobs/{batch_id}/videos", {"video_ids": list(new_order)}
        )
        assert status == 200, moved
        self.order[batch_id] = list(new_order)

    @rule(
        data=st.data(),
        name=st.text("abcXYZ019éΩ-", min_size=1, max_size=20),
    )
    def rename(self, data: st.DataObject, name: str) -> None:
        batch_id = data.draw(st.sampled_from(sorted(self.order)))
        status, reply = self.call("PATCH", f"/api/batch-jobs/{batch_id}", {"name": name})
        if self.order[batch_id] is not None:  # still pending: nothing in the journey starts it meanwhile
            assert status == 200 and reply["name"] == name, reply
            self.names[batch_id] = name
        else:
            assert status == 409 and set(reply) >= {"error", "detail"}, reply

    @precondition(lambda self: any(self.order[b] for b in self.pending()))
    @rule(data=st.data())
    def upload(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from([b for b in self.pending() if self.order[b]]))
        target = self.uploads[data.draw(st.sampled_from(self.order[batch_id]))]
        sent = requests.put(target["url"], data=self.clip, headers=target["headers"], timeout=60)
        assert sent.status_code == 200, sent.text

    @precondition(lambda self: self.pending())
    @rule(data=st.data())
    def start(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from(self.pending()))
        before = self.detail(batch_id)
        ready = before.videos and all(v.upload_status == "uploaded" for v in before.videos)
        status, reply = self.call("POST", f"/api/batch-jobs/{batch_id}/start")
        assert status == 200 if ready else status in {400, 409}, reply
        if status == 200:
            self.order[batch_id] = None  # type: ignore[assignment]  # no longer pending: its order is fixed

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from(sorted(self.order)))
        before = self.detail(batch_id).status
        status, reply = self.call("POST", f"/api/batch-jobs/{batch_id}/cancel")
        if before.is_terminal:
            assert status == 400, reply
        else:
            assert status in {200, 400}, reply  # it may have finished meanwhile
        if status == 200:
            self.order[batch_id] = None  # type: ignore[assignment]

    @invariant()
    def every_batch_reads_back_and_lists(self) -> None:
        listed: dict[str, set[str]] = {}
        for status in [None, *BatchStatus]:
            query = "limit=100" + (f"&status={status.value}" if status else "")
            code, reply = self.call("GET", "/api/batch-jobs", query=query)
            assert code == 200, reply
            page = BatchJobList.model_validate(reply)
            listed[status.value if status else "all"] = {b.id for b in page.batch_jobs}
        assert listed["all"] == set(self.order)
        for batch_id, order in self.order.items():
            batch = self.detail(batch_id)
            assert batch_id in listed[batch.status.value] or batch.status is not self.detail(batch_id).status
            assert batch.total_videos == len(batch.videos)
            assert [v.position for v in batch.videos] == list(range(1, len(batch.videos) + 1))
            assert batch.total_duration_seconds >= 0
            assert batch.name == self.names[batch_id]
            if order is not None and batch.status is BatchStatus.PENDING:
                assert [v.video_id for v in batch.videos] == order

    def teardown(self) -> None:
        for batch_id in self.order:  # nothing keeps running for the next test
            api("POST", f"/api/batch-jobs/{batch_id}/cancel", user=self.user)


@pytest.mark.timeout(900)
def test_random_journeys_keep_every_batch_readable(ctx: Any, clips: dict[str, Path]) -> None:
    BatchJourneys.clip = clips[".mp4"].read_bytes()
    run_state_machine_as_test(
        BatchJourneys,
        settings=settings(
            max_examples=6,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
