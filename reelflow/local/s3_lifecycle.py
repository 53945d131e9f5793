"""S3 lifecycle expiration in local mode: objects and incomplete multipart uploads go when their bucket's
rules say, as S3 deletes them.

moto records a bucket's lifecycle configuration and never acts on it, so a long-running `reelflow serve`
kept every export (a ZIP or merged video each), every split render's work files and every abandoned
upload's parts in its data folder forever, where on AWS they go after one, two and one day
(`functions/deployment.py`: `MEDIA_EXPIRIES`, `ABORT_UPLOADS`). As S3 reckons: an object's expiry is its
creation time plus the rule's days, rounded up to the next midnight UTC; an upload's is its initiation
plus the days. Only enabled rules with a prefix filter (or none) are applied, the only kind the deployment
makes; deletions go through the bucket as any delete does (the data folder follows).
"""

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.s3.models import S3Backend

from reelflow.local.patches.multipart_initiated import initiated_of


def next_midnight(moment: datetime) -> datetime:
    """`moment` rounded up to a midnight UTC (a moment at midnight stays)."""
    midnight = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # moto's times are naive UTC


def _prefix(rule: Any) -> str:
    if rule.filter is not None and rule.filter.prefix is not None:
        return str(rule.filter.prefix)
    return str(rule.prefix or "")


def expire(backend: S3Backend, now: datetime, buckets: Collection[str] | None = None) -> int:
    """One pass over every bucket's enabled rules (the buckets named in `buckets`, if given): deletes what
    has expired; how many objects and uploads it removed."""
    removed = 0
    for bucket in [b for b in list(backend.buckets.values()) if buckets is None or b.name in buckets]:
        for rule in [r for r in bucket.rules if r.status == "Enabled"]:
            prefix = _prefix(rule)
            if rule.expiration_days:
                days = timedelta(days=int(rule.expiration_days))
                gone = [
                    name
                    for name, key in list(bucket.keys.items())
                    if name.startswith(prefix) and next_midnight(_aware(key.last_modified) + days) <= now
                ]
                for name in gone:
                    backend.delete_object(bucket.name, name)
                removed += len(gone)
            if rule.aimu_days:
                days = timedelta(days=int(rule.aimu_days))
                stale = [
                    upload_id
                    for upload_id, upload in list(bucket.multiparts.items())
                    if upload.key_name.startswith(prefix) and initiated_of(upload) + days <= now
                ]
                for upload_id in stale:
                    backend.abort_multipart_upload(bucket.name, upload_id)
                removed += len(stale)
    return removed
