"""The command line's tables fit in 80 columns without a terminal, and never cut an id or an output."""

import io
import json
import uuid
from typing import Any

from rich.console import Console

from reelflow.inspect import list_executions, show_execution
from reelflow.runner import print_summary

WIDTH = 80


def _plain_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=WIDTH, force_terminal=False, color_system=None), buffer


def _assert_fits(text: str) -> None:
    assert text.strip()
    assert max(len(line) for line in text.splitlines()) <= WIDTH, text
    assert "…" not in text, text


def test_executions_list_and_history_fit_without_a_terminal(local_cloud: Any) -> None:
    name = str(uuid.uuid4())
    local_cloud.client("stepfunctions").start_execution(
        stateMachineArn=local_cloud.state_machine_arn, name=name, input=json.dumps({"batch_id": "missing"})
    )
    console, buffer = _plain_console()
    assert list_executions(console, local_cloud.endpoint) == 0
    listing = buffer.getvalue()
    _assert_fits(listing)
    assert name in listing  # the whole id on one line, copyable

    console, buffer = _plain_console()
    assert show_execution(console, name, local_cloud.endpoint) == 0
    _assert_fits(buffer.getvalue())
    assert "ExecutionStarted" in buffer.getvalue()


def test_the_run_summary_folds_long_outputs_instead_of_cutting_them() -> None:
    output = "outputs/" + "a-very-long-video-name-that-goes-on-and-on-" * 2 + "final.mp4"
    results = {
        "batch": {"name": "talks", "status": "completed"},
        "videos": [
            {
                "position": 1,
                "original_name": "a-very-long-video-name-that-goes-on-and-on-and-on.mp4",
                "status": "completed",
                "duration": 12.5,
                "processing_result": {"exporting": {"duration": 9.25}},
                "output_file": output,
            }
        ],
    }
    console, buffer = _plain_console()
    print_summary(console, results)
    text = buffer.getvalue()
    _assert_fits(text)
    lines = text.splitlines()
    header = next(line for line in lines if " output " in line)
    left, right = header.index(" output ") + 1, header.index(" note ")
    below = lines[lines.index(header) + 2 :]
    assert "".join(line[left:right].strip() for line in below) == output
