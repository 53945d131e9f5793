"""`reelflow watch BATCH_ID`: follow a batch of a running `serve` over the WebSocket, with the bars of
`reelflow run`. Reconnects after a dropped connection and resubscribes with `since` = the last sequence
number seen, so the server answers with a snapshot first; a gap in sequence numbers does the same."""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.progress_events import (
    PROGRESS_EVENT,
    BatchEvent,
    BatchProgress,
    BatchSnapshot,
    ProgressEvent,
    VideoEvent,
    VideoFailed,
    VideoStarted,
    VideoState,
)
from reelflow.errors import CliError, ExitCode
from reelflow.runner import _video_label, _video_status

VIDEO_STATUS = {
    "video_started": VideoStatus.PROCESSING,
    "video_progress": VideoStatus.PROCESSING,
    "video_completed": VideoStatus.COMPLETED,
    "video_failed": VideoStatus.FAILED,
    "video_cancelled": VideoStatus.CANCELLED,
}


@dataclass
class BatchView:
    """What a watcher knows of one batch, built from snapshots and events in sequence order."""

    batch_id: str
    last_sequence: int = 0
    status: BatchStatus | None = None
    progress: int = 0
    eta: int | None = None
    videos: dict[str, VideoState] = field(default_factory=dict)
    needs_snapshot: bool = False
    has_snapshot: bool = False
    # Events applied before the first snapshot: the server subscribes the connection before it reads the
    # snapshot, so a live event can overtake it; those numbered past the snapshot are applied again on it.
    early: list[ProgressEvent] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status is not None and self.status.is_terminal

    def apply(self, event: ProgressEvent) -> bool:
        """Applies the event; False when it is for another batch, already seen, or past a gap (then
        `needs_snapshot` is set and the caller resubscribes with `since`)."""
        if event.batch_id != self.batch_id:
            return False
        if isinstance(event, BatchSnapshot):
            if event.sequence < self.last_sequence and self.has_snapshot:
                return False
            overtaken = sorted(
                (e for e in self.early if e.sequence > event.sequence), key=lambda e: e.sequence
            )
            self.videos = {v.video_id: v for v in event.videos}
            self._batch(event)
            self.eta = event.estimated_time_remaining
            self.last_sequence, self.needs_snapshot = event.sequence, False
            self.has_snapshot, self.early = True, []
            for later in overtaken:
                self.apply(later)
            return True
        if event.sequence <= self.last_sequence:
            return False
        if self.last_sequence and event.sequence > self.last_sequence + 1:
            self.needs_snapshot = True
            return False
        self.last_sequence = event.sequence
        if not self.has_snapshot:
            self.early.append(event)
        if isinstance(event, BatchEvent):
            self._batch(event)
            if isinstance(event, BatchProgress):
                self.eta = event.estimated_time_remaining
        else:
            self._video(event)
        return True

    def _batch(self, event: BatchEvent | BatchSnapshot) -> None:
        self.status, self.progress = event.status, event.progress

    def _video(self, event: VideoEvent) -> None:
        known = self.videos.get(event.video_id)
        retries = known.retry_count if known else 0
        self.videos[event.video_id] = VideoState(
            video_id=event.video_id,
            position=event.position,
            name=event.name or (known.name if known else ""),
            status=VIDEO_STATUS[event.type],
            progress=event.progress,
            current_stage=event.current_stage,
            error_message=event.error_message if isinstance(event, VideoFailed) else None,
            retry_count=event.retry_count if isinstance(event, VideoStarted | VideoFailed) else retries,
        )


def video_row(video: VideoState) -> tuple[str, int, str]:
    """Label, percentage and status markup of a video's bar (as `reelflow run` draws them)."""
    as_run = {
        "position": video.position,
        "original_name": video.name,
        "status": video.status.value,
        "current_stage": video.current_stage.value if video.current_stage else None,
    }
    return _video_label(as_run), video.progress, _video_status(as_run)


def batch_row(view: BatchView) -> tuple[int, str]:
    status = view.status.value if view.status else "waiting"
    return view.progress, status + (f", ~{view.eta}s left" if view.eta else "")


class Bars:
    """The rich bars of one batch view: one overall bar and one per video, in position order."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.overall = progress.add_task("[bold]batch", total=100, status="")
        self.tasks: dict[str, TaskID] = {}

    def draw(self, view: BatchView) -> None:
        for video in sorted(view.videos.values(), key=lambda v: v.position):
            label, percent, status = video_row(video)
            if video.video_id not in self.tasks:
                self.tasks[video.video_id] = self.progress.add_task(label, total=100, status="")
            self.progress.update(self.tasks[video.video_id], completed=percent, status=status)
        percent, status = batch_row(view)
        self.progress.update(self.overall, completed=percent, status=status)


def subscribe_message(view: BatchView) -> str:
    message: dict[str, Any] = {"action": "subscribe", "batch_id": view.batch_id}
    if view.last_sequence:
        message["since"] = view.last_sequence
    return json.dumps(message)


def parse_message(data: str) -> ProgressEvent | dict[str, Any] | None:
    """An event, a control reply of the gateway (dict), or None for anything unreadable."""
    try:
        raw = json.loads(data)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    if "type" not in raw:
        return raw
    try:
        return PROGRESS_EVENT.validate_python(raw)
    except ValidationError:
        return None


class WatchRefused(Exception):
    """The gateway refused the token or the subscription (someone else's batch, or none)."""


@dataclass
class WatchOptions:
    ws_url: str
    token: str
    batch_id: str
    reconnect_seconds: float = 1.0
    max_reconnect_seconds: float = 30.0
    timeout_seconds: float | None = None


async def follow(options: WatchOptions, view: BatchView, on_change: Callable[[BatchView], None]) -> BatchView:
    """Follows the batch until it finishes, reconnecting with backoff; `on_change` redraws."""
    delay = options.reconnect_seconds
    async with aiohttp.ClientSession() as session:
        while not view.finished:
            try:
                async with session.ws_connect(options.ws_url, params={"token": options.token}) as socket:
                    delay = options.reconnect_seconds
                    await socket.send_str(subscribe_message(view))
                    async for message in socket:
                        if message.type is not aiohttp.WSMsgType.TEXT:
                            continue
                        parsed = parse_message(message.data)
                        if isinstance(parsed, dict):
                            if parsed.get("status") not in (None, 200):
                                raise WatchRefused(f"Subscription refused: {parsed.get('message')}")
                            continue
                        if parsed is None:
                            continue
                        if view.apply(parsed):
                            on_change(view)
                        elif view.needs_snapshot:
                            await socket.send_str(subscribe_message(view))
                        if view.finished:
                            return view
            except aiohttp.WSServerHandshakeError as refused:
                if refused.status in (401, 403):
                    raise WatchRefused(f"The gateway refused the connection ({refused.status})") from refused
            except (aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(delay)
            delay = min(options.max_reconnect_seconds, delay * 2)
    return view


def watch_batch(options: WatchOptions, console: Console) -> BatchView:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(bar_width=12),  # label, bar, percentage, status and time in 80 columns
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    view = BatchView(options.batch_id)
    with Progress(*columns, console=console, transient=False) as progress:
        bars = Bars(progress)
        coroutine = follow(options, view, bars.draw)
        try:
            return asyncio.run(asyncio.wait_for(coroutine, options.timeout_seconds))
        except TimeoutError as timeout:
            raise CliError(
                f"batch {options.batch_id} did not finish within {options.timeout_seconds:g} s",
                ExitCode.TIMED_OUT,
            ) from timeout
        except WatchRefused as refused:
            raise CliError(f"batch {options.batch_id}: {refused}") from refused


def run_watch(console: Console, args: Any) -> int:
    """The `watch` command: the URL of the running `serve` (or --url) and a token for --user."""
    from functions.domain.enums import Tier
    from reelflow.local.tokens import issue_token
    from reelflow.serve_address import running_address

    url = args.url or str(running_address("--url URL")["websocket_url"])
    token = args.token or issue_token(args.user, Tier(args.tier))
    try:
        view = watch_batch(
            WatchOptions(ws_url=url, token=token, batch_id=args.batch_id, timeout_seconds=args.timeout),
            console,
        )
    except CliError as error:
        if error.code is ExitCode.NOT_FOUND and "not found" in str(error).lower():
            raise CliError(
                f"batch {args.batch_id} not found for user '{args.user}'; "
                "check the id, or pass --user for the user it belongs to"
            ) from error
        raise
    return int(watch_exit_code(view))


def watch_exit_code(view: BatchView) -> ExitCode:
    """As `reelflow run`'s: 0 only when every video completed."""
    if view.status is BatchStatus.CANCELLED:
        return ExitCode.CANCELLED
    failed = any(v.status is not VideoStatus.COMPLETED for v in view.videos.values())
    return ExitCode.SOME_FAILED if failed or view.status is not BatchStatus.COMPLETED else ExitCode.OK
