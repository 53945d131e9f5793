"""How a user's batches are listed: the sort orders, and the page a list request returns.

created_at, priority and status: the stores read a page with a bounded query on the index that already
holds the order (see adapters/batch_store.py). name and progress have no index (a name changes while
pending, progress at every video): the store sorts the user's newest `IN_MEMORY_SORT_LIMIT` batches in
memory, so the order holds across pages for everyone below that many batches. `order_batches` is every
order on a plain list: the in-memory sorts, the fakes, and the tests that check a store against it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from functions.domain.batch_progress import batch_progress_percentage
from functions.domain.enums import BatchStatus
from functions.domain.errors import InvalidRequest
from functions.domain.models import BatchJob

SortField = Literal["created_at", "priority", "status", "name", "progress"]
SortOrder = Literal["asc", "desc"]
IN_MEMORY_SORTS: frozenset[str] = frozenset({"name", "progress"})
IN_MEMORY_SORT_LIMIT = 1000  # batches read for a name or progress sort: a bounded read, never a table scan
# Each sort's direction when `order` is not given (the API's default); the other is its exact reverse.
NATURAL_ORDER: dict[str, SortOrder] = {
    "created_at": "desc",
    "priority": "desc",
    "status": "asc",
    "name": "asc",
    "progress": "desc",
}
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


def _natural(batches: Iterable[BatchJob], sort: SortField) -> list[BatchJob]:
    newest = _newest_first(batches)
    if sort == "priority":
        return sorted(newest, key=lambda b: b.priority, reverse=True)  # stable: keeps newest first
    if sort == "status":
        return sorted(newest, key=lambda b: STATUS_SORT_ORDER.index(b.status))
    if sort == "name":
        return sorted(newest, key=lambda b: b.name.casefold())
    if sort == "progress":
        return sorted(newest, key=batch_progress_percentage, reverse=True)
    return newest


def reversed_order(sort: SortField, order: SortOrder | None) -> bool:
    """Whether `order` asks for the exact reverse of the sort's natural direction."""
    return order is not None and order != NATURAL_ORDER[sort]


def order_batches(
    batches: Iterable[BatchJob], sort: SortField, order: SortOrder | None = None
) -> list[BatchJob]:
    """Natural directions: created_at newest first; priority highest first, newest first within a
    priority; status by status name (cancelled, completed, failed, …), newest first within a status;
    name A to Z (case-insensitive), newest first within a name; progress highest first, newest first
    within. The other `order` is the exact reverse (ties too), as an index read backwards gives."""
    ordered = _natural(batches, sort)
    return ordered[::-1] if reversed_order(sort, order) else ordered


def page_fingerprint(sort: SortField, status: BatchStatus | None, order: SortOrder | None = None) -> str:
    """What a next_token is bound to: a token from another sort, direction or filter is refused."""
    return f"{sort}:{status.value if status else '*'}" + (":rev" if reversed_order(sort, order) else "")
