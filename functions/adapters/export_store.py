"""Batch exports (`BatchExport` records) in the batch's partition, so deleting the partition deletes them.

Beside each record, a cache item keyed by the request's hash points at the live export of that request:
it is written with a conditional put in the same transaction as the record, so two identical requests
at the same moment create one export and the second gets the first one's id."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from functions.adapters.dynamo_codec import item_to_model, model_to_attributes
from functions.adapters.dynamo_table import (
    ConditionFailed,
    DynamoTable,
    Update,
    exists,
    is_condition_failure,
    transaction_item,
)
from functions.adapters.keys import EXPORT_PREFIX, batch_pk, export_key, export_request_key
from functions.domain.exports import BatchExport, ExportStatus

CLAIM_ATTEMPTS = 3


class DynamoExportStore(DynamoTable):
    def _record_item(self, record: BatchExport) -> dict[str, Any]:
        return {
            **export_key(record.batch_job_id, record.id),
            "type": "batch_export",
            "expires_at_epoch": record.ttl,  # the table's TTL attribute
            **model_to_attributes(record),
        }

    def claim(self, record: BatchExport, now: datetime) -> BatchExport:
        """Store `record` unless an identical request has a live export: then that export."""
        cache_key = export_request_key(record.batch_job_id, record.request_hash)
        free = Attr("PK").not_exists() | Attr("expires_at_epoch").lte(int(now.timestamp()))
        new = Attr("PK").not_exists()
        for _ in range(CLAIM_ATTEMPTS):
            cache_item = {
                **cache_key,
                "type": "batch_export_request",
                "export_id": record.id,
                "expires_at_epoch": record.ttl,
            }
            if self.transact(
                [
                    {"Put": transaction_item(self.table_name, free, Item=cache_item)},
                    {"Put": transaction_item(self.table_name, new, Item=self._record_item(record))},
                ]
            ):
                return record
            cached = self.get_item(cache_key)
            if cached is None:
                continue
            existing = self.get(record.batch_job_id, str(cached["export_id"]))
            if existing is not None and existing.reusable(now):
                return existing
            self._forget(record.batch_job_id, record.request_hash, str(cached["export_id"]))
        raise RuntimeError(f"could not claim export {record.id}: the request cache kept changing")

    def _forget(self, batch_id: str, request_hash: str, export_id: str) -> None:
        try:
            self.table.delete_item(
                Key=export_request_key(batch_id, request_hash),
                ConditionExpression=Attr("export_id").eq(export_id),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise  # else someone replaced it already

    def release(self, record: BatchExport) -> None:
        """A failed export no longer answers identical requests."""
        self._forget(record.batch_job_id, record.request_hash, record.id)

    def get(self, batch_id: str, export_id: str) -> BatchExport | None:
        item = self.get_item(export_key(batch_id, export_id))
        return item_to_model(item, BatchExport) if item else None

    def of_batch(self, batch_id: str) -> list[BatchExport]:
        items = self.query(
            KeyConditionExpression=Key("PK").eq(batch_pk(batch_id)) & Key("SK").begins_with(EXPORT_PREFIX)
        )
        found = [item_to_model(item, BatchExport) for item in items]
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
        """Set fields while the export is in one of `only_if`; False (nothing written) otherwise."""
        condition = exists() & Attr("status").is_in(sorted(s.value for s in only_if))
        try:
            self.update_item(
                export_key(batch_id, export_id), Update(set={**set_fields, "updated_at": now}), condition
            )
        except ConditionFailed:
            return False
        return True
