"""The layer cache is safe for two builders at once (test workers): the first build to finish is kept
whole, and the later one leaves nothing inside it."""

from pathlib import Path

import pytest

from infra import bundling


def test_a_build_finished_first_elsewhere_is_kept_and_nothing_is_nested_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundling, "CACHE", tmp_path / "layers")
    target = tmp_path / "layers" / "deps-x"

    def build_while_another_finishes(out: Path) -> None:
        (out / "mine.txt").write_text("late")
        target.mkdir()  # the other process's build lands first
        (target / "theirs.txt").write_text("first")

    assert bundling._cached("deps-x", build_while_another_finishes) == target
    assert sorted(p.name for p in target.iterdir()) == ["theirs.txt"]
    assert [p.name for p in (tmp_path / "layers").iterdir()] == ["deps-x"]  # no staging left behind


def test_a_build_is_made_once_and_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundling, "CACHE", tmp_path / "layers")
    builds: list[Path] = []

    def build(out: Path) -> None:
        builds.append(out)
        (out / "file").write_text("x")

    first = bundling._cached("k", build)
    assert bundling._cached("k", build) == first and len(builds) == 1
    assert (first / "file").read_text() == "x"
