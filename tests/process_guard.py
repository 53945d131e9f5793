"""A pytest plugin: no process a test started outlives the session.

At the end of the session every descendant of the pytest process still running (a `reelflow serve` a
failed test never stopped, an ffmpeg it left) is listed, stopped (SIGTERM, then SIGKILL) and turns the
run into a failure, so a leak is seen at once instead of as a slow machine half an hour later.
"""

import os

import pytest

from reelflow.local.children import child_pids, terminate

LEFT_RUNNING = "processes left running by the tests (now stopped)"
# The CDK's jsii kernel (a node process and the one it starts) lives as long as the Python process.
EXPECTED = ("jsii-runtime.js",)


def descendants(parent: int) -> list[int]:
    """Every process below `parent`, except an expected one and what it started."""
    found, frontier = [], [parent]
    while frontier:
        children = [pid for p in frontier for pid in child_pids(p)]
        children = [pid for pid in children if not any(e in _command(pid) for e in EXPECTED)]
        found += children
        frontier = children
    return found


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()[:160]
    except OSError:
        return "?"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = {pid: _command(pid) for pid in descendants(os.getpid())}
    if not left:
        return
    terminate(list(left))  # all at once: a grandchild whose parent stops first would be lost to init
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"{LEFT_RUNNING}:"] + [f"  {pid} {command}" for pid, command in left.items()]
    if reporter is not None:
        reporter.write_line("\n".join(lines), red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
