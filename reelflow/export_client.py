"""`reelflow export` and `reelflow run --export`: ask the API for an export, follow it, download it."""

import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from rich.console import Console

from reelflow.client import ApiClient, ApiError, download
from reelflow.errors import CliError, ExitCode, api_error_line

FORMATS = ("zip", "merged", "playlist")


def export_file_name(url: str) -> str:
    """The export's file name: the last part of the presigned URL's path (exports/{b}/{e}/{name})."""
    return unquote(urlparse(url).path.rsplit("/", 1)[-1]) or "export"


def export_batch(
    client: ApiClient,
    batch_id: str,
    request: dict[str, Any],
    out_dir: Path,
    console: Console,
    *,
    poll_seconds: float = 0.2,
    timeout_seconds: float = 3600.0,
) -> dict[str, Any]:
    """Request the export (an identical recent one is reused), wait for it, download it into out_dir.
    Returns the export's final status with `file` (the downloaded path) added."""
    accepted = client.request("POST", f"/api/batch-jobs/{batch_id}/export", json=request)
    export_id = accepted["export_id"]
    reused = " (reusing an identical export)" if accepted.get("reused") else ""
    console.print(f"[bold]Export[/] {export_id}: {request['format']}{reused}")
    deadline = time.monotonic() + timeout_seconds
    with console.status("Exporting…") as status:
        while True:
            state: dict[str, Any] = client.request("GET", f"/api/batch-jobs/{batch_id}/export/{export_id}")
            operation = state.get("current_operation") or state["status"]
            status.update(f"Exporting: {state['progress']}% {operation}")
            if state["status"] in {"completed", "failed"}:
                break
            if time.monotonic() > deadline:
                raise CliError(
                    f"export {export_id} did not finish within {timeout_seconds:.0f} s", ExitCode.TIMED_OUT
                )
            time.sleep(poll_seconds)
    if state["status"] == "failed":
        raise CliError(f"export {export_id} failed: {state.get('error_message')}", ExitCode.SOME_FAILED)
    url = state["download_url"]
    path = download(url, out_dir / export_file_name(url))
    state["file"] = str(path)
    console.print(f"[green]Export written[/] {path} ({state['file_size']:,} bytes)")
    return state


def run_export_command(console: Console, args: Any) -> int:
    """`reelflow export BATCH_ID --format …` against the running `reelflow serve`."""
    from functions.domain.enums import Tier
    from reelflow.local.tokens import issue_token
    from reelflow.serve_address import running_address

    api_url = args.api_url or str(running_address("--api-url URL")["api_url"])
    client = ApiClient(api_url.removesuffix("/api"), args.token or issue_token(args.user, Tier(args.tier)))
    request: dict[str, Any] = {"format": args.format, "include_failed": args.include_failed}
    if args.naming:
        request["custom_naming"] = args.naming
    if args.hls:
        request["hls"] = True
    try:
        export_batch(client, args.batch_id, request, args.out, console, timeout_seconds=args.timeout)
    except ApiError as refused:
        raise CliError(api_error_line(refused, f"batch {args.batch_id}", args.user)) from refused
    return 0
