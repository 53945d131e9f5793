"""A ranged GET reads its range, not the object. moto 5.2.5 read the whole body for every GET and then
sliced it: the parts of a split render read their slice of the source in 256 KiB ranges, and each range
of a 65 MB source cost 50 ms of CPU (a 200 MB one 120 ms), so local mode spent more on the ranges than on
the render. Here, while a GET with a Range header is answered, the key's body is handed on as a view
that reads only the slice moto's range handling takes (from the stored file, `persistence.StoredBody`,
or moto's buffer); a range moto answers whole (one S3 itself ignores) is read whole, as before."""

import threading
from collections.abc import Callable
from typing import Any

from moto.s3.models import FakeKey
from moto.s3.responses import S3Response

_ranged = threading.local()  # set on the thread answering a ranged GET


class RangedBody:
    """An object's body as moto's range handling reads it: its length, then one slice."""

    def __init__(self, key: FakeKey) -> None:
        self.key = key

    def __len__(self) -> int:
        return int(self.key.size)

    def __getitem__(self, part: slice) -> bytes:
        start, stop, step = part.indices(len(self))
        if step != 1:
            raise ValueError("a body is read in one run of bytes")
        with self.key.lock:
            self.key._value_buffer.seek(start)
            return bytes(self.key._value_buffer.read(max(0, stop - start)))


_plain_value = FakeKey.value


def _value(self: FakeKey) -> Any:
    if getattr(_ranged, "on", False):
        return RangedBody(self)
    return _plain_value.fget(self)  # type: ignore[attr-defined]


def _key_response(original: Callable[..., Any]) -> Callable[..., Any]:
    def key_response(self: S3Response, request: Any, full_url: str, headers: dict[str, Any]) -> Any:
        if request.method != "GET" or not request.headers.get("range"):
            return original(self, request, full_url, headers)
        _ranged.on = True
        try:
            status, response_headers, content = original(self, request, full_url, headers)
        finally:
            _ranged.on = False
        if isinstance(content, RangedBody):  # answered whole: the range was one S3 ignores
            content = content[:]
        return status, response_headers, content

    return key_response


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    FakeKey.value = property(_value, _plain_value.fset)  # type: ignore[method-assign,assignment,attr-defined]
    S3Response.key_response = _key_response(S3Response.key_response)  # type: ignore[method-assign]
