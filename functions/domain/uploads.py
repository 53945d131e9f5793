"""Which files a batch accepts, checked before any URL is signed."""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from functions.domain.errors import InvalidRequest

MAX_FILE_SIZE = 2 * 1024**3  # 2 GiB

CONTENT_TYPES: dict[str, frozenset[str]] = {
    ".mp4": frozenset({"video/mp4", "application/mp4"}),
    ".mov": frozenset({"video/quicktime"}),
    ".avi": frozenset({"video/x-msvideo", "video/avi", "video/msvideo"}),
    ".webm": frozenset({"video/webm"}),
}
DEFAULT_CONTENT_TYPE = {ext: sorted(types)[0] for ext, types in CONTENT_TYPES.items()}
DEFAULT_CONTENT_TYPE[".mp4"] = "video/mp4"
GENERIC_CONTENT_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
ACCEPTED = ", ".join(ext.lstrip(".").upper() for ext in CONTENT_TYPES)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int | None


def extension_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def is_video_name(name: str) -> bool:
    return extension_of(name) in CONTENT_TYPES


def safe_name(name: str) -> str:
    """A file name that is safe in an S3 key and a ZIP entry, keeping what a person recognises."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip("._") or "video"
    return cleaned[:200]


def check_file(name: str, size: int | None, content_type: str | None) -> CheckedFile:
    extension = extension_of(name)
    if extension not in CONTENT_TYPES:
        raise InvalidRequest(f"'{name}' is not an accepted video file; accepted formats: {ACCEPTED}")
    if size is not None:
        if size <= 0:
            raise InvalidRequest(f"'{name}' is empty")
        if size > MAX_FILE_SIZE:
            raise InvalidRequest(f"'{name}' is {size} bytes; the limit is {MAX_FILE_SIZE} bytes (2 GB)")
    if content_type is None or content_type.lower() in GENERIC_CONTENT_TYPES:
        resolved = DEFAULT_CONTENT_TYPE[extension]
    else:
        resolved = content_type.lower().split(";")[0].strip()
        if resolved not in CONTENT_TYPES[extension]:
            expected = " or ".join(sorted(CONTENT_TYPES[extension]))
            raise InvalidRequest(
                f"'{name}' has content type '{content_type}', which does not match its extension "
                f"{extension} (expected {expected})"
            )
    return CheckedFile(name=name, extension=extension, content_type=resolved, size=size)
