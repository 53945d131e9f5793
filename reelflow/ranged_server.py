"""A local file served over HTTP in byte ranges, counting every byte it sends: `reelflow bench long`
reads the source through it the way a part on Lambda reads S3 (functions/media/ranged_input.py)."""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHUNK = 64 * 1024
RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


@dataclass
class Served:
    url: str
    sent: int = 0  # body bytes written to the socket (a range the reader drops stops counting)
    requests: list[dict[str, str]] = field(default_factory=list)  # each request's headers
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def serve_ranges(path: Path) -> Iterator[Served]:
    """Serve `path` at the URL of the yielded `Served` until the block ends."""
    size = path.stat().st_size
    served = Served("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection, as ffmpeg's ranged reads use it

        def do_GET(self) -> None:
            with served.lock:
                served.requests.append(dict(self.headers.items()))
            match = RANGE.match(self.headers.get("Range", "bytes=0-"))
            start = int(match.group(1)) if match else 0
            end = min(int(match.group(2)), size - 1) if match and match.group(2) else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            with path.open("rb") as file:
                file.seek(start)
                left = end - start + 1
                while left > 0:
                    chunk = file.read(min(CHUNK, left))
                    try:
                        self.wfile.write(chunk)
                    except OSError:
                        return  # the reader seeked elsewhere and closed the connection
                    with served.lock:
                        served.sent += len(chunk)
                    left -= len(chunk)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}/{path.name}"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
