"""In-memory object store, workflow engine and transcriber."""

import hashlib
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from functions.domain.batch_control import ExecutionStatus
from functions.domain.errors import InvalidRequest, NotFound, SourceChangedError
from functions.domain.exports import ArchiveEntry, ExportProgress, adding
from functions.domain.links import Link, SignedRead
from functions.domain.state_machine_arns import execution_arn
from functions.domain.stored_objects import StoredObject
from functions.domain.upload_limits import CompletedPart


class FakeObjectStore:
    """Objects as files under `root`/bucket/key. A presigned GET is the file's path (ffprobe reads it
    as it reads an HTTPS URL); a presigned PUT is a fake-scheme string, never fetched."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.uploads: dict[str, _Upload] = {}
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.modified: dict[tuple[str, str], datetime] = {}
        self.credentials_expire: datetime | None = None

    def _path(self, bucket: str, key: str) -> Path:
        return self.root / bucket / key

    def presigned_put(
        self, bucket: str, key: str, expires_in: int, content_type: str | None = None, size: int | None = None
    ) -> tuple[str, dict[str, str]]:
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if size is not None:
            headers["Content-Length"] = str(size)
        return f"memory://{bucket}/{quote(key)}?expires={expires_in}", headers

    def presigned_get(self, bucket: str, key: str, expires_in: int, download_name: str | None = None) -> str:
        return str(self._path(bucket, key))

    def signed_read(self, bucket: str, key: str, expires_in: int, if_match: str | None = None) -> SignedRead:
        """The file's path (ffmpeg reads it in ranges as it reads a URL). A path sends no If-Match, so the
        version is checked here, when the read is signed."""
        path = self._path(bucket, key)
        if if_match is not None and _etag(path.read_bytes()).strip('"') != if_match.strip('"'):
            raise SourceChangedError(key.rsplit("/", 1)[-1])  # what S3 answers the first ranged GET: 412
        return SignedRead(str(path))

    def signed_link(self, bucket: str, key: str, expires_in: int, download_name: str | None = None) -> Link:
        return Link(
            self.presigned_get(bucket, key, expires_in, download_name),
            self.clock() + timedelta(seconds=expires_in),
        )

    def signing_credentials_expire(self) -> datetime | None:
        return self.credentials_expire

    def head(self, bucket: str, key: str) -> dict[str, Any] | None:
        path = self._path(bucket, key)
        if not path.exists():
            return None
        return {"ContentLength": path.stat().st_size, "ETag": _etag(path.read_bytes())}

    def download(self, bucket: str, key: str, destination: Path, if_match: str | None = None) -> Path:
        body = self._path(bucket, key).read_bytes()
        if if_match is not None and _etag(body).strip('"') != if_match.strip('"'):
            raise SourceChangedError(key.rsplit("/", 1)[-1])  # S3's 412 PreconditionFailed
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(body)
        return destination

    def upload(self, source: Path, bucket: str, key: str, content_type: str | None = None) -> None:
        self.put_bytes(bucket, key, source.read_bytes())

    def put_json(self, bucket: str, key: str, data: Any) -> None:
        self.put_bytes(bucket, key, json.dumps(data, default=str).encode())

    def get_json(self, bucket: str, key: str) -> Any:
        return json.loads(self._path(bucket, key).read_bytes())

    def put_bytes(self, bucket: str, key: str, body: bytes, content_type: str | None = None) -> None:
        """Also what a test uses to play the client's upload."""
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.modified[(bucket, key)] = self.clock()

    def write_zip(
        self,
        entries: Sequence[ArchiveEntry],
        bucket: str,
        key: str,
        extra: Mapping[str, bytes],
        on_progress: Callable[[ExportProgress], None] | None = None,
    ) -> int:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for index, entry in enumerate(entries):
                if on_progress is not None:
                    on_progress(
                        ExportProgress(index, len(entries), operation=adding(index + 1, len(entries)))
                    )
                archive.write(self._path(entry.bucket, entry.key), entry.name)
            for name, data in extra.items():
                archive.writestr(name, data)
        return path.stat().st_size

    def exists(self, bucket: str, key: str) -> bool:
        return self._path(bucket, key).exists()

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        if not prefix:
            raise ValueError("refusing to delete a whole bucket (empty prefix)")
        base = self.root / bucket
        doomed = [
            p for p in base.rglob("*") if p.is_file() and p.relative_to(base).as_posix().startswith(prefix)
        ]
        for path in doomed:
            path.unlink()
        return len(doomed)

    def keys(self, bucket: str) -> list[str]:
        base = self.root / bucket
        return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())

    def get_bytes(self, bucket: str, key: str) -> bytes:
        return self._path(bucket, key).read_bytes()

    def list_objects(self, bucket: str, prefix: str) -> list[StoredObject]:
        root = self.root / bucket
        found = []
        for path in sorted(root.rglob("*")) if root.exists() else []:
            key = path.relative_to(root).as_posix()
            if path.is_file() and key.startswith(prefix):
                modified = self.modified.get((bucket, key)) or datetime.fromtimestamp(
                    path.stat().st_mtime, UTC
                )
                found.append(StoredObject(key, path.stat().st_size, _etag(path.read_bytes()), modified))
        return found

    # ---- multipart: parts kept in memory until complete ------------------------------------------

    def start_multipart(self, bucket: str, key: str, content_type: str | None) -> str:
        upload_id = f"upload-{len(self.uploads) + 1}"
        self.uploads[upload_id] = _Upload(bucket, key, self.clock())
        return upload_id

    def presigned_part(
        self, bucket: str, key: str, upload_id: str, part_number: int, size: int, expires_in: int
    ) -> str:
        return f"memory://{bucket}/{quote(key)}?uploadId={upload_id}&partNumber={part_number}&size={size}"

    def list_parts(self, bucket: str, key: str, upload_id: str) -> list[CompletedPart]:
        upload = self._upload(upload_id)
        return [CompletedPart(n, _etag(body), len(body)) for n, body in sorted(upload.parts.items())]

    def complete_multipart(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[CompletedPart]
    ) -> None:
        upload = self._upload(upload_id)
        for part in parts:
            body = upload.parts.get(part.part_number)
            if body is None or _etag(body) != part.etag:
                raise InvalidRequest(f"S3 refused the parts: part {part.part_number} has another ETag")
        self.put_bytes(bucket, key, b"".join(upload.parts[p.part_number] for p in parts))
        del self.uploads[upload_id]

    def abort_multipart(self, bucket: str, key: str, upload_id: str) -> None:
        self.uploads.pop(upload_id, None)

    def multipart_uploads(self, bucket: str, prefix: str) -> list[datetime]:
        return [
            u.started_at for u in self.uploads.values() if u.bucket == bucket and u.key.startswith(prefix)
        ]

    def _upload(self, upload_id: str) -> "_Upload":
        if upload_id not in self.uploads:
            raise NotFound("The upload was completed or aborted; start a new one")
        return self.uploads[upload_id]


@dataclass
class _Upload:
    bucket: str
    key: str
    started_at: datetime
    parts: dict[int, bytes] = field(default_factory=dict)


def _etag(body: bytes) -> str:
    return f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'


class FakeWorkflow:
    """Records executions and task answers; a repeated execution name returns the first ARN."""

    def __init__(self, state_machine_arn: str = "arn:aws:states:us-east-1:1:stateMachine:batch") -> None:
        self.state_machine_arn = state_machine_arn
        self.executions: dict[str, dict[str, Any]] = {}
        self.successes: list[tuple[str, dict[str, Any]]] = []
        self.failures: list[tuple[str, str, str]] = []
        self.heartbeats: list[str] = []
        self.fail_next_start: Exception | None = None
        self.statuses: dict[str, str] = {}  # a test ends an execution by setting its status here
        self.stopped: list[tuple[str, str, str]] = []
        self.finished: set[str] = set()  # names of executions that have ended (stop answers False)

    def start(self, name: str, payload: dict[str, Any]) -> str:
        if self.fail_next_start is not None:
            error, self.fail_next_start = self.fail_next_start, None
            raise error
        self.executions.setdefault(name, payload)
        self.statuses.setdefault(name, "RUNNING")
        return self.execution_arn(name)

    def status(self, name: str) -> ExecutionStatus | None:
        return cast(ExecutionStatus, self.statuses[name]) if name in self.statuses else None

    def execution_arn(self, name: str) -> str:
        return execution_arn(self.state_machine_arn, name)

    def send_success(self, token: str, output: dict[str, Any]) -> None:
        self.successes.append((token, output))

    def send_failure(self, token: str, error: str, cause: str) -> None:
        self.failures.append((token, error, cause))

    def send_heartbeat(self, token: str) -> None:
        self.heartbeats.append(token)

    def stop(self, execution_arn: str, error: str, cause: str, batch_id: str) -> bool:
        name = execution_arn.rsplit(":", 1)[-1]
        if name not in self.executions or name in self.finished:
            return False
        self.finished.add(name)
        self.stopped.append((execution_arn, error, cause))
        return True


class FakeTranscriber:
    """Jobs that end as the test says: `finish(name, status, reason)`."""

    def __init__(self) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}

    def start(
        self, job_name: str, media_uri: str, language: str, output_bucket: str, output_key: str
    ) -> None:
        self.jobs[job_name] = {
            "TranscriptionJobName": job_name,
            "TranscriptionJobStatus": "IN_PROGRESS",
            "Media": {"MediaFileUri": media_uri},
            "LanguageCode": language,
            "Output": (output_bucket, output_key),
        }

    def finish(self, job_name: str, status: str, reason: str | None = None) -> None:
        self.jobs[job_name]["TranscriptionJobStatus"] = status
        if reason:
            self.jobs[job_name]["FailureReason"] = reason

    def job(self, job_name: str) -> dict[str, Any]:
        return dict(self.jobs[job_name])

    def wait(self, job_name: str, delay_seconds: int, max_attempts: int) -> dict[str, Any]:
        return self.job(job_name)
