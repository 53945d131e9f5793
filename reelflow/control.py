"""`reelflow pause|resume|cancel|retry|delete BATCH_ID`: steer a batch of a running `reelflow serve`."""

import argparse
from typing import Any

from rich.console import Console

from functions.domain.enums import Tier
from reelflow.client import ApiClient, ApiError
from reelflow.errors import CliError, api_error_line, default_user
from reelflow.local.tokens import issue_token

ACTIONS = {"pause": "pause", "resume": "resume", "cancel": "cancel", "retry": "retry-failed"}


def api_client(user: str, tier: Tier, endpoint: str | None = None) -> ApiClient:
    """A client of the running serve (its address file), or of `endpoint`, acting as `user`."""
    if endpoint is None:
        from reelflow.serve_address import running_address

        endpoint = str(running_address()["api_url"]).removesuffix("/api")
    return ApiClient(endpoint, issue_token(user, tier))


def _describe(command: str, reply: dict[str, Any] | None, batch_id: str) -> str:
    if command == "delete":
        return f"Batch {batch_id} deleted with its files"
    assert reply is not None
    batch = reply.get("batch_job", reply)
    line = f"Batch {batch_id}: {batch['status']}"
    if command == "cancel":
        cancelled, removed = len(reply["cancelled_video_ids"]), reply["removed_objects"]
        line += f", {cancelled} videos cancelled, {removed} work files removed"
    if command == "retry":
        line += f", {len(reply['retried_video_ids'])} videos retried as {reply['execution_name']}"
    return line


def run_control(console: Console, args: argparse.Namespace) -> int:
    client = api_client(args.user, Tier(args.tier), args.endpoint)
    try:
        if args.command == "delete":
            client.delete(args.batch_id)
            reply = None
        else:
            body = {"video_ids": args.video_ids} if getattr(args, "video_ids", None) else None
            reply = client.control(args.batch_id, ACTIONS[args.command], body)
    except ApiError as refused:
        raise CliError(api_error_line(refused, f"batch {args.batch_id}", args.user)) from refused
    console.print(_describe(args.command, reply, args.batch_id))
    return 0


def add_control_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    helps = {
        "pause": "Pause a batch: no new video starts, running ones finish",
        "resume": "Resume a paused batch where it stopped",
        "cancel": "Cancel a batch at once (work files removed, finished outputs kept)",
        "retry": "Run a finished batch's failed videos again",
        "delete": "Delete a finished batch and every file it owns",
    }
    for command, text in helps.items():
        parser = sub.add_parser(command, help=f"{text} (calls a running `reelflow serve`)")
        parser.add_argument("batch_id")
        parser.add_argument(
            "--user", default=default_user(), help=f"User the batch belongs to ({default_user()})"
        )
        parser.add_argument("--tier", choices=[t.value for t in Tier], default=Tier.PRO.value)
        parser.add_argument("--endpoint", help="API base URL (read from the running serve by default)")
        if command == "retry":
            parser.add_argument("--video", dest="video_ids", action="append", help="Retry only this video id")
        parser.set_defaults(func=lambda args: run_control(Console(), args))
