"""Rules about which videos a batch holds."""

from functions.domain.errors import Conflict, TransactionTooLarge
from functions.domain.models import BatchVideo

# DynamoDB's TransactWriteItems takes at most 100 items. A membership change writes the batch's count
# (its pin) beside the members it touches, so one change touches at most 99 members.
TRANSACTION_ITEMS = 100
MEMBERS_PER_CHANGE = TRANSACTION_ITEMS - 1


def require_transaction_size(items: int) -> None:
    """DynamoDB's own rule, for the stand-ins that must keep it: a TransactWriteItems of more than
    `TRANSACTION_ITEMS` items is refused whole (the DynamoDB adapters map the refusal to the same error)."""
    if items > TRANSACTION_ITEMS:
        raise TransactionTooLarge(items, TRANSACTION_ITEMS)


def require_one_transaction(members_touched: int, action: str) -> None:
    """A remove or a reorder moves members in one transaction (all or nothing): a change that would
    touch more members than one holds is refused, with what the user can do instead."""
    if members_touched > MEMBERS_PER_CHANGE:
        raise Conflict(
            f"This {action} would move {members_touched} videos; one change moves at most "
            f"{MEMBERS_PER_CHANGE}. Move videos nearer the end of the list, or in smaller steps."
        )


def reject_duplicate_members(batch_videos: list[BatchVideo]) -> None:
    video_ids = [bv.video_id for bv in batch_videos]
    if len(set(video_ids)) != len(video_ids):
        raise Conflict("The same video is listed twice; a video can be in a batch only once")
