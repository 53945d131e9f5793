"""ffmpeg reading its input over HTTP in byte ranges (a presigned S3 GET), instead of from a download.

With `-request_size` every request asks for a bounded range, so a reader that seeks straight to the
intervals it needs (a part of a split render) is served those bytes and little more; the headers the
URL was signed with (If-Match, which pins the version) go with every request. S3 answers a request for
a replaced file 412, which ffmpeg reports as "HTTP error 412 Precondition Failed".
"""

from functions.domain.links import SignedRead
from functions.media.ffmpeg_run import FfmpegError

HEADER_REQUEST_BYTES = 64 * 1024  # while ffmpeg reads the container's header and index


def is_remote(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def input_options(read: SignedRead, request_bytes: int | None) -> tuple[str, ...]:
    """ffmpeg's options for reading `read` (placed before its `-i`); none for a local path. A reader
    that seeks (a part) asks for ranges of `request_bytes`: each of its inputs opens the URL again, and
    ffmpeg leaves the rest of a range unread when it seeks (after the header, at the input's end), so
    the range is also what a seek can waste. A reader of the whole file (None) streams it in one GET
    after the header, at the connection's full speed."""
    if not is_remote(read.url):
        return ()
    options: tuple[str, ...] = ()
    if request_bytes is not None:
        header = min(request_bytes, HEADER_REQUEST_BYTES)
        options += ("-request_size", str(request_bytes), "-initial_request_size", str(header))
    if read.headers:
        options += ("-headers", "".join(f"{name}: {value}\r\n" for name, value in read.headers))
    return options


def precondition_failed(error: FfmpegError) -> bool:
    """The read was refused because the object is no longer the pinned version."""
    return "412" in str(error)
