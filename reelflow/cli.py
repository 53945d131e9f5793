"""The `reelflow` command: run, demo, serve, token, executions, openapi, bench, export, watch, cuts."""

import argparse
import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, TypeAlias, cast, get_args

from pydantic import ValidationError
from rich.console import Console

from functions.domain.enums import Tier
from functions.domain.settings import BatchSettings
from reelflow import process_gc
from reelflow.bench_export import add_arguments as add_bench_export_arguments
from reelflow.bench_long import add_arguments as add_bench_long_arguments
from reelflow.errors import CliError, ExitCode, default_user, describe, suggestion

console = Console()


class Parser(argparse.ArgumentParser):
    """argparse that reports a mistake as one line, with the closest flag or command when one is near
    (argparse's own `suggest_on_error` arrives only in Python 3.14)."""

    def error(self, message: str) -> NoReturn:
        invalid = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if invalid:
            message += suggestion(invalid.group(1), re.findall(r"'([^']*)'", invalid.group(2)))
        raise CliError(f"{message} (see `{self.prog} --help`)", ExitCode.USAGE)

    def flags(self) -> list[str]:
        return [flag for action in self._actions for flag in action.option_strings]


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_settings_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per BatchSettings field, named after it in kebab case (defaults stay the model's)."""
    group = parser.add_argument_group("processing settings (defaults in parentheses)")
    group.add_argument(
        "--settings", type=Path, metavar="FILE", help="JSON file with settings; flags override it"
    )
    for name, info in BatchSettings.model_fields.items():
        annotation = info.annotation
        default = info.get_default(call_default_factory=True)
        help_text = (
            f"{info.description or ''} ({default if not isinstance(default, Enum) else default.value})"
        )
        if annotation is bool:
            group.add_argument(
                _flag(name), dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text
            )
        elif isinstance(annotation, type) and issubclass(annotation, Enum):
            group.add_argument(
                _flag(name), dest=name, choices=[m.value for m in annotation], default=None, help=help_text
            )
        elif annotation is float:
            group.add_argument(_flag(name), dest=name, type=float, default=None, help=help_text)
        elif name == "keywords" or list in (getattr(annotation, "__origin__", None), *get_args(annotation)):
            group.add_argument(
                _flag(name),
                dest=name,
                default=None,
                metavar="WORD,WORD",
                help="Comma-separated words that mark a highlight when spoken.",
            )


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if args.settings:
        data.update(read_settings_file(args.settings))
    for name in BatchSettings.model_fields:
        value = getattr(args, name, None)
        if value is not None:
            data[name] = value
    try:
        return BatchSettings.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        raise CliError(f"invalid settings: {problems}", ExitCode.USAGE) from error


def read_settings_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise CliError(
            f"{path}: no such settings file (--settings takes a JSON file)", ExitCode.USAGE
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"{path}: cannot read the settings file ({error})", ExitCode.USAGE) from error
    except ValueError as error:
        raise CliError(f"{path}: not valid JSON ({error})", ExitCode.USAGE) from error
    if not isinstance(data, dict):
        raise CliError(f"{path}: settings must be a JSON object of setting names", ExitCode.USAGE)
    return data


def announce_logs(args: argparse.Namespace) -> None:
    """The functions run in this process: their logs go to a file (printed) unless --verbose."""
    from reelflow.cli_logging import route_logs

    path = route_logs(args.command, args.verbose)
    if path is not None:
        console.print(f"[dim]Logs: {path} (--verbose prints them here)[/]", soft_wrap=True, highlight=False)


def cmd_run(args: argparse.Namespace) -> int:
    from reelflow.runner import RunOptions, ServeAddress, exit_code, run_folder
    from reelflow.stopping import interrupt_on_sigterm

    interrupt_on_sigterm()
    on_serve = None
    if args.on_serve:
        from reelflow.serve_address import running_address

        address = running_address("")
        on_serve = ServeAddress(str(address["api_url"]), str(address["websocket_url"]))
    try:
        results = run_folder(
            RunOptions(
                input_dir=args.dir,
                out_dir=args.out,
                settings=settings_from_args(args),
                name=args.name,
                tier=Tier(args.tier),
                export=args.export,
                # the functions' logs are this process's only when it runs them
                before_start=None if on_serve else lambda: announce_logs(args),
                started=process_gc.settle,
                on_serve=on_serve,
            ),
            console,
        )
    except KeyboardInterrupt:
        console.print("Stopped.")
        return ExitCode.INTERRUPTED
    console.print(f"Results: {args.out / 'results.json'}")
    if results["batch"]["status"] == "cancelled":  # only Ctrl-C cancels a run's batch
        return ExitCode.INTERRUPTED
    return exit_code(results)


def cmd_demo(args: argparse.Namespace) -> int:
    from reelflow.local.samples import demo_samples, have_espeak
    from reelflow.runner import RunOptions, exit_code, run_folder

    announce_logs(args)
    samples = args.out / "samples"
    with console.status("Generating sample videos (mp4, mov, webm)…"):
        demo_samples(samples, include_broken=args.with_broken)
    if not have_espeak():
        console.print(
            "[yellow]espeak-ng is not installed: the samples carry tones instead of speech, "
            "so the transcripts will be empty (apt-get install espeak-ng)."
        )
    settings = settings_from_args(args)
    if args.keywords is None and settings.get("transcribe", True) and settings.get("detect_highlights", True):
        settings["keywords"] = ["important", "amazing"]
    settings.update(demo_extras(args, settings))
    results = run_folder(
        RunOptions(
            input_dir=samples,
            out_dir=args.out,
            settings=settings,
            name="reelflow demo",
            started=process_gc.settle,
        ),
        console,
    )
    console.print(f"Outputs in {args.out / 'outputs'}, summary in {args.out / 'results.json'}")
    return exit_code(results)


# They start local mode, settle the collector once it is up and end the process without the teardown
# (reelflow/process_gc.py); every other command settles it before it runs.
STARTS_LOCAL_MODE = (cmd_run, cmd_demo)


def demo_extras(args: argparse.Namespace, settings: dict[str, Any]) -> dict[str, Any]:
    """The demo shows what the export publishes beside each video: captions (when there is a transcript),
    the cut lists and vertical highlight clips (when highlights are detected), unless a flag or the
    settings file chose otherwise."""
    chosen = read_settings_file(args.settings) if args.settings else {}
    extras: dict[str, Any] = {}
    if args.captions is None and "captions" not in chosen and settings.get("transcribe", True):
        extras["captions"] = "sidecar"
    if args.cut_lists is None and "cut_lists" not in chosen:
        extras["cut_lists"] = True
    highlights = settings.get("detect_highlights", True)
    if args.highlight_clips is None and "highlight_clips" not in chosen and highlights:
        extras["highlight_clips"] = "vertical"
    return extras


def cmd_serve(args: argparse.Namespace) -> int:
    from reelflow.serving import serve

    announce_logs(args)
    return serve(console, args.port, args.moto_port, args.data_dir, args.fresh)


def cmd_token(args: argparse.Namespace) -> int:
    from reelflow.local.tokens import issue_token

    print(issue_token(args.user, Tier(args.tier), ttl_seconds=args.ttl))
    return 0


def cmd_executions(args: argparse.Namespace) -> int:
    from reelflow.inspect import list_executions, show_execution

    return (
        show_execution(console, args.id, args.endpoint)
        if args.id
        else list_executions(console, args.endpoint)
    )


def cmd_capacity(args: argparse.Namespace) -> int:
    from reelflow.capacity_cli import CAPS, run_capacity

    return run_capacity(console, args.endpoint, args.table, {cap: getattr(args, cap) for cap in CAPS})


def cmd_simulate(args: argparse.Namespace) -> int:
    from reelflow.simulate import run_simulate

    return run_simulate(console, args)


def cmd_openapi(args: argparse.Namespace) -> int:
    from functions.handlers.api import app

    document = app.get_openapi_json_schema(title="reelflow API", version="1.0.0")
    if str(args.path) == "-":
        print(document)
    else:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(json.dumps(json.loads(document), indent=2) + "\n")
        console.print(f"OpenAPI written to {args.path}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.target == "export":
        return cmd_bench_export(args)
    if args.target == "long":
        from reelflow.bench_long import run_long_benchmark

        return run_long_benchmark(console, args)
    if args.target == "local":
        from reelflow.bench_local import run_local_benchmark

        return run_local_benchmark(console, args)
    from reelflow.bench import run_benchmark

    return run_benchmark(console, args)


def cmd_bench_export(args: argparse.Namespace) -> int:
    from reelflow.bench_export import run_export_benchmark

    return run_export_benchmark(console, args)


def cmd_watch(args: argparse.Namespace) -> int:
    from reelflow.watch import run_watch

    return run_watch(console, args)


def cmd_cuts(args: argparse.Namespace) -> int:
    from reelflow.dry_run import print_cuts

    return print_cuts(console, args)


Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _batch_commands(sub: Subparsers) -> None:

    run = sub.add_parser("run", help="Process every video in a folder as one batch on the embedded local AWS")
    run.add_argument("dir", type=Path, help="Folder holding the videos (mp4, mov, avi, webm)")
    run.add_argument("--out", type=Path, default=Path("reelflow-out"), help="Output folder (reelflow-out)")
    run.add_argument("--name", help="Batch name (the folder's name)")
    run.add_argument(
        "--tier", choices=[t.value for t in Tier], default=Tier.PRO.value, help="Plan to run as (pro)"
    )
    run.add_argument(
        "--export",
        choices=["zip", "merged", "playlist"],
        help="Also write this export into the output folder",
    )
    run.add_argument(
        "--on-serve",
        action="store_true",
        help="Run the batch on the running `reelflow serve` (it starts nothing; the batch stays there)",
    )
    add_settings_flags(run)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="Generate sample videos and run them through the whole pipeline")
    demo.add_argument("--out", type=Path, default=Path("reelflow-demo"), help="Output folder (reelflow-demo)")
    demo.add_argument(
        "--with-broken", action="store_true", help="Add a corrupt file to show failure isolation"
    )
    add_settings_flags(demo)
    demo.set_defaults(func=cmd_demo)


def _serve_commands(sub: Subparsers) -> None:
    serve = sub.add_parser("serve", help="Start the embedded local AWS and the local API gateway")
    serve.add_argument("--port", type=int, default=8000, help="Gateway port (8000; 0 picks a free one)")
    serve.add_argument(
        "--moto-port", type=int, default=0, help="Port of the embedded AWS endpoint (any free)"
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        help="Where the table and the objects are kept across restarts ($REELFLOW_HOME/data)",
    )
    serve.add_argument("--fresh", action="store_true", help="Start empty: delete the kept table and objects")
    serve.set_defaults(func=cmd_serve)

    token = sub.add_parser("token", help="Print a bearer token the local gateway accepts")
    token.add_argument(
        "--user", default=default_user(), help=f"User id ({default_user()}, or $REELFLOW_USER)"
    )
    token.add_argument("--tier", choices=[t.value for t in Tier], default=Tier.FREE.value)
    token.add_argument("--ttl", type=int, default=12 * 3600, help="Lifetime in seconds (12 h)")
    token.set_defaults(func=cmd_token)

    executions = sub.add_parser(
        "executions", help="List executions of a running `reelflow serve`, or show one"
    )
    executions.add_argument("id", nargs="?", help="Execution name (the batch id) or ARN")
    executions.add_argument(
        "--endpoint", help="Embedded AWS endpoint (read from the running serve by default)"
    )
    executions.set_defaults(func=cmd_executions)

    from reelflow.capacity_cli import CAPS

    capacity = sub.add_parser("capacity", help="Show or change the service's global caps (no redeploy)")
    for cap in CAPS:
        capacity.add_argument(
            f"--{cap.replace('_', '-')}", type=int, help=f"New cap: {cap.replace('_', ' ')} at once"
        )
    capacity.add_argument("--endpoint", help="AWS endpoint (the running serve's by default)")
    capacity.add_argument("--table", help="Table name (the running serve's by default; on AWS: the stack's)")
    capacity.set_defaults(func=cmd_capacity)

    from reelflow.simulate import add_arguments as add_simulate_arguments

    simulate = sub.add_parser(
        "simulate", help="Simulate a day of thousands of users on the real admission code"
    )
    add_simulate_arguments(simulate)
    simulate.set_defaults(func=cmd_simulate)


def _tool_commands(sub: Subparsers) -> None:
    openapi = sub.add_parser("openapi", help="Write the OpenAPI document generated from the code")
    openapi.add_argument("path", nargs="?", type=Path, default=Path("docs/openapi.json"))
    openapi.set_defaults(func=cmd_openapi)

    bench = sub.add_parser(
        "bench",
        help="Measure stage speeds against a plain ffmpeg re-encode (`bench local`: local mode's memory, "
        "API latency and orchestration overhead; `bench export`: peak memory of a streaming ZIP export)",
    )
    bench.add_argument(
        "target",
        nargs="?",
        choices=["media", "local", "export", "long"],
        default="media",
        help="What to measure (media)",
    )
    bench.add_argument("--creations", type=int, default=100, help="local: batches created (100)")
    bench.add_argument("--videos", type=int, default=50, help="local: videos per batch (50)")
    bench.add_argument("--reads", type=int, default=100, help="local: GETs timed for each read (100)")
    bench.add_argument("--clip-seconds", type=float, default=2.0, help="local: length of the `run` clip (2)")
    bench.add_argument("--minutes", type=float, default=3.0, help="Length of the generated talk (3)")
    bench.add_argument("--dir", type=Path, default=Path("bench-out"), help="Where media is generated/reused")
    bench.add_argument("--skip-transcription", action="store_true", help="Leave out the speech model")
    add_bench_export_arguments(bench)  # export: --counts, --video-mb
    add_bench_long_arguments(bench)  # long: --lengths, --s3-mbps, --scale-to, --json
    bench.set_defaults(func=cmd_bench)

    bench_export = sub.add_parser("bench-export", help="Same as `reelflow bench export` (kept as an alias)")
    add_bench_export_arguments(bench_export)
    bench_export.set_defaults(func=cmd_bench_export)

    cuts = sub.add_parser(
        "cuts", help="Dry run of silence removal: print the cuts for a file, render nothing"
    )
    cuts.add_argument("file", type=Path)
    cuts.add_argument("--silence-threshold", type=float, default=-35.0, help="dBFS (-35)")
    cuts.add_argument("--min-silence-duration", type=float, default=1.0, help="seconds (1.0)")
    cuts.add_argument("--margin", type=float, default=0.2, help="seconds (0.2)")
    cuts.add_argument("--json", action="store_true", help="Print the plan as JSON")
    cuts.set_defaults(func=cmd_cuts)

    watch = sub.add_parser(
        "watch", help="Follow a batch of a running `reelflow serve` live over the WebSocket"
    )
    watch.add_argument("batch_id")
    watch.add_argument("--url", help="WebSocket URL (read from the running serve by default)")
    watch.add_argument("--token", help="Bearer token (by default one is issued for --user)")
    watch.add_argument("--user", default=default_user(), help=f"User the batch belongs to ({default_user()})")
    watch.add_argument("--tier", choices=[t.value for t in Tier], default=Tier.PRO.value)
    watch.add_argument("--timeout", type=float, default=None, help="Give up after this many seconds")
    watch.set_defaults(func=cmd_watch)


def cmd_export(args: argparse.Namespace) -> int:
    from reelflow.export_client import run_export_command

    return run_export_command(console, args)


def _export_commands(sub: Subparsers) -> None:
    from reelflow.export_client import FORMATS

    export = sub.add_parser("export", help="Export a batch of a running `reelflow serve` and download it")
    export.add_argument("batch_id")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--include-failed", action="store_true", help="Also the failed videos' originals")
    export.add_argument("--naming", help="ZIP entry pattern: {position} {name} {ext} {batch}")
    export.add_argument("--hls", action="store_true", help="playlist: also an HLS rendition")
    export.add_argument("--out", type=Path, default=Path("."), help="Folder the export is written to (.)")
    export.add_argument("--api-url", help="API base URL (read from the running serve by default)")
    export.add_argument("--token", help="Bearer token (by default one is issued for --user)")
    export.add_argument(
        "--user", default=default_user(), help=f"User the batch belongs to ({default_user()})"
    )
    export.add_argument("--tier", choices=[t.value for t in Tier], default=Tier.PRO.value)
    export.add_argument("--timeout", type=float, default=3600.0, help="Give up after this many seconds")
    export.set_defaults(func=cmd_export)


def _control_commands(sub: Subparsers) -> None:
    from reelflow.control import add_control_commands

    add_control_commands(sub)


def cmd_drop(args: argparse.Namespace) -> int:
    from reelflow.drop import run_drop

    return run_drop(console, args)


def _drop_commands(sub: Subparsers) -> None:
    drop = sub.add_parser(
        "drop", help="Upload a folder into the drop folder of a running `reelflow serve`; print its batch"
    )
    drop.add_argument("dir", help="The folder: videos, an optional batch.json, anything else is skipped")
    drop.add_argument("--name", help="The folder name in the drop folder (default: DIR's name)")
    drop.add_argument("--user", default=default_user(), help=f"Whose drop folder ({default_user()})")
    drop.add_argument("--tier", choices=[t.value for t in Tier], default=Tier.PRO.value, help="for the API")
    drop.add_argument("--start", action="store_true", help="Add a _start marker: start once complete")
    drop.add_argument("--timeout", type=float, default=600, help="Seconds to wait for the start (600)")
    aws = drop.add_argument_group("AWS mode (docs/drop-folder.md): your own drop folder on a deployment")
    aws.add_argument("--aws", action="store_true", help="Sign in with Cognito and upload to the deployment")
    aws.add_argument(
        "--outputs", default="outputs.json", help="The stack's outputs (cdk deploy --outputs-file)"
    )
    aws.add_argument(
        "--username", help="Your user name (e-mail); the password is asked, or $REELFLOW_PASSWORD"
    )
    aws.add_argument("--endpoint", help=argparse.SUPPRESS)  # tests: local mode's Cognito stand-in
    drop.set_defaults(func=cmd_drop)


def _global_flags(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--debug", action="store_true", default=default, help="Show tracebacks of errors")
    parser.add_argument(
        "--verbose", action="store_true", default=default, help="Print the functions' logs on the terminal"
    )


def build_parser() -> Parser:
    parser = Parser(prog="reelflow", description="Batch video processing, locally or on AWS.")
    _global_flags(parser, False)
    sub = cast(Subparsers, parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    _batch_commands(sub)
    _serve_commands(sub)
    _tool_commands(sub)
    _export_commands(sub)
    _progress_commands(sub)
    _control_commands(sub)
    _drop_commands(sub)
    for command in sub.choices.values():  # after the command too: `reelflow run DIR --debug`
        _global_flags(command, argparse.SUPPRESS)
    return parser


def _progress_commands(sub: Subparsers) -> None:
    events = sub.add_parser(
        "events", help="Batch notifications (Batch Completed/Failed/Cancelled) of a running `reelflow serve`"
    )
    events.add_argument("--follow", action="store_true", help="Keep printing new ones (Ctrl+C stops)")
    events.add_argument("--limit", type=int, default=0, help="Only the last N")
    events.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    events.add_argument("--file", help="Read this notifications file instead of the running serve's")
    events.set_defaults(func=cmd_events)


def cmd_events(args: argparse.Namespace) -> int:
    from reelflow.events_cli import run_events

    return run_events(console, args)


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return cast(dict[str, argparse.ArgumentParser], action.choices)


def _mistyped_flag(command: argparse.ArgumentParser | None, argv: list[str]) -> CliError | None:
    if not isinstance(command, Parser):
        return None
    flags = command.flags()
    for word in argv:
        flag = word.split("=", 1)[0]
        if flag.startswith("--") and flag not in flags and not any(f.startswith(flag) for f in flags):
            return CliError(
                f"unrecognized argument: {flag}{suggestion(flag, flags)} (see `{command.prog} --help`)",
                ExitCode.USAGE,
            )
    return None


def _unknown(parser: Parser, args: argparse.Namespace, extras: list[str]) -> CliError:
    command = commands(parser)[args.command]
    flags = command.flags() if isinstance(command, Parser) else []
    first = extras[0].split("=", 1)[0]
    hint = suggestion(first, flags) if first.startswith("-") else ""
    return CliError(
        f"unrecognized arguments: {' '.join(extras)}{hint} (see `reelflow {args.command} --help`)",
        ExitCode.USAGE,
    )


def main(argv: list[str] | None = None) -> int:
    program = argv is None  # the process's own command line: it ends when this returns
    if program:
        process_gc.hold()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    parser = build_parser()
    known = commands(parser)
    command = next((a for a in argv if not a.startswith("-")), "")
    command = command if command in known else ""
    try:
        try:
            args, extras = parser.parse_known_args(argv)
        except CliError:
            typo = _mistyped_flag(known.get(command), argv)  # e.g. --fromat reported as "--format missing"
            if typo is not None:
                raise typo from None
            raise
        if extras:
            raise _unknown(parser, args, extras)
        if program and args.func not in STARTS_LOCAL_MODE:
            process_gc.settle()
        result: int = args.func(args)
        if program and args.func in STARTS_LOCAL_MODE:
            process_gc.end(result)
        return result
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            raise
        if debug:
            raise
        return _fail(command, CliError(str(exit_.code)))
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as error:
        if debug:
            raise
        return _fail(command, error)


def _fail(command: str, error: BaseException) -> int:
    line, code = describe(error)
    prefix = f"reelflow {command}" if command else "reelflow"
    print(f"{prefix}: error: {line}", file=sys.stderr)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
