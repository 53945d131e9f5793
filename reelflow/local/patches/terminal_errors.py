"""`States.ALL` neither catches nor retries `States.DataLimitExceeded` or `States.Runtime`, as on AWS.

Step Functions documents both as errors the wildcard does not match: a state whose input or output
passes 256 KiB, or a path that finds nothing, fails the execution even inside a `Catch` on `States.ALL`.
moto's interpreter matched them like any other error, so locally such a failure was caught (a video
marked failed, the batch went on) where on AWS the whole execution fails. An `ErrorEquals` that names
either error still matches it.
"""

from typing import Any

from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import ErrorEqualsDecl
from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName

UNCAUGHT_BY_WILDCARD = frozenset({"States.DataLimitExceeded", "States.Runtime"})
WILDCARD = "States.ALL"

_original = ErrorEqualsDecl._eval_body


def _eval_body(self: ErrorEqualsDecl, env: Any) -> None:
    error: ErrorName | None = env.stack[-1] if env.stack else None
    names = {name.error_name for name in self.error_names}
    if getattr(error, "error_name", None) in UNCAUGHT_BY_WILDCARD and WILDCARD in names:
        env.stack.pop()
        env.stack.append(False)  # "States.ALL" appears alone in its ErrorEquals: nothing else can match
        return
    _original(self, env)


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    ErrorEqualsDecl._eval_body = _eval_body  # type: ignore[method-assign]
