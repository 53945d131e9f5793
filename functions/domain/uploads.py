"""Which files a batch accepts, checked before any URL is signed."""

import unicodedata
from dataclasses import dataclass
from itertools import groupby
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

_KEPT_PUNCTUATION = frozenset("._-\u200d")  # the zero-width joiner holds emoji sequences together


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
    base = PurePosixPath(unicodedata.normalize("NFC", name).replace("\\", "/")).name
    kept = "".join("".join(run) if keep else "_" for keep, run in groupby(base, key=_kept))
    cleaned = kept.strip("._") or "video"
    return cleaned[:200]


def _kept(char: str) -> bool:
    """Letters, digits and marks of any script, and symbols (emoji) are kept; spaces, punctuation and
    control characters become `_`."""
    category = unicodedata.category(char)
    return char in _KEPT_PUNCTUATION or category[0] in "LNM" or category == "So"


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
