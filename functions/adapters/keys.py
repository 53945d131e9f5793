"""Key layout of the single table (see docs/data-model.md). Every key string is built here, and only here."""

import zlib
from datetime import datetime
from typing import Any

from functions.domain.enums import BatchStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.quotas import effective_priority


def sortable_time(moment: datetime) -> str:
    """Fixed-width UTC timestamp: lexical order equals time order (isoformat drops zero microseconds)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def batch_pk(batch_id: str) -> str:
    return f"BATCH#{batch_id}"


def video_pk(video_id: str) -> str:
    return f"VIDEO#{video_id}"


BATCH_SK = "BATCH"
VIDEO_SK = "VIDEO"
PROFILE_SK = "PROFILE"
JOB_SK = "JOB"
CONNECTION_SK = "CONN"
BATCH_PREFIX = "BATCH#"
POSITION_PREFIX = "POS#"
TOKEN_PREFIX = "TOKEN#"
SUBSCRIPTION_PREFIX = "SUB#"


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}


def user_key(user_id: str) -> dict[str, str]:
    return key(user_pk(user_id), PROFILE_SK)


def rate_key(user_id: str, window: str) -> dict[str, str]:
    return key(user_pk(user_id), f"RATE#{window}")


def video_key(video_id: str) -> dict[str, str]:
    return key(video_pk(video_id), VIDEO_SK)


def batch_key(batch_id: str) -> dict[str, str]:
    return key(batch_pk(batch_id), BATCH_SK)


def batch_video_sk(video_id: str) -> str:
    return f"VIDEO#{video_id}"


def batch_video_key(batch_id: str, video_id: str) -> dict[str, str]:
    return key(batch_pk(batch_id), batch_video_sk(video_id))


def position_key(position: int) -> str:
    return f"{POSITION_PREFIX}{position:04d}"


BATCH_HEAD_POSITION = position_key(0)  # on LSI1 a batch item sorts just before its members


def token_key(batch_id: str, video_id: str) -> dict[str, str]:
    return key(batch_pk(batch_id), f"{TOKEN_PREFIX}{video_id}")


def transcription_key(job_name: str) -> dict[str, str]:
    return key(f"TRANSCRIBE#{job_name}", JOB_SK)


def connection_pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def connection_key(connection_id: str) -> dict[str, str]:
    return key(connection_pk(connection_id), CONNECTION_SK)


def batch_topic(batch_id: str) -> str:
    """What a WebSocket connection listens to: one batch, or every batch of one user."""
    return batch_pk(batch_id)


def user_topic(user_id: str) -> str:
    return user_pk(user_id)


def subscription_pk(topic: str) -> str:
    return f"{SUBSCRIPTION_PREFIX}{topic}"


def subscription_keys(connection_id: str, topic: str) -> tuple[dict[str, str], dict[str, str]]:
    """The subscription (topic → connection) and its reverse item (connection → topic)."""
    return (
        key(subscription_pk(topic), connection_pk(connection_id)),
        key(connection_pk(connection_id), subscription_pk(topic)),
    )


def reverse_of_subscription(connection_id: str, reverse_sk: str) -> dict[str, str] | None:
    """The subscription item a connection's reverse item points to (None for the connection item)."""
    if not reverse_sk.startswith(SUBSCRIPTION_PREFIX):
        return None
    return key(reverse_sk, connection_pk(connection_id))


def user_status_pk(user_id: str, status: BatchStatus) -> str:
    return f"{user_pk(user_id)}#STATUS#{status.value}"


# Every write to a batch item also writes its GSI3 entry, so one `STATUS#processing` partition would take a
# write per video event of every running batch. Write sharding spreads each status over a few partitions
# (the shard from the batch id: stable while the batch lives); a read queries every shard and merges.
STATUS_SHARDS = 8


def status_shard(batch_id: str) -> int:
    return zlib.crc32(batch_id.encode()) % STATUS_SHARDS


def status_pk(status: BatchStatus, shard: int) -> str:
    return f"STATUS#{status.value}#{shard}"


def legacy_status_pk(status: BatchStatus) -> str:
    """The unsharded partition of batches written before sharding: read until they have moved on."""
    return f"STATUS#{status.value}"


def status_pks(status: BatchStatus) -> list[str]:
    """Every partition of one status (read them all, merged by the sort key)."""
    return [status_pk(status, shard) for shard in range(STATUS_SHARDS)] + [legacy_status_pk(status)]


def batch_status_keys(batch: BatchJob, status: BatchStatus) -> dict[str, str]:
    """The index keys that move when a batch changes status."""
    return {
        "GSI2PK": user_status_pk(batch.user_id, status),
        "GSI3PK": status_pk(status, status_shard(batch.id)),
    }


def batch_keys(batch: BatchJob) -> dict[str, Any]:
    created = sortable_time(batch.created_at)
    return {
        **batch_key(batch.id),
        "GSI1PK": user_pk(batch.user_id),
        "GSI1SK": f"{BATCH_PREFIX}{created}#{batch.id}",
        "GSI2SK": f"{created}#{batch.id}",
        "GSI3SK": f"{99 - effective_priority(batch):02d}#{created}#{batch.id}",
        "GSI4SK": f"{batch.priority:02d}#{created}#{batch.id}",
        "LSI1SK": BATCH_HEAD_POSITION,
        **batch_status_keys(batch, batch.status),
    }


def user_batches_created_between(since: datetime) -> tuple[str, str]:
    """GSI1SK bounds of a user's batches created at or after `since` (`~` sorts after any time)."""
    return f"{BATCH_PREFIX}{sortable_time(since)}", f"{BATCH_PREFIX}~"


def batch_video_keys(batch_video: BatchVideo) -> dict[str, str]:
    return {
        **batch_video_key(batch_video.batch_job_id, batch_video.video_id),
        "LSI1SK": position_key(batch_video.position),
        "GSI1PK": video_pk(batch_video.video_id),
        "GSI1SK": batch_pk(batch_video.batch_job_id),
    }


def idempotency_pk(operation: str) -> str:
    """Powertools Idempotency records of one operation share this partition; the sort key is the hash."""
    return f"IDEMPOTENCY#{operation}"


SEQUENCE_SK = "SEQ"  # a batch's progress-event counter, in the batch's partition


def sequence_claim_sk(event_id: str) -> str:
    """The claim of one stream record's sequence numbers."""
    return f"{SEQUENCE_SK}#{event_id}"


EXPORT_PREFIX = "EXPORT#"  # a batch's exports, in the batch's partition (deleted with it)
EXPORT_REQUEST_PREFIX = "EXPORTREQ#"  # the cache item: one live export per identical request


def export_key(batch_id: str, export_id: str) -> dict[str, str]:
    return key(batch_pk(batch_id), f"{EXPORT_PREFIX}{export_id}")


def export_request_key(batch_id: str, request_hash: str) -> dict[str, str]:
    return key(batch_pk(batch_id), f"{EXPORT_REQUEST_PREFIX}{request_hash}")


SLOTS_SK = "SLOTS"


def user_slots_key(user_id: str) -> dict[str, str]:
    """The user's running-batch counter and last admission time (the fair queue's per-user state)."""
    return key(user_pk(user_id), SLOTS_SK)


def global_slots_key() -> dict[str, str]:
    """The one item counting running batches across every user (the fair queue's global cap)."""
    return key("SCHEDULER", SLOTS_SK)


def capacity_key() -> dict[str, str]:
    """The config item with the service's global caps (read by every admission)."""
    return key("CONFIG", "CAPACITY")
