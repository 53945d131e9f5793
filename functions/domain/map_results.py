"""What a state machine Map returned, checked against the plan that made its items."""

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def each_planned_once(
    returned: Sequence[T], key: Callable[[T], K], planned: Iterable[K]
) -> dict[K, T] | None:
    """The Map's results by their plan key, or None unless it returned every planned piece exactly once
    and nothing else (a piece that failed without failing the Map, or one answered twice)."""
    by_key = {key(piece): piece for piece in returned}
    return by_key if set(by_key) == set(planned) and len(returned) == len(by_key) else None
