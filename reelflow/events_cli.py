"""`reelflow events`: the batch notifications (Batch Completed/Failed/Cancelled) a running `reelflow
serve` received from the embedded EventBridge, oldest first; `--follow` keeps printing new ones."""

import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from reelflow.local.notification_feed import FILE_NAME, Notification, read


def notifications_file(args: Any) -> Path:
    if args.file:
        return Path(args.file)
    from reelflow.serve_address import running_address
    from reelflow.serving import data_folder

    state = running_address("--file FILE")
    return Path(state.get("notifications") or data_folder(None) / FILE_NAME)


def table_of(notifications: list[Notification]) -> Table:
    table = Table("time", "event", "batch", "user", "completed", "failed", "cancelled", "error")
    for n in notifications:
        d = n.detail
        table.add_row(
            n.time,
            n.detail_type,
            str(d.get("batch_id")),
            str(d.get("user_id")),
            f"{d.get('completed_videos', 0)}/{d.get('total_videos', 0)}",
            str(d.get("failed_videos", 0)),
            str(d.get("cancelled_videos", 0)),
            str(d.get("error_message") or ""),
        )
    return table


def run_events(console: Console, args: Any) -> int:
    path = notifications_file(args)
    shown = read(path)
    if args.limit:
        shown = shown[-args.limit :]
    if not shown and not args.follow:
        console.print(f"No batch notifications yet ({path})")
        return 0
    if shown:
        console.print(table_of(shown))
    if not args.follow:
        return 0
    seen = len(read(path))
    try:
        while True:
            time.sleep(args.interval)
            current = read(path)
            for notification in current[seen:]:
                console.print(notification.line(), soft_wrap=True)
            seen = len(current)
    except KeyboardInterrupt:
        return 0
