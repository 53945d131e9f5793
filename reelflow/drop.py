"""`reelflow drop DIR`: put a folder into a drop folder with boto3, as a user would with `aws s3 cp
--recursive` (multipart for large files, with progress), and print the batch it became.

Local mode (default): into the drop folder of a running `reelflow serve`, as `--user`.
AWS mode (`--aws`): sign in to the deployment's Cognito user pool (USER_PASSWORD_AUTH through the CLI's
app client), exchange the ID token for the creator role's credentials at the identity pool (`GetId`,
`GetCredentialsForIdentity`) and upload under `dropbox/{your sub}/`: the only place the role may write.
The deployment is described by the stack's outputs (`cdk deploy --outputs-file outputs.json`).
"""

import argparse
import base64
import getpass
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

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
from reelflow.serve_address import running_address

TRANSFER = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=DEFAULT_PART_SIZE)


@dataclass(frozen=True)
class CreatorCredentials:
    """The creator role's temporary credentials, and whose drop folder they open (the token's sub)."""

    user_id: str
    access_key: str
    secret_key: str
    token: str
    expiration: datetime


@dataclass(frozen=True)
class CreatorSession:
    credentials: CreatorCredentials
    region: str

    def client(self, service: str, endpoint_url: str | None = None) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name=self.region,
            endpoint_url=endpoint_url,
            aws_access_key_id=self.credentials.access_key,
            aws_secret_access_key=self.credentials.secret_key,
            aws_session_token=self.credentials.token,
        )


def _unsigned(service: str, region: str, endpoint: str | None) -> Any:
    """Cognito's sign-in and identity calls take no AWS credentials."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint,
        config=Config(signature_version=UNSIGNED),
    )


def sign_in(region: str, client_id: str, username: str, password: str, endpoint: str | None = None) -> str:
    """An ID token of the user pool (USER_PASSWORD_AUTH); a challenge (new password, MFA) is refused
    with what to do."""
    idp = _unsigned("cognito-idp", region, endpoint)
    answer = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    if "AuthenticationResult" not in answer:
        challenge = answer.get("ChallengeName", "an unknown challenge")
        raise SystemExit(f"Sign-in needs {challenge}: finish it in the web app once, then retry")
    return str(answer["AuthenticationResult"]["IdToken"])


def token_subject(id_token: str) -> str:
    payload = id_token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def creator_session(
    region: str,
    user_pool_id: str,
    client_id: str,
    identity_pool_id: str,
    id_token: str,
    endpoint: str | None = None,
) -> CreatorSession:
    """The identity pool's credentials for the signed-in user (an hour; sign in again after)."""
    del client_id  # the token names its client; kept so callers pass the deployment's outputs as they are
    identity = _unsigned("cognito-identity", region, endpoint)
    logins = {f"cognito-idp.{region}.amazonaws.com/{user_pool_id}": id_token}
    identity_id = identity.get_id(IdentityPoolId=identity_pool_id, Logins=logins)["IdentityId"]
    issued = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    credentials = CreatorCredentials(
        token_subject(id_token),
        issued["AccessKeyId"],
        issued["SecretKey"],
        issued["SessionToken"],
        issued["Expiration"],
    )
    return CreatorSession(credentials, region)


def upload_folder(
    s3: Any, bucket: str, folder: Path, user_id: str, name: str, start: bool, console: Console | None = None
) -> list[str]:
    """Every file directly in `folder` (and its sub-folders, which the batch lists as skipped); files
    over the multipart threshold go in parts. With a console, a progress bar per file."""
    prefix = folder_prefix(user_id, name)
    keys = []
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        disable=console is None,
    ) as progress:
        for path in files:
            key = prefix + path.relative_to(folder).as_posix()
            task = progress.add_task(path.name, total=path.stat().st_size)
            s3.upload_file(
                str(path),
                bucket,
                key,
                Config=TRANSFER,
                Callback=lambda sent, task=task: progress.advance(task, sent),
            )
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
class Deployment:
    """What `reelflow drop --aws` needs from the stack's outputs."""

    region: str
    user_pool_id: str
    client_id: str
    identity_pool_id: str
    bucket: str

    @classmethod
    def from_outputs(cls, path: Path) -> "Deployment":
        """`cdk deploy --outputs-file` writes {stack: {output: value}}; a flat {output: value} also works."""
        data = json.loads(path.read_text())
        outputs = (
            next(iter(data.values()))
            if len(data) == 1 and isinstance(next(iter(data.values())), dict)
            else data
        )
        try:
            return cls(
                outputs["Region"],
                outputs["UserPoolId"],
                outputs["CliClientId"],
                outputs["IdentityPoolId"],
                outputs["IngestBucketName"],
            )
        except KeyError as missing:
            raise SystemExit(f"{path} has no {missing} output: deploy the current stack") from None


def run_drop_aws(console: Console, args: argparse.Namespace) -> int:
    """Sign in, get the creator role's credentials, upload under dropbox/{sub}/{name}/."""
    folder = Path(args.dir)
    if not folder.is_dir():
        raise SystemExit(f"{folder} is not a folder")
    deployment = Deployment.from_outputs(Path(args.outputs))
    username = args.username or input("Username (e-mail): ")
    password = os.environ.get("REELFLOW_PASSWORD") or getpass.getpass("Password: ")
    endpoint = args.endpoint
    try:
        token = sign_in(deployment.region, deployment.client_id, username, password, endpoint)
        session = creator_session(
            deployment.region,
            deployment.user_pool_id,
            deployment.client_id,
            deployment.identity_pool_id,
            token,
            endpoint,
        )
    except ClientError as error:
        raise SystemExit(f"Sign-in refused: {error.response['Error'].get('Message', error)}") from None
    name = args.name or folder.resolve().name
    user_id = session.credentials.user_id
    s3 = session.client("s3", endpoint_url=endpoint)
    try:
        keys = upload_folder(s3, deployment.bucket, folder, user_id, name, args.start, console)
    except ClientError as error:
        raise SystemExit(f"Upload refused: {error.response['Error'].get('Message', error)}") from None
    console.print(f"Uploaded {len(keys)} files to s3://{deployment.bucket}/{folder_prefix(user_id, name)}")
    console.print(
        f"[bold]Batch[/] {drop_batch_id(user_id, name)} ('{name}'): see it with the web app or the API"
    )
    return 0


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
    if getattr(args, "aws", False):
        return run_drop_aws(console, args)
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
    keys = upload_folder(s3, state["ingest_bucket"], folder, args.user, name, args.start, console)
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
