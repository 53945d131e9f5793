"""How long a download link the API hands out lives, and what the API says about it.

Every link (a video's output and artifacts, an export's file, a playlist's entries) is minted when it is
read and carries its own expiry, which the response states (`links_expire_at`). A link may not outlive
what signs it: an S3 presigned URL signed with temporary credentials (a Lambda role's session) stops
working when that session ends, whatever `X-Amz-Expires` says, so a link's lifetime is the shortest of
what was asked, what is left of the thing it points to, and what is left of the signing credentials.
See docs/exports.md, "How long links live".
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

MIN_LINK_SECONDS = 60
CREDENTIAL_MARGIN_SECONDS = 60  # signing this close to a session's end gives a link that dies at once
SIGV4_DATE = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Link:
    """A URL and the time it stops working (at the earliest)."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class SignedRead:
    """A GET URL a reader (ffmpeg) fetches in byte ranges itself, and the headers it must send with
    every request: `If-Match` pins the version, and S3 answers 412 once the object is another one."""

    url: str
    headers: tuple[tuple[str, str], ...] = ()


def link_seconds(
    now: datetime,
    wanted: int,
    until: datetime | None = None,
    credentials_expire: datetime | None = None,
) -> int:
    """Seconds to sign a link for: `wanted`, cut to what is left of the object (`until`) and of the
    signing credentials (less a margin); never under a minute, so a link is usable when it arrives."""
    seconds = float(wanted)
    if until is not None:
        seconds = min(seconds, (until - now).total_seconds())
    if credentials_expire is not None:
        seconds = min(seconds, (credentials_expire - now).total_seconds() - CREDENTIAL_MARGIN_SECONDS)
    return max(MIN_LINK_SECONDS, math.floor(seconds))


def earliest(links: Iterable[Link | None]) -> datetime | None:
    """When the first of these links stops working (None when there is none): what a response states."""
    times = [link.expires_at for link in links if link is not None]
    return min(times) if times else None


def presigned_expiry(url: str) -> datetime | None:
    """When a presigned URL expires: SigV4 (`X-Amz-Date` + `X-Amz-Expires`), or SigV2 and CloudFront
    canned policies (`Expires`, epoch seconds); None for another URL."""
    query = parse_qs(urlsplit(url).query)
    try:
        if "X-Amz-Date" in query:
            signed = datetime.strptime(query["X-Amz-Date"][0], SIGV4_DATE).replace(tzinfo=UTC)
            return signed + timedelta(seconds=int(query["X-Amz-Expires"][0]))
        return datetime.fromtimestamp(int(query["Expires"][0]), UTC)
    except (KeyError, IndexError, ValueError):
        return None
