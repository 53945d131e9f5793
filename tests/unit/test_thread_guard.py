"""The tests' thread guard (tests/thread_guard.py) sees a thread still running product code."""

from typing import Any

from reelflow.local.drop_sweeper import DropSweeper
from tests.thread_guard import product_threads


class _NeverCalled:
    def invoke(self, **_: Any) -> None:
        raise AssertionError("the sweep's interval never passes in this test")


def test_a_thread_running_product_code_is_listed_with_where_it_is_until_it_ends() -> None:
    sweeper = DropSweeper(_NeverCalled(), "arn:aws:lambda:us-east-1:123456789012:function:f", 3600).start()
    try:
        listed = {thread.name: where for thread, where in product_threads()}
        assert "reelflow/local/ticker.py" in listed["drop-folder-sweep"]
    finally:
        sweeper.stop()
    assert "drop-folder-sweep" not in {thread.name for thread, _ in product_threads()}
