"""Each function's log lines carry its own service name and only the keys of the request at hand, also
when local mode runs several functions in one process on worker threads."""

import io
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from functions.observability import SERVICE, lambda_logging, logger, request_keys, service_of


@dataclass
class Context:
    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:x"


@lambda_logging
def handler(event: dict[str, Any], _context: Any) -> None:
    if event.get("video_id"):
        request_keys(video_id=event["video_id"])
    logger.info("working")


def test_each_line_names_its_function_and_carries_only_its_own_request_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("POWERTOOLS_SERVICE_NAME", raising=False)
    stream = logger.registered_handler
    assert isinstance(stream, logging.StreamHandler)
    buffer = io.StringIO()
    previous = stream.setStream(buffer)
    try:
        handler({"video_id": "v1"}, Context("reelflow-local-media"))
        handler({}, Context("reelflow-local-api"))
        other = threading.Thread(target=handler, args=({"video_id": "v2"}, Context("reelflow-local-ingest")))
        other.start()
        other.join()
    finally:
        stream.setStream(previous)
    first, second, third = (json.loads(line) for line in buffer.getvalue().splitlines())
    assert first["service"] == "reelflow-media" and first["video_id"] == "v1"
    assert first["function_name"] == "reelflow-local-media"
    assert second["service"] == "reelflow-api" and "video_id" not in second
    assert third["service"] == "reelflow-ingest" and third["video_id"] == "v2"
    assert first["function_request_id"] != second["function_request_id"]


def test_service_names_follow_the_deployment() -> None:
    assert service_of(Context("reelflow-dev-progress-stream")) == "reelflow-progress-stream"
    assert service_of(Context("unknown")) == SERVICE
