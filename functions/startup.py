"""Cold-start check: a function deployed without a variable it needs stops at once, saying which.

Lambda names the handler in `_HANDLER`; its declaration in functions/deployment.py lists the
RuntimeConfig fields it cannot run without (`needs`). Without `_HANDLER` (tests, local mode, the Fargate
worker) nothing is checked here: local mode sets the same environment for every function.
"""

import os
from collections.abc import Mapping

from functions import deployment


class MissingConfiguration(RuntimeError):
    pass


def missing_environment(handler: str, environ: Mapping[str, str]) -> list[str]:
    """The variables `handler`'s declaration needs that are unset or empty in `environ`."""
    spec = next((s for s in deployment.FUNCTIONS if s.handler == handler), None)
    if spec is None:
        return []
    names = [deployment.ENV_PREFIX + field.upper() for field in spec.needs]
    return [name for name in names if not environ.get(name)]


def check_environment(environ: Mapping[str, str] = os.environ) -> None:
    handler = environ.get("_HANDLER")
    if not handler:
        return
    missing = missing_environment(handler, environ)
    if missing:
        raise MissingConfiguration(
            f"{handler} cannot start: environment variable(s) {', '.join(missing)} not set "
            "(declared in functions/deployment.py; the CDK app sets them)"
        )
