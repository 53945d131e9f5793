"""A pytest plugin: no Fargate task or worker heartbeat a test started outlives that test.

Local mode runs each worker task (reelflow/local/fargate.py) and its heartbeat on threads. One that
outlives its test goes on calling the embedded AWS while later tests run: under the unit tests' socket
block it raised `NetworkBlocked` in the middle of unrelated tests. After each test's teardown, the task
and heartbeat threads it started are given a generous bound to end (a timed-out task's worker runs on
until its work ends, as a container does); one still running then fails the test, with its stack.
"""

import sys
import threading
import traceback
from collections.abc import Generator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE_PACKAGES = Path(pytest.__file__).parent.parent
PRODUCT_CODE = (str(ROOT / "functions"), str(ROOT / "reelflow"), str(SITE_PACKAGES / "moto"))
# local mode's Thread.start hook (access_control.inheriting_identity) wraps every thread a function
# starts, a library's idle monitor thread too: that frame alone does not make a thread the product's
_IDENTITY_WRAPPER = "run_as"
BOUND_SECONDS = 180.0  # a busy machine is slow; the bound only matters for a thread that never ends
_before = pytest.StashKey[set[threading.Thread]]()


def _stack(thread: threading.Thread) -> str:
    frame = sys._current_frames().get(thread.ident or -1)
    return "".join(traceback.format_stack(frame)) if frame is not None else "(no stack)"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_before] = set(threading.enumerate())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield
    # imported here: the worker module's logger reads its level from the environment local mode sets
    from functions.handlers.worker import HEARTBEAT_THREAD
    from reelflow.local.fargate import WORKER_THREAD

    before = item.stash.get(_before, set())
    started = [
        t for t in threading.enumerate() if t not in before and t.name in {WORKER_THREAD, HEARTBEAT_THREAD}
    ]
    for thread in started:
        thread.join(BOUND_SECONDS)
    left = [t for t in started if t.is_alive()]
    if left:
        stacks = "\n".join(f"{t.name}:\n{_stack(t)}" for t in left)
        pytest.fail(f"threads this test started are still running after {BOUND_SECONDS:.0f} s:\n{stacks}")


def product_threads() -> list[tuple[threading.Thread, str]]:
    """Threads other than this one whose stack runs the product or the embedded AWS (moto), with the
    innermost such frame: what a test left running."""
    frames = sys._current_frames()
    found = []
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.ident not in frames:
            continue
        stack = traceback.extract_stack(frames[thread.ident])
        ours = [f for f in stack if f.filename.startswith(PRODUCT_CODE) and f.name != _IDENTITY_WRAPPER]
        if ours:
            found.append((thread, f"{ours[-1].filename}:{ours[-1].lineno} in {ours[-1].name}"))
    return found
