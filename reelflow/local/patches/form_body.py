"""A PUT to S3 sent as `application/x-www-form-urlencoded` (some clients send it with a presigned
PutObject or UploadPart) is stored byte for byte by S3, its content type kept as metadata. moto did not:

- its server reads the body of every unsigned request of that type to guess the service (`Action=…`
  of the query APIs) and decodes it as UTF-8: a binary body failed to decode, was consumed and never
  put back, and the request waited for its body for ever. Here the body is read as bytes, always put
  back as it came, and only the guess decodes it (leniently);
- its S3 handler then parsed the body as a form: the object or part was stored empty (or as a form
  field's name). Here an S3 PUT's body is never parsed as a form.
"""

import io
from collections.abc import Callable
from typing import Any

from moto.core.request import Request
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.s3.responses import S3Response
from werkzeug.datastructures import ImmutableMultiDict

FORM = "application/x-www-form-urlencoded"


def _get_body(_self: DomainDispatcherApplication, environ: dict[str, Any]) -> str | None:
    if not str(environ.get("CONTENT_TYPE", "")).startswith(FORM):
        return None
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if size <= 0:
        return None
    raw: bytes = environ["wsgi.input"].read(size)
    environ["wsgi.input"] = io.BytesIO(raw)  # the handler reads exactly what was sent
    return raw.decode("utf-8", errors="replace")


def _unparsed_put(original: Callable[..., None]) -> Callable[..., None]:
    """Wraps `S3Response.setup_class`: a PUT's body is the object (or part), whatever its type."""

    def setup_class(self: S3Response, request: Request, *args: Any, **kwargs: Any) -> None:
        raw = None
        if request.method == "PUT" and request.mimetype == FORM:
            raw = request.get_data(cache=True, parse_form_data=False)
            request.__dict__["form"] = ImmutableMultiDict()  # what werkzeug caches once parsed
            request.__dict__["files"] = ImmutableMultiDict()
        original(self, request, *args, **kwargs)
        if raw is not None:
            self.body = self.raw_body = raw

    return setup_class


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    DomainDispatcherApplication._get_body = _get_body  # type: ignore[method-assign,assignment]
    S3Response.setup_class = _unparsed_put(S3Response.setup_class)  # type: ignore[method-assign]
