"""`reelflow drop DIR`: put a folder into the drop folder of a running `reelflow serve` with boto3, as a
user would with `aws s3 cp --recursive` (multipart for large files), and print the batch it became."""

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from rich.console import Console

from functions.domain.drop_folder import (
    DEFAULT_QUIET_SECONDS,
    DEFAULT_SETTLE_SECONDS,
    START_MARKER,
    drop_batch_id,
    folder_prefix,
)
from functions.domain.enums import Tier
from functions.domain.upload_limits import DEFAULT_PART_SIZE, MULTIPART_THRESHOLD
from reelflow.client import ApiClient, ApiError
from reelflow.errors import CliError
from reelflow.local.cloud import LOCAL_KEY, REGION
from reelflow.local.tokens import issue_token
from reelflow.serving import running_address

TRANSFER = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=DEFAULT_PART_SIZE)


def upload_folder(s3: Any, bucket: str, folder: Path, user_id: str, name: str, start: bool) -> list[str]:
    """Every file directly in `folder` (and its sub-folders, which the batch lists as skipped)."""
    prefix = folder_prefix(user_id, name)
    keys = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = prefix + path.relative_to(folder).as_posix()
        s3.upload_file(str(path), bucket, key, Config=TRANSFER)
        keys.append(key)
    if start:
        s3.put_object(Bucket=bucket, Key=prefix + START_MARKER, Body=b"")
        keys.append(prefix + START_MARKER)
    return keys


def wait_for_start(
    client: ApiClient, batch_id: str, timeout: float, tick: Callable[[float], None] = lambda _: None
) -> dict[str, Any] | None:
    """The batch once it has left `pending` (started, queued or failed), or None after `timeout`;
    `tick` gets the seconds waited so far."""
    began = time.monotonic()
    deadline = began + timeout
    while time.monotonic() < deadline:
        tick(time.monotonic() - began)
        try:
            batch: dict[str, Any] = client.batch(batch_id)
        except ApiError as error:
            if error.status != 404:
                raise
        else:
            if batch["status"] != "pending":
                return batch
        time.sleep(0.5)
    return None


@dataclass(frozen=True)
class StartWait:
    """Why `drop` waits, and for how long: the serve's settle time after a start request, otherwise its
    quiet period without new files."""

    seconds: float
    reason: str
    after: str

    def line(self, waited: float) -> str:
        left = max(0.0, self.seconds - waited)
        return f"Waiting for the batch to start: {left:.0f} s of {self.seconds:.0f} s left ({self.after})"


def start_wait(state: dict[str, Any], start: bool) -> StartWait:
    if start:
        settle = float(state.get("drop_settle_seconds", DEFAULT_SETTLE_SECONDS))
        return StartWait(
            settle,
            f"the _start marker is in; it starts once no new file arrived for {settle:g} s",
            f"{settle:g} s after the last file",
        )
    quiet = float(state.get("drop_quiet_period_seconds", DEFAULT_QUIET_SECONDS))
    return StartWait(
        quiet,
        f"no start request, so it starts after a quiet period of {quiet:g} s without new files "
        "(--start starts it sooner)",
        f"after {quiet:g} s without new files",
    )


def run_drop(console: Console, args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.exists():
        raise CliError(f"{folder}: no such folder; `reelflow drop DIR` takes a folder of videos")
    if not folder.is_dir():
        raise CliError(f"{folder} is a file; `reelflow drop` takes the folder that holds it")
    if not any(p.is_file() for p in folder.rglob("*")):
        raise CliError(f"{folder} is empty: nothing to drop (put videos in it first)")
    state = running_address("")
    name = args.name or folder.resolve().name
    s3 = boto3.client(
        "s3",
        endpoint_url=state["s3_endpoint"],
        region_name=REGION,
        aws_access_key_id=LOCAL_KEY,
        aws_secret_access_key=LOCAL_KEY,
    )
    keys = upload_folder(s3, state["ingest_bucket"], folder, args.user, name, args.start)
    console.print(
        f"Uploaded {len(keys)} files to s3://{state['ingest_bucket']}/{folder_prefix(args.user, name)}"
    )
    batch_id = drop_batch_id(args.user, name)
    client = ApiClient(state["api_url"].removesuffix("/api"), issue_token(args.user, Tier(args.tier)))
    wait = start_wait(state, args.start)
    console.print(f"[bold]Batch[/] {batch_id} ('{name}'): {wait.reason}")
    with console.status(wait.line(0)) as status:
        batch = wait_for_start(
            client, batch_id, args.timeout, lambda waited: status.update(wait.line(waited))
        )
    if batch is None:
        console.print(
            f"[yellow]Not started after {args.timeout:g} s[/]: it starts {wait.after} "
            "(add --start, or drop a _start file)"
        )
        return 1
    console.print(f"[bold]{batch['name']}[/] is {batch['status']}: {batch['total_videos']} videos")
    for video in batch.get("videos", []):
        console.print(f"  {video['position']:>3}  {video['original_name']}  {video['status']}")
    report = (batch.get("summary") or {}).get("drop_folder") or {}
    for kind in ("skipped", "over_limit", "rejected"):
        if report.get(kind):
            console.print(f"  {kind.replace('_', ' ')}: {', '.join(report[kind])}")
    if batch.get("error_message"):
        console.print(f"[red]{batch['error_message']}[/]")
    return 0 if batch["status"] != "failed" else 1
