"""`reelflow serve`: the embedded AWS and the local gateway on a data folder that outlives the process,
stopped cleanly on Ctrl+C or SIGTERM (no ffmpeg left running, no work folder, no address file)."""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from reelflow.errors import default_user
from reelflow.local.children import mark_children, reap_orphans
from reelflow.local.home import clear_state, home, read_state, write_state
from reelflow.local.notification_feed import FILE_NAME, Notification, NotificationFeed
from reelflow.local.webapp import dist_dir
from reelflow.serve_address import ADDRESS, alive
from reelflow.stopping import interrupt_on_sigterm, wait_for_interrupt

WORK_PREFIX = "reelflow-serve-"


def web_app_note() -> str:
    return "" if (dist_dir() / "index.html").is_file() else "  (not built: ./dev web)"


def data_folder(data_dir: Path | None) -> Path:
    return data_dir or home() / "data"


def serve(console: Console, port: int, moto_port: int, data_dir: Path | None, fresh: bool) -> int:
    from reelflow.local.stack import LocalStack

    running = read_state(ADDRESS)
    if running and alive(running):
        raise SystemExit(
            f"reelflow serve is already running at {running.get('api_url')} (pid {running.get('pid')})"
        )
    interrupt_on_sigterm()
    _clean_after_crash(console, running)
    mark_children(home())
    folder = data_folder(data_dir)
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
    try:
        with LocalStack(work, port=port, moto_port=moto_port, data_dir=folder) as stack:
            feed = _notifications(console, stack, folder).start()
            _announce(console, stack, folder, work)
            try:
                wait_for_interrupt()
            finally:
                feed.stop()
    except KeyboardInterrupt:
        console.print("Stopping.")
    finally:
        clear_state(ADDRESS)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _notifications(console: Console, stack: Any, folder: Path) -> NotificationFeed:
    """Prints each batch notification (EventBridge, through the local rule's queue) as it arrives."""

    def show(notification: Notification) -> None:
        console.print(f"[bold]event[/] {notification.line()}", soft_wrap=True)

    cloud = stack.cloud
    return NotificationFeed(cloud.client("sqs"), cloud.notifications_queue_url, folder / FILE_NAME, show)


def _clean_after_crash(console: Console, stale: dict[str, Any] | None) -> None:
    """A server stopped with kill -9 ran no cleanup: stop the processes it left and remove its work folder."""
    reaped = reap_orphans(home())
    work = Path(str((stale or {}).get("work_dir") or ""))
    if work.name.startswith(WORK_PREFIX) and work.is_dir():
        shutil.rmtree(work, ignore_errors=True)
    if reaped or stale:
        console.print(f"Cleaned up after a server that did not stop: {len(reaped)} process(es) stopped.")


def _announce(console: Console, stack: Any, folder: Path, work: Path) -> None:
    cloud = stack.cloud
    info = {
        "api_url": f"{stack.gateway.base_url}/api",
        "websocket_url": stack.gateway.ws_url,
        "s3_endpoint": cloud.endpoint,
        "aws_endpoint": cloud.endpoint,
        "ingest_bucket": cloud.ingest_bucket,
        "media_bucket": cloud.media_bucket,
        "table": cloud.table_name,
        "state_machine_arn": cloud.state_machine_arn,
        "data_dir": str(folder),
        "notifications": str(folder / FILE_NAME),
        **drop_timing(),
    }
    write_state(ADDRESS, {**info, "pid": os.getpid(), "work_dir": str(work)})
    console.print("[bold green]reelflow is serving on the embedded local AWS[/]")
    for key, value in info.items():
        console.print(f"  {key:<18} {value}", soft_wrap=True)
    items, objects = cloud.restored
    console.print(f"  restored           {items} items, {objects} objects (--fresh starts empty)")
    if stack.recovered is not None and stack.recovered.settled:
        settled = ", ".join(f"{b} {what}" for b, what in stack.recovered.settled.items())
        console.print(f"  recovered          {settled}", soft_wrap=True)
    user = default_user()
    console.print(f"  token              reelflow token (as {user}; --user ID --tier TIER for others)")
    console.print("  API docs           " + f"{stack.gateway.base_url}/api/docs", soft_wrap=True)
    console.print("  live progress      reelflow watch BATCH_ID; notifications: reelflow events")
    console.print(f"  web app            {stack.gateway.base_url}/" + web_app_note(), soft_wrap=True)
    console.print("Press Ctrl+C to stop.")


def drop_timing() -> dict[str, float]:
    """How long a drop folder waits before it starts (read by `reelflow drop` to explain its wait)."""
    from functions.config import get_config

    config = get_config()
    return {
        "drop_quiet_period_seconds": config.drop_quiet_period_seconds,
        "drop_settle_seconds": config.drop_settle_seconds,
    }
