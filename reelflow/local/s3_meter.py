"""What the local S3 served: the bytes of every object GET, by object, as S3's server access logs and
its BytesDownloaded metric count them. Tests read it to show that a reader fetched only part of a file
(a part of a split render reading its own intervals of the source in byte ranges)."""

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class S3Meter:
    """Bytes and requests served per (bucket, key) since this process started local mode."""

    def __init__(self) -> None:
        self._bytes: Counter[tuple[str, str]] = Counter()
        self._requests: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def served(self, bucket: str, key: str) -> int:
        with self._lock:
            return self._bytes[(bucket, key)]

    def requests(self, bucket: str, key: str) -> int:
        with self._lock:
            return self._requests[(bucket, key)]

    def count(self, target: tuple[str, str], size: int) -> None:
        with self._lock:
            self._bytes[target] += size

    def counted(self, target: tuple[str, str]) -> None:
        with self._lock:
            self._requests[target] += 1


meter = S3Meter()


def _object(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(bucket, key) of a path-style object request (local mode's S3 addressing), else None."""
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
    bucket, _, key = unquote(raw.split("?", 1)[0]).lstrip("/").partition("/")
    return (bucket, key) if bucket and key else None


class MeteredObjects:
    """WSGI middleware: counts the body bytes of each successful GET of an object as they are sent."""

    def __init__(self, app: WSGIApp, counter: S3Meter = meter) -> None:
        self.app = app
        self.counter = counter

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = _object(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if target is None:
            return self.app(environ, start_response)
        succeeded = [False]

        def started(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            succeeded[0] = status.startswith("2")
            return start_response(status, headers, *rest)

        return self._metered(self.app(environ, started), target, succeeded)

    def _metered(
        self, body: Iterable[bytes], target: tuple[str, str], succeeded: list[bool]
    ) -> Iterator[bytes]:
        # start_response may come with the first chunk (a generator app): the status is read per chunk
        first = True
        try:
            for chunk in body:
                if succeeded[0]:
                    if first:
                        self.counter.counted(target)
                    self.counter.count(target, len(chunk))
                first = False
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
