"""A function's /tmp holds no more than its ephemeral storage, as on AWS.

On Lambda a write past the function's ephemeral storage (512 to 10,240 MiB) fails with ENOSPC, and so
does the invocation; locally the sandbox is a folder on the machine's disk, which a misrouted video, or
files left behind by each warm invocation, would fill without a sign. `PeakWatch` (sandbox_watch.py)
samples the sandbox's size while an invocation runs and once more when it ends; an invocation whose
sandbox held more than its function's storage fails with ENOSPC when it returns. A peak shorter than the
sampling interval can slip between two samples, and the failure comes at the end, not at the write: both
are written down in docs/local-mode.md. A file counts its length (a sparse file counts whole: stricter
than a disk).
"""

import errno
import os
from contextlib import suppress
from pathlib import Path

MIB = 1024 * 1024


def used_bytes(folder: Path) -> int:
    """The bytes of the files under `folder` (one removed while it is read counts nothing)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def scratch_full(function: str, peak: int, limit: int) -> OSError:
    """What the invocation fails with: the error a write past a full /tmp raises."""
    return OSError(
        errno.ENOSPC,
        f"No space left on device: {function}'s /tmp held {peak / MIB:.1f} MiB, past its ephemeral "
        f"storage of {limit / MIB:.0f} MiB",
    )
