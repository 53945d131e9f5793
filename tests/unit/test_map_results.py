"""A Map's results are used only when they are exactly the planned pieces, each once."""

from functions.domain.map_results import each_planned_once


def _index(piece: tuple[int, str]) -> int:
    return piece[0]


def test_every_planned_piece_once_in_any_order_is_keyed_by_the_plan() -> None:
    assert each_planned_once([(1, "b"), (0, "a")], _index, range(2)) == {0: (0, "a"), 1: (1, "b")}
    assert each_planned_once([], _index, []) == {}


def test_a_missing_a_doubled_or_an_unplanned_piece_is_refused() -> None:
    assert each_planned_once([(0, "a")], _index, range(2)) is None
    assert each_planned_once([(0, "a"), (0, "a"), (1, "b")], _index, range(2)) is None
    assert each_planned_once([(0, "a"), (1, "b"), (2, "c")], _index, range(2)) is None
