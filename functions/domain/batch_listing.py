"""How a user's batches are listed: the sort orders, and the page a list request returns.

The stores read a page with a bounded query on the index that already holds the order (see
adapters/batch_store.py); `order_batches` is the same order on a plain list, for the in-memory fakes and
for tests that check a store against it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from functions.domain.enums import BatchStatus
from functions.domain.errors import InvalidRequest
from functions.domain.models import BatchJob

SortField = Literal["created_at", "priority", "status"]
STATUS_SORT_ORDER: tuple[BatchStatus, ...] = tuple(sorted(BatchStatus, key=lambda status: status.value))


@dataclass(frozen=True)
class BatchPage:
    """One page of a user's batches; `next_token` resumes right after its last batch (None: no more)."""

    items: list[BatchJob]
    next_token: str | None


class InvalidPageToken(InvalidRequest):
    title = "Invalid next_token"

    def __init__(self) -> None:
        super().__init__(
            "next_token is not one this list returned for the same sort and status; start again without it"
        )


def _newest_first(batches: Iterable[BatchJob]) -> list[BatchJob]:
    return sorted(batches, key=lambda b: (b.created_at, b.id), reverse=True)


def order_batches(batches: Iterable[BatchJob], sort: SortField) -> list[BatchJob]:
    """created_at: newest first; priority: highest first, newest first within a priority; status: by
    status name (cancelled, completed, failed, …), newest first within a status."""
    newest = _newest_first(batches)
    if sort == "priority":
        return sorted(newest, key=lambda b: b.priority, reverse=True)  # stable: keeps newest first
    if sort == "status":
        return sorted(newest, key=lambda b: STATUS_SORT_ORDER.index(b.status))
    return newest


def page_fingerprint(sort: SortField, status: BatchStatus | None) -> str:
    """What a next_token is bound to: a token from another sort or filter is refused."""
    return f"{sort}:{status.value if status else '*'}"
