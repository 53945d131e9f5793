"""`reelflow run` reads a batch's whole detail once a second for its bars, and sees the batch end within
a tenth of a second from its execution's status, read in process: a long run no longer costs an API
call (a Lambda invocation and its reads) five times a second."""

import io
from pathlib import Path
from typing import Any

from rich.console import Console

from reelflow.runner import RunOptions, watch


class Api:
    """The detail of a one-video batch: processing, then completed."""

    def __init__(self, reads_until_done: int) -> None:
        self.reads = 0
        self.reads_until_done = reads_until_done

    def batch(self, batch_id: str) -> dict[str, Any]:
        self.reads += 1
        done = self.reads >= self.reads_until_done
        video = {
            "video_id": "v1",
            "position": 1,
            "original_name": "talk.mp4",
            "status": "completed" if done else "processing",
            "current_stage": None if done else "exporting",
            "progress_percentage": 100 if done else 40,
        }
        return {
            "id": batch_id,
            "status": "completed" if done else "processing",
            "progress_percentage": 100 if done else 40,
            "execution_arn": "arn:aws:states:us-east-1:123456789012:execution:batch:b1",
            "videos": [video],
        }


def test_the_end_is_seen_from_the_execution_without_reading_the_detail_again(tmp_path: Path) -> None:
    api = Api(reads_until_done=2)
    checks: list[str | None] = []

    def ended(execution_arn: str | None) -> bool:
        checks.append(execution_arn)
        return len(checks) > 3

    options = RunOptions(tmp_path, tmp_path, poll_seconds=3600.0, end_check_seconds=0.001)
    batch = watch(api, "b1", options, Console(file=io.StringIO()), ended)
    assert batch["status"] == "completed"
    assert api.reads == 2  # the first read, then once the execution had ended: none in the hour between
    assert len(checks) == 4 and set(checks) == {batch["execution_arn"]}


def test_without_an_end_check_the_detail_is_read_every_poll(tmp_path: Path) -> None:
    api = Api(reads_until_done=3)
    options = RunOptions(tmp_path, tmp_path, poll_seconds=0.001)
    assert watch(api, "b1", options, Console(file=io.StringIO()))["status"] == "completed"
    assert api.reads == 3
