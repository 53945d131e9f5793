"""`reelflow run`: one folder of videos → one batch, on an embedded local AWS of its own or (`--on-serve`) on
the running `reelflow serve`, with live progress."""

import json
import mimetypes
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import requests
from rich import box
from rich.console import Console
from rich.table import Table

from functions.domain.enums import Tier
from functions.domain.quotas import limits_for
from functions.domain.uploads import ACCEPTED
from reelflow.client import ApiClient, ApiError, download, upload_file
from reelflow.errors import CliError, ExitCode, default_user
from reelflow.folder_scan import FolderScan, prepare, scan_folder
from reelflow.local.tokens import issue_token

if TYPE_CHECKING:  # local mode is imported only by a run that starts it (not by `run --on-serve`)
    from reelflow.local.cloud import LocalCloud, LocalSettings

TERMINAL = {"completed", "failed", "cancelled"}
DOWNLOADS_AT_ONCE = 8


# What a one-shot run changes from local mode's defaults (made for `serve` and its web app): a video's
# progress written every second (3 s on AWS, 0.25 s in serve: each write is a stream record and a
# progress Lambda, all in this process), and the drop folder, which a run never uses, checked every
# minute as scheduled on AWS (every 5 s in serve).
def run_tuning(settings: "LocalSettings") -> "LocalSettings":
    return replace(settings, progress_write_interval_seconds=1.0, drop_sweep_interval_seconds=60.0)


@dataclass
class RunOptions:
    input_dir: Path
    out_dir: Path
    settings: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    tier: Tier = Tier.PRO
    timeout_seconds: float = 3600.0
    export: str | None = None  # zip | merged | playlist: also written into out_dir
    before_start: Callable[[], None] | None = None  # once the folder is checked, before the stack starts
    started: Callable[[], None] | None = None  # once the stack is up, before the batch is created
    on_serve: "ServeAddress | None" = None  # submit to this running `reelflow serve` instead


@dataclass(frozen=True)
class ServeAddress:
    """Where a running `reelflow serve` takes batches (its address file: reelflow/serve_address.py)."""

    api_url: str  # …/api
    websocket_url: str


def _video_label(video: dict[str, Any]) -> str:
    return f"{video['position']:>3} {video['original_name'][:28]:<28}"


def _video_status(video: dict[str, Any]) -> str:
    status = video["status"]
    if status == "processing" and video.get("current_stage"):
        return f"[yellow]{video['current_stage']}"
    colour = {"completed": "green", "failed": "red", "cancelled": "dim"}.get(status, "white")
    return f"[{colour}]{status}"


def run_folder(options: RunOptions, console: Console | None = None) -> dict[str, Any]:
    console = console or Console()
    folder = options.input_dir
    if not folder.exists():
        raise CliError(f"{folder}: no such folder; `reelflow run DIR` takes a folder of videos")
    if not folder.is_dir():
        raise CliError(f"{folder} is a file; `reelflow run` takes the folder that holds it: {folder.parent}")
    try:
        scan = scan_folder(folder)
    except PermissionError as error:
        raise CliError(f"{folder}: cannot list the folder (permission denied)") from error
    limit = limits_for(options.tier).max_videos_per_batch
    count = len(scan.videos) + len(scan.to_remux)
    if count > limit:
        raise CliError(
            f"{folder}: {count} videos; a {options.tier.value} batch holds at most {limit} "
            "(split the folder, or use `reelflow drop` for an archive import)",
            ExitCode.USAGE,
        )
    options.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reelflow-work-") as work:
        remuxed = Path(work) / "remuxed"
        remuxed.mkdir()
        with console.status(f"Remuxing {len(scan.to_remux)} MKV into MP4 (no re-encode)…"):
            videos = prepare(scan, remuxed)
        report_passed(console, scan)
        if not videos:
            raise CliError(
                f"{folder}: no video to run ({ACCEPTED} or MKV)"
                + (
                    f"; {len(scan.passed)} files left out, listed above"
                    if scan.passed
                    else ": the folder is empty"
                )
            )
        if options.before_start is not None:
            options.before_start()
        if options.on_serve is not None:
            results = _run_on_serve(options.on_serve, options, videos, console)
        else:
            results = _run_in_process(Path(work), options, videos, console)
    results["not_processed"] = [p.as_json() for p in scan.passed]
    write_results(options.out_dir, results)
    print_summary(console, results)
    return results


def report_passed(console: Console, scan: FolderScan) -> None:
    """Every file left out of the batch, one line each, before the batch starts."""
    for passed in scan.passed:
        label = "[red]Cannot process[/]" if passed.failed else "[dim]Skipped[/]"
        console.print(f"{label} {passed.name}: {passed.reason}", soft_wrap=True, highlight=False)


def _run_in_process(
    work: Path, options: RunOptions, videos: list[tuple[Path, str]], console: Console
) -> dict[str, Any]:
    """The batch on an embedded AWS of this process's own, started for it and stopped after it."""
    from reelflow.local.stack import LocalStack

    with LocalStack(work, tuning=run_tuning) as stack:
        if options.started is not None:
            options.started()
        token = issue_token(default_user(), options.tier)
        client = ApiClient(stack.gateway.base_url, token)
        batch = submit_and_follow(client, stack.gateway.ws_url, token, options, videos, console)
        results = collect_results(batch, options.out_dir)
        execution = execution_history(stack.cloud, batch.get("execution_arn"))
        (options.out_dir / "execution.json").write_text(json.dumps(execution, indent=2, default=str))
        if options.export:
            export_into_results(client, batch, options, results, console)
        return results


def _run_on_serve(
    serve: ServeAddress, options: RunOptions, videos: list[tuple[Path, str]], console: Console
) -> dict[str, Any]:
    """The batch on a running `reelflow serve`: nothing to start or stop, the batch kept there (its web
    app shows it)."""
    token = issue_token(default_user(), options.tier)
    client = ApiClient(serve.api_url.removesuffix("/api"), token)
    console.print(f"[bold]On serve[/] {serve.api_url}", soft_wrap=True, highlight=False)
    if options.started is not None:
        options.started()
    batch = submit_and_follow(client, serve.websocket_url, token, options, videos, console)
    results = collect_results(batch, options.out_dir)
    if options.export:
        export_into_results(client, batch, options, results, console)
    return results


def submit_and_follow(
    client: ApiClient,
    websocket_url: str,
    token: str,
    options: RunOptions,
    videos: list[tuple[Path, str]],
    console: Console,
) -> dict[str, Any]:
    """Creates, uploads and starts the batch, draws its bars from the gateway's WebSocket (its end seen
    as it happens, no detail read while it runs) and reads its detail once at the end. Ctrl+C cancels it."""
    batch_id = submit_batch(client, options, videos, console)
    from reelflow.watch import WatchOptions, watch_batch  # it imports this module

    try:
        watch_batch(
            WatchOptions(websocket_url, token, batch_id, timeout_seconds=options.timeout_seconds), console
        )
        return client.batch(batch_id)
    except KeyboardInterrupt:
        return cancel_on_interrupt(client, batch_id, console)


def submit_batch(
    client: ApiClient, options: RunOptions, videos: list[tuple[Path, str]], console: Console
) -> str:
    """Creates the batch, uploads its videos and starts it: its id."""
    created = client.create_batch(
        {
            "name": options.name or options.input_dir.resolve().name[:100] or "batch",
            "settings": options.settings,
            "files": [
                {"name": name, "size": path.stat().st_size, "content_type": mimetypes.guess_type(name)[0]}
                for path, name in videos
            ],
        }
    )
    batch_id: str = created["batch_job"]["id"]
    console.print(f"[bold]Batch[/] {batch_id}: {len(videos)} videos, execution name = batch id")
    with console.status("Uploading with presigned URLs…"):
        for target, (path, _name) in zip(created["uploads"], videos, strict=True):
            upload_file(target, path, client=client)
    started = client.start(batch_id)
    console.print(f"[bold]Execution[/] {started['job_id']}")
    if started["batch_job"]["status"] == "queued":  # the serve runs other batches: the bars wait with it
        console.print(f"[yellow]{queued_line(started['batch_job'])}[/]: it starts when a running slot frees")
    return batch_id


def queued_line(batch: dict[str, Any]) -> str:
    """A queued batch's place in the queue and since when."""
    since = batch.get("queued_at")
    clock = datetime.fromisoformat(since).astimezone().strftime("%H:%M:%S") if since else "?"
    place = batch.get("queue_position")
    return f"queued{f' #{place}' if place else ''} since {clock}"


def write_results(out_dir: Path, results: dict[str, Any]) -> None:
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))


def exit_code(results: dict[str, Any]) -> ExitCode:
    """0 when every video completed and every file was used; see ExitCode for the others."""
    batch = results["batch"]
    if batch["status"] == "cancelled":
        return ExitCode.CANCELLED
    failed = batch["status"] != "completed" or batch.get("failed_videos") or batch.get("cancelled_videos")
    if failed or any(p["status"] == "failed" for p in results.get("not_processed", [])):
        return ExitCode.SOME_FAILED
    return ExitCode.OK


def export_into_results(
    client: ApiClient, batch: dict[str, Any], options: RunOptions, results: dict[str, Any], console: Console
) -> None:
    """`run --export`: the export next to the outputs, recorded in results.json."""
    from reelflow.client import ApiError
    from reelflow.export_client import export_batch

    request = {"format": options.export, "include_failed": batch["status"] != "completed"}
    try:
        state = export_batch(client, batch["id"], request, options.out_dir, console)
    except (ApiError, CliError) as error:
        console.print(f"[red]Export failed:[/] {error}")
        results["export"] = {"error": str(error)}
    else:
        state["file"] = str(Path(state["file"]).relative_to(options.out_dir))
        results["export"] = {k: v for k, v in state.items() if k not in {"download_url", "hls_url"}}
    (options.out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))


def cancel_on_interrupt(client: ApiClient, batch_id: str, console: Console) -> dict[str, Any]:
    """Ctrl-C: cancel the batch (execution stopped, work files removed); finished videos are kept and
    land in results.json with the others marked cancelled."""
    console.print("[yellow]Interrupted: cancelling the batch…[/]")
    try:
        cancelled = client.control(batch_id, "cancel")
        console.print(
            f"Cancelled {len(cancelled['cancelled_video_ids'])} unfinished videos; "
            f"removed {cancelled['removed_objects']} work files"
        )
    except ApiError as refused:  # it finished meanwhile
        console.print(f"Not cancelled: {refused}")
    return client.batch(batch_id)


def _file_name(url: str) -> str:
    return url.split("?", 1)[0].rsplit("/", 1)[-1]


def _stage_data(url: str) -> Any:
    response = requests.get(url, timeout=60)
    return response.json() if response.ok else None


Fetch = tuple[Callable[[], Any], Callable[[Any], None]]  # what to fetch, where its result goes


def _setter(
    target: dict[str, Any], key: str, transform: Callable[[Any], Any] | None = None
) -> Callable[[Any], None]:
    """Puts a fetched value (None: nothing fetched) under `key`."""

    def put(value: Any) -> None:
        if value is not None:
            target[key] = transform(value) if transform else value

    return put


def _video_fetches(video: dict[str, Any], out_dir: Path) -> list[Fetch]:
    """A video's files to download into `out_dir/outputs` and its stages' data to inline."""
    outputs_dir = out_dir / "outputs"

    def relative(path: Path) -> str:
        return str(path.relative_to(out_dir))

    fetches: list[Fetch] = []
    completed = video["status"] == "completed"  # a cancelled video's files were removed with it
    url = video.pop("output_video_url", None)  # the embedded S3 is gone after the run: a local path
    if url and completed:  # a cancelled video's stage may have left a URL
        destination = outputs_dir / _file_name(url)
        fetches.append((partial(download, url, destination), _setter(video, "output_file", relative)))
    result = video.get("processing_result") or {}
    published = set((result.get("exporting") or {}).get("outputs") or {})
    extras: dict[str, str] = {}
    for name, artifact_url in (video.pop("artifacts", None) or {}).items():
        if name in published and completed:  # captions, poster, thumbnail, cut lists: beside the video
            extras[name] = ""  # its place, in the artifacts' order
            destination = outputs_dir / unquote(_file_name(artifact_url))
            fetches.append((partial(download, artifact_url, destination), _setter(extras, name, relative)))
        elif isinstance(result.get(name), dict):  # a stage's full data, inlined when it still exists
            fetches.append((partial(_stage_data, artifact_url), _setter(result[name], "data")))
    if extras:
        video["output_files"] = extras
    return fetches


def collect_results(batch: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """Every video's outputs downloaded beside each other (several at once) and its stages' data
    inlined, then results.json written."""
    fetches = [fetch for video in batch["videos"] for fetch in _video_fetches(video, out_dir)]
    with ThreadPoolExecutor(max_workers=DOWNLOADS_AT_ONCE) as pool:
        started = [(pool.submit(fetch), store) for fetch, store in fetches]
        for future, store in started:
            store(future.result())
    results = {"batch": {k: v for k, v in batch.items() if k != "videos"}, "videos": batch["videos"]}
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return results


def execution_history(cloud: "LocalCloud", execution_arn: str | None) -> dict[str, Any]:
    if not execution_arn:
        return {}
    sfn = cloud.client("stepfunctions")
    described = sfn.describe_execution(executionArn=execution_arn)
    deadline = time.monotonic() + 60  # the batch record settles a moment before its execution ends
    while described["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.02)  # its last transitions take tens of milliseconds: the run ends as they do
        described = sfn.describe_execution(executionArn=execution_arn)
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return {
        "name": described["name"],
        "status": described["status"],
        "startDate": described.get("startDate"),
        "stopDate": described.get("stopDate"),
        "events": [{"id": e["id"], "type": e["type"], "timestamp": e["timestamp"]} for e in events],
    }


def _outputs(video: dict[str, Any]) -> str:
    """The output video's path, and the names of the files beside it (captions, poster, cut lists)."""
    extras = ", ".join(video.get("output_files") or {})
    return str(video.get("output_file", "")) + (f"\n+ {extras}" if extras else "")


def print_summary(console: Console, results: dict[str, Any]) -> None:
    batch = results["batch"]
    table = Table(title=f"{batch['name']}: {batch['status']}", box=box.SIMPLE)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("video", overflow="fold")
    table.add_column("status", overflow="fold")
    table.add_column("duration", overflow="fold")
    table.add_column("output", overflow="fold")  # folded, never cut: the path is what the user needs
    table.add_column("note", overflow="fold")
    for video in results["videos"]:
        export = (video.get("processing_result") or {}).get("exporting") or {}
        before, after = video.get("duration"), export.get("duration")
        duration = (
            f"{before:.1f}s → {after:.1f}s" if before and after else (f"{before:.1f}s" if before else "")
        )
        table.add_row(
            str(video["position"]),
            video["original_name"],
            _video_status(video),
            duration,
            _outputs(video),
            (video.get("error_message") or "")[:60],
        )
    console.print(table)
    failed = batch.get("failed_videos") or 0
    if failed:
        reason = f": {batch['error_message']}" if batch.get("error_message") else ""
        console.print(f"[red]{failed} of {batch['total_videos']} videos failed[/]{reason} (see results.json)")
    if batch.get("cancelled_videos"):
        console.print(f"{batch['cancelled_videos']} videos cancelled")
