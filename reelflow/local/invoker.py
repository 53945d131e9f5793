"""Run Lambda handlers in-process when moto invokes a function (moto would otherwise need Docker).

Every moto invocation path (lambda.invoke, Step Functions tasks, S3 notifications) goes through
`LambdaFunction._invoke_lambda`, so replacing it covers them all. The payload contract is Lambda's:
on an exception the result is `{errorMessage, errorType, stackTrace}` flagged as an error, which is
what Step Functions' Retry and Catch match on.
"""

import importlib
import json
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.core.exceptions import JsonRESTError

from functions.deployment import FUNCTIONS
from reelflow.local import sandboxes
from reelflow.local.access_control import Identity, acting_as
from reelflow.local.scratch_limit import MIB

Handler = Callable[[Any, Any], Any]
_cache: dict[str, Handler] = {}
_cache_lock = threading.Lock()
# Handler path → the credentials of its function's role (reelflow/local/access_control.py); a handler
# missing here runs as its caller (local mode without IAM enforcement).
identities: dict[str, Identity] = {}


def identity_for(handler_path: str) -> Identity | None:
    return identities.get(handler_path)


# Lambda's limits on a synchronous invocation (6 MB): a larger request is refused before the function
# runs; a larger response fails the invocation.
REQUEST_LIMIT_BYTES = 6 * 1024 * 1024
RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024


class RequestTooLarge(JsonRESTError):
    """What Lambda's Invoke answers for a request past its limit: a 413, the function never runs."""

    code = 413

    def __init__(self, size: int) -> None:
        super().__init__(
            "RequestEntityTooLargeException",
            f"Request must be smaller than {REQUEST_LIMIT_BYTES} bytes for the InvokeFunction operation "
            f"(it has {size})",
        )


_SLUGS = {spec.handler: spec.slug for spec in FUNCTIONS}
# One execution environment each: their concurrent invocations wait for the one running to end.
_ENVIRONMENTS = {spec.handler: threading.Lock() for spec in FUNCTIONS if spec.holds_request_in_module}


@dataclass
class LocalLambdaContext:
    """The attributes of the Lambda context object that Powertools and handlers read."""

    function_name: str
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    invoked_function_arn: str = ""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    timeout_seconds: int = 900
    _started: float = field(default_factory=time.monotonic)
    _running: bool = False

    def start_clock(self) -> None:
        """The timeout counts from the handler's start, not from a wait for a free environment."""
        self._started, self._running = time.monotonic(), True

    def running_for(self) -> float:
        """Seconds since the handler started (0 while it waits for a free environment)."""
        return time.monotonic() - self._started if self._running else 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


def resolve_handler(path: str) -> Handler:
    with _cache_lock:
        if path not in _cache:
            module_name, _, attribute = path.rpartition(".")
            _cache[path] = getattr(importlib.import_module(module_name), attribute)
        return _cache[path]


def cold_start_all() -> None:
    """A new deployment: the next invocation of every function is a cold start. What a handler module
    built once per container (a fan-out, a notifier, bound to the endpoints of the start it was built
    in) is forgotten, as a new Lambda container would not have it: a process that starts local mode a
    second time (`reelflow bench local`, tests) must not post to a gateway or an embedded AWS now gone."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("functions.handlers."):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def lambda_error(error: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def invoke_handler(
    path: str,
    event: Any,
    context: LocalLambdaContext,
    size: int | None = None,
    ephemeral_mb: int | None = None,
) -> tuple[str, bool]:
    """Run the handler as its function: every AWS call it makes is signed with its role, and its
    scratch files go to a sandbox of its own (checked for leftovers when it returns), and a function that
    holds the request in module state runs one invocation at a time. A request past Lambda's limit
    raises `RequestTooLarge` before anything runs. `size`: the request's bytes when the caller has them
    encoded already (moto's Invoke), else `event` is measured encoded. `ephemeral_mb`: the function's
    /tmp, which its sandbox may not outgrow (None: unbounded)."""
    if size is None:
        size = len(json.dumps(event, default=str))  # ASCII: its length is its size in bytes
    if size > REQUEST_LIMIT_BYTES:
        raise RequestTooLarge(size)
    try:
        with _ENVIRONMENTS.get(path) or nullcontext(), acting_as(identity_for(path)):
            context.start_clock()
            limit = ephemeral_mb * MIB if ephemeral_mb is not None else None
            with sandboxes.invocation(_SLUGS.get(path, path), limit, context.memory_limit_in_mb * MIB):
                result = resolve_handler(path)(event, context)
    except Exception as error:
        return json.dumps(lambda_error(error)), True
    encoded = json.dumps(result, default=str)  # ASCII: its length is its size in bytes
    if len(encoded) > RESPONSE_LIMIT_BYTES:
        return json.dumps(response_too_large(len(encoded))), True
    return encoded, False


def response_too_large(size: int) -> dict[str, str]:
    """What Lambda answers for a response over its synchronous payload limit: a function error."""
    return {
        "errorMessage": f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({RESPONSE_LIMIT_BYTES} bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


def _invoke_in_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    raw = event.encode() if isinstance(event, str) else event
    payload = json.loads(raw) if isinstance(raw, bytes) else (raw or {})
    context = LocalLambdaContext(
        function_name=self.function_name,
        memory_limit_in_mb=int(self.memory_size or 128),
        invoked_function_arn=self.function_arn,
        timeout_seconds=int(self.timeout or 900),
    )
    size = len(raw) if isinstance(raw, bytes) else None  # already encoded: measured, not encoded again
    result, errored = invoke_handler(str(self.handler), payload, context, size, int(self.ephemeral_storage))
    return result, errored, ""


def install() -> None:
    LambdaFunction._invoke_lambda = _invoke_in_process  # type: ignore[method-assign]
