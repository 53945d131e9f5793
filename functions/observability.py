"""Logger, Tracer and Metrics, built once per process. The service name comes from
POWERTOOLS_SERVICE_NAME (set per function by the deployment), the namespace from
POWERTOOLS_METRICS_NAMESPACE (default "reelflow").

`lambda_logging` is every handler's entry decorator: Powertools' `inject_lambda_context` with
`clear_state=True`, so a log line carries only the keys of the request at hand, plus the invoked
function's service name and request id as thread-local keys: local mode runs every function in one
process on worker threads, where a process-wide service name or appended key would leak across them."""

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from aws_lambda_powertools import Logger, Metrics, Tracer

from functions import untraced

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "reelflow"
logger = Logger(service=SERVICE)
tracer = Tracer(provider=untraced.provider())
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "reelflow"))

Handler = TypeVar("Handler", bound=Callable[..., Any])


def service_of(context: Any) -> str:
    """The invoked function's service name, from the deployment's description of the function its
    context names (local mode runs every function in one process); else the process's."""
    from functions.deployment import FUNCTIONS

    name = str(getattr(context, "function_name", ""))
    matches = [spec for spec in FUNCTIONS if name.endswith("-" + spec.slug) or name == spec.slug]
    return max(matches, key=lambda spec: len(spec.slug)).service_name if matches else SERVICE


def request_keys(**keys: object) -> None:
    """Keys for this request's remaining log lines (cleared when the invocation ends)."""
    logger.thread_safe_append_keys(**keys)


@overload
def lambda_logging(handler: Handler) -> Handler: ...


@overload
def lambda_logging(
    handler: None = None, *, correlation_id_path: str | None = None
) -> Callable[[Handler], Handler]: ...


def lambda_logging(
    handler: Handler | None = None, *, correlation_id_path: str | None = None
) -> Handler | Callable[[Handler], Handler]:
    def decorate(function: Handler) -> Handler:
        @functools.wraps(function)
        def keyed(event: Any, context: Any) -> Any:
            logger.thread_safe_append_keys(  # over the process-wide keys another thread may have set
                service=service_of(context),
                function_name=getattr(context, "function_name", None),
                function_arn=getattr(context, "invoked_function_arn", None),
                function_memory_size=getattr(context, "memory_limit_in_mb", None),
                function_request_id=getattr(context, "aws_request_id", None),
            )
            try:
                return function(event, context)
            finally:
                logger.thread_safe_clear_keys()

        injected = logger.inject_lambda_context(
            keyed, clear_state=True, correlation_id_path=correlation_id_path
        )
        return cast(Handler, injected)

    return decorate(handler) if handler is not None else decorate
