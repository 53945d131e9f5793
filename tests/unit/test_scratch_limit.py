"""A sandbox's size is the length of its files, sampled while an invocation runs: a peak removed before
the end is still the peak."""

import errno
import time
from pathlib import Path

from reelflow.local.sandbox_watch import PeakWatch
from reelflow.local.scratch_limit import MIB, scratch_full, used_bytes


def sparse(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        file.truncate(size)
    return path


def test_used_bytes_counts_every_file_below_the_folder_by_its_length(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"x" * 1000)
    sparse(tmp_path / "batch" / "video" / "source.mp4", 3 * MIB)  # no blocks on disk, counted whole
    assert used_bytes(tmp_path) == 1000 + 3 * MIB
    assert used_bytes(tmp_path / "missing") == 0


def test_the_watch_keeps_a_peak_that_was_removed_before_the_end(tmp_path: Path) -> None:
    with PeakWatch(tmp_path, interval=0.01) as watch:
        part = sparse(tmp_path / "part-1.mp4", 5 * MIB)
        deadline = time.monotonic() + 60  # a sample comes every 0.01 s; the bound is for a busy machine
        while watch.peak < 5 * MIB and time.monotonic() < deadline:
            time.sleep(0.01)
        part.unlink()
    assert watch.peak == 5 * MIB
    assert used_bytes(tmp_path) == 0


def test_what_is_there_on_entry_and_on_exit_is_counted_without_waiting_for_a_sample(tmp_path: Path) -> None:
    sparse(tmp_path / "left-by-the-last-invocation", 2 * MIB)  # a warm sandbox's leftover
    with PeakWatch(tmp_path, interval=3600) as watch:
        assert watch.peak == 2 * MIB
        sparse(tmp_path / "out.mp4", 4 * MIB)
    assert watch.peak == 6 * MIB


def test_a_full_scratch_is_enospc_naming_the_function_and_both_sizes() -> None:
    error = scratch_full("media", 600 * MIB, 512 * MIB)
    assert error.errno == errno.ENOSPC
    assert "No space left on device" in str(error)
    assert "media" in str(error) and "600.0 MiB" in str(error) and "512 MiB" in str(error)
