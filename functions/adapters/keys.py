"""Key layout of the single table (see docs/data-model.md). Every key string is built here."""

from datetime import datetime
from typing import Any

from functions.domain.enums import BatchStatus
from functions.domain.models import BatchJob, BatchVideo
from functions.domain.quotas import limits_for


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


def batch_video_sk(video_id: str) -> str:
    return f"VIDEO#{video_id}"


def position_key(position: int) -> str:
    return f"POS#{position:04d}"


def token_sk(video_id: str) -> str:
    return f"TOKEN#{video_id}"


def rate_sk(window: str) -> str:
    return f"RATE#{window}"


def effective_priority(batch: BatchJob) -> int:
    return batch.priority + limits_for(batch.tier).priority_bonus


def batch_status_keys(batch: BatchJob, status: BatchStatus) -> dict[str, str]:
    """The index keys that move when a batch changes status."""
    return {
        "GSI2PK": f"{user_pk(batch.user_id)}#STATUS#{status.value}",
        "GSI3PK": f"STATUS#{status.value}",
    }


def batch_keys(batch: BatchJob) -> dict[str, Any]:
    created = sortable_time(batch.created_at)
    return {
        "PK": batch_pk(batch.id),
        "SK": BATCH_SK,
        "GSI1PK": user_pk(batch.user_id),
        "GSI1SK": f"BATCH#{created}#{batch.id}",
        "GSI2SK": f"{created}#{batch.id}",
        "GSI3SK": f"{99 - effective_priority(batch):02d}#{created}#{batch.id}",
        **batch_status_keys(batch, batch.status),
    }


def batch_video_keys(batch_video: BatchVideo) -> dict[str, str]:
    return {
        "PK": batch_pk(batch_video.batch_job_id),
        "SK": batch_video_sk(batch_video.video_id),
        "LSI1SK": position_key(batch_video.position),
        "GSI1PK": video_pk(batch_video.video_id),
        "GSI1SK": f"BATCH#{batch_video.batch_job_id}",
    }
