"""Running slots: the counters the fair queue's caps are checked against (see scheduling.py).

A batch holds one slot of its user and one of the whole service, plus its videos in flight
(`scheduling.batch_videos`) of the service's videos cap, exactly while it is `processing`. The
counters move in the same DynamoDB transaction as the status change that takes or frees the slot, so
they stay exact; a change that takes a slot is conditioned on the counters being below the limits
given (`SlotLimits`), so concurrent admissions never exceed a cap.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from functions.domain.enums import BatchStatus
from functions.domain.errors import DomainError
from functions.domain.scheduling import holds_slot


@dataclass(frozen=True)
class SlotLimits:
    """The caps a slot-taking transition is conditioned on: the user's plan, the global running batches and
    the global videos in flight (None: videos are counted but not capped)."""

    user_limit: int
    global_cap: int
    videos_cap: int | None = None


@dataclass(frozen=True)
class SlotCounts:
    """The running counters and who was admitted when (what the scheduler's snapshot needs)."""

    running_by_user: Mapping[str, int] = field(default_factory=dict)
    last_admitted_at: Mapping[str, datetime] = field(default_factory=dict)
    global_running: int = 0
    global_videos: int = 0


class NoRunningSlot(DomainError):
    """The user's plan or the global cap had no room: nothing was written."""

    title = "No running slot"
    http_status = 409


def slot_sources(sources: frozenset[BatchStatus], target: BatchStatus) -> dict[int, frozenset[BatchStatus]]:
    """The sources of a transition grouped by how the change moves the counters (+1, 0, -1).

    A transition like `fail` (queued, processing or paused → failed) frees a slot only when it leaves
    `processing`: the store writes each group as its own conditional transaction.
    """
    groups: dict[int, set[BatchStatus]] = {}
    for source in sources:
        delta = int(holds_slot(target)) - int(holds_slot(source))
        groups.setdefault(delta, set()).add(source)
    return {delta: frozenset(group) for delta, group in groups.items()}
