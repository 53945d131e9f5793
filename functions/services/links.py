"""Minting the download links the API hands out: each one signed now, for as long as the configuration
asks, cut to what is left of its object and of the signing credentials (functions/domain/links.py)."""

from datetime import datetime

from functions.domain.links import Link, link_seconds
from functions.services.context import Services


def mint_link(
    ctx: Services,
    bucket: str,
    key: str,
    *,
    until: datetime | None = None,
    download_name: str | None = None,
    seconds: int | None = None,
) -> Link:
    """A GET link valid until the time it carries; `until`: when its object stops being served."""
    wanted = seconds or ctx.config.download_url_expiry_seconds
    lifetime = link_seconds(ctx.clock(), wanted, until, ctx.storage.signing_credentials_expire())
    return ctx.storage.signed_link(bucket, key, lifetime, download_name)
