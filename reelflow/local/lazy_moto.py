"""moto's heavy services, made on first use rather than at every start of local mode.

moto's ECS and Batch import its EC2 (about a second of imports on a quiet machine, several under
load), and most local runs use neither:
- the Fargate stand-in: local mode names the worker's cluster and task definition in the state machine
  before they exist (`provisioning.planned_worker`), and `LazyWorker`, a WSGI middleware, makes them,
  with the run-task patch, when an ECS request first reaches the embedded server (the state machine's
  runTask, a stop, a listing);
- Batch: the Step Functions interpreter imports `moto.batch.utils` for its Batch task type, and the
  package's `__init__` imports its models; `defer_batch_models` registers the package without running
  it, so its models (and EC2) load only when something reads them.
"""

import importlib
import importlib.util
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

ECS_TARGET = "AmazonEC2ContainerServiceV20141113."

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_lock = threading.Lock()
_pending: list[Callable[[], None]] = []


def arm(make: Callable[[], None]) -> None:
    """`make` runs before the next ECS request is served (once; a new start arms it again)."""
    with _lock:
        _pending[:] = [make]


def ensure() -> None:
    """Make the worker now if it is not made yet (concurrent first requests wait for one making)."""
    with _lock:
        if _pending:
            _pending[0]()
            _pending.clear()


def is_ecs(environ: dict[str, Any]) -> bool:
    return str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(ECS_TARGET)


class LazyWorker:
    """WSGI middleware: an ECS request first makes the worker."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if is_ecs(environ):
            ensure()
        return self.app(environ, start_response)


def defer_batch_models() -> None:
    """Register `moto.batch` without importing its models until an attribute of it is read."""
    if "moto.batch" in sys.modules:
        return
    spec = importlib.util.find_spec("moto.batch")
    if spec is None:
        return
    package = importlib.util.module_from_spec(spec)  # __path__ set, __init__ not run

    def load(name: str) -> Any:
        models = importlib.import_module("moto.batch.models")
        return models if name == "models" else getattr(models, name)

    package.__getattr__ = load  # type: ignore[method-assign]
    sys.modules["moto.batch"] = package
    moto = importlib.import_module("moto")
    moto.__dict__["batch"] = package
