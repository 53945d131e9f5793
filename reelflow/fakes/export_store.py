"""In-memory `ExportStore`: the same rules as adapters/export_store.py (one live export per request)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from functions.domain.exports import BatchExport, ExportStatus
from reelflow.fakes.stores import Table


class FakeExportStore:
    def __init__(self, table: Table) -> None:
        self.t = table
        self.records: dict[tuple[str, str], BatchExport] = {}
        self.requests: dict[tuple[str, str], tuple[str, int]] = {}  # (batch, hash) → (export id, ttl)

    def claim(self, record: BatchExport, now: datetime) -> BatchExport:
        with self.t.lock:
            cached = self.requests.get((record.batch_job_id, record.request_hash))
            if cached is not None and cached[1] > int(now.timestamp()):
                existing = self.records.get((record.batch_job_id, cached[0]))
                if existing is not None and existing.reusable(now):
                    return existing.model_copy()
            self.requests[(record.batch_job_id, record.request_hash)] = (record.id, record.ttl)
            self.records[(record.batch_job_id, record.id)] = record.model_copy()
            return record

    def release(self, record: BatchExport) -> None:
        with self.t.lock:
            key = (record.batch_job_id, record.request_hash)
            if self.requests.get(key, ("", 0))[0] == record.id:
                del self.requests[key]

    def get(self, batch_id: str, export_id: str) -> BatchExport | None:
        with self.t.lock:
            found = self.records.get((batch_id, export_id))
            return found.model_copy() if found else None

    def of_batch(self, batch_id: str) -> list[BatchExport]:
        with self.t.lock:
            found = [r.model_copy() for (b, _), r in self.records.items() if b == batch_id]
        return sorted(found, key=lambda e: e.created_at, reverse=True)

    def update(
        self,
        batch_id: str,
        export_id: str,
        now: datetime,
        *,
        set_fields: Mapping[str, Any],
        only_if: Iterable[ExportStatus],
    ) -> bool:
        with self.t.lock:
            found = self.records.get((batch_id, export_id))
            if found is None or found.status not in set(only_if):
                return False
            self.records[(batch_id, export_id)] = found.model_validate(
                {**found.model_dump(), **set_fields, "updated_at": now}
            )
            return True
