"""Each local function gets scratch folders of its own that outlive an invocation (a warm sandbox), a
check after every invocation reports what it left there, Media leaves nothing, a sandbox holds no more
than its function's ephemeral storage, and its ffmpeg no more than its function's memory."""

import errno
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from functions.deployment import FUNCTIONS, MEDIA
from functions.domain.enums import Tier
from functions.media.ffmpeg_run import run_ffmpeg
from functions.services.workspace import sandbox
from reelflow.local import invoker, sandboxes
from reelflow.local.sandboxes import Sandboxes
from reelflow.local.scratch_limit import MIB
from tests.helpers import start_batch, wait_for_batch
from tests.unit.test_scratch_limit import sparse

PROBE = "tests.probe.write_scratch"
EMPTY_ZIP = b"PK\x05\x06" + b"\x00" * 18
FAST = {"transcribe": False, "detect_highlights": False, "remove_silence": True, "export_quality": "720p"}


@contextmanager
def probe_functions(
    local_cloud: Any, kind: str, configurations: dict[int, dict[str, Any]]
) -> Iterator[dict[int, str]]:
    """Functions on the embedded AWS that run PROBE (the handler the test sets), one per key with its
    configuration, removed afterwards: their names by key."""
    aws_lambda = local_cloud.client("lambda")
    role = aws_lambda.get_function_configuration(FunctionName=MEDIA.name(local_cloud.prefix))["Role"]
    names = {key: f"{local_cloud.prefix}-{kind}-{key}" for key in configurations}
    for key, configuration in configurations.items():
        aws_lambda.create_function(
            FunctionName=names[key],
            Runtime="python3.13",
            Role=role,
            Handler=PROBE,
            Code={"ZipFile": EMPTY_ZIP},
            **configuration,
        )
    try:
        yield names
    finally:
        for name in names.values():
            aws_lambda.delete_function(FunctionName=name)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_media_leaves_no_work_files_in_its_sandbox(
    local_cloud: Any, user_id: str, clips: dict[str, Path]
) -> None:
    current = sandboxes.current[0]
    assert current is not None
    started = start_batch(user_id, [clips[".mp4"]], FAST, Tier.CREATOR)
    batch = wait_for_batch(started.batch_id, user_id)
    assert batch["status"] == "completed", batch
    media = current.root / "media"
    assert media.is_dir()  # Media ran in sandboxes of its own
    assert _files(media) == []
    assert "media" not in current.leftovers
    assert current.peaks["media"] < MEDIA.ephemeral_mb * MIB  # watched, and within its /tmp


def test_a_leftover_is_reported_and_the_sandbox_stays_warm(tmp_path: Path) -> None:
    boxes = Sandboxes(tmp_path)
    with boxes.invocation("media") as first:
        assert sandbox() == first
        (first / "source.mp4").write_bytes(b"x")
    assert boxes.leftovers["media"].files == ["source.mp4"]
    with boxes.invocation("media") as second:  # the warm sandbox comes back, with what was left
        assert second == first and (second / "source.mp4").exists()
        (second / "source.mp4").unlink()
    assert "media" not in boxes.leftovers
    with boxes.invocation("ingest") as other:
        assert other != first  # never another function's sandbox


def test_concurrent_invocations_get_separate_sandboxes(tmp_path: Path) -> None:
    boxes = Sandboxes(tmp_path)
    inside = threading.Barrier(2, timeout=30)
    seen: list[Path | None] = []

    def invoke() -> None:
        with boxes.invocation("media"):
            seen.append(sandbox())
            inside.wait()

    threads = [threading.Thread(target=invoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(set(seen)) == 2


def test_an_invocation_whose_sandbox_outgrew_its_storage_fails_with_enospc(tmp_path: Path) -> None:
    boxes = Sandboxes(tmp_path)
    with boxes.invocation("export", limit_bytes=4 * MIB) as folder:
        sparse(folder / "b" / "v" / "output.mp4", 4 * MIB)  # exactly the storage: fits
    assert boxes.peaks["export"] == 4 * MIB
    full = pytest.raises(OSError, match="No space left on device")
    with full as raised, boxes.invocation("export", limit_bytes=4 * MIB) as folder:
        sparse(folder / "b" / "v" / "source.mp4", 1)  # with the output left by the last invocation
    assert raised.value.errno == errno.ENOSPC and "export" in str(raised.value)
    assert boxes.peaks["export"] == 4 * MIB + 1
    assert sorted(boxes.leftovers["export"].files) == ["b/v/output.mp4", "b/v/source.mp4"]
    shutil.rmtree(folder / "b")
    with boxes.invocation("export", limit_bytes=4 * MIB) as again:  # the sandbox was released
        assert again == folder


def test_a_local_function_is_held_to_the_ephemeral_storage_it_was_created_with(
    local_cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through Lambda's Invoke: the deployed functions have their declared /tmp, and a function's
    invocation that leaves more than its storage in /tmp fails as on AWS, one with more storage not."""
    aws_lambda = local_cloud.client("lambda")
    for spec in FUNCTIONS:
        configuration = aws_lambda.get_function_configuration(FunctionName=spec.name(local_cloud.prefix))
        assert configuration["EphemeralStorage"] == {"Size": spec.ephemeral_mb}, spec.id

    def write_scratch(event: dict[str, int], context: Any) -> dict[str, int]:
        folder = sandbox()
        assert folder is not None
        sparse(folder / "big.bin", event["mib"] * MIB)
        return {"wrote": event["mib"]}

    monkeypatch.setitem(invoker._cache, PROBE, write_scratch)
    storages = {size: {"EphemeralStorage": {"Size": size}} for size in (512, 1024)}
    try:
        with probe_functions(local_cloud, "scratch", storages) as names:
            small = aws_lambda.invoke(FunctionName=names[512], Payload=b'{"mib": 600}')
            assert "FunctionError" in small
            error = json.loads(small["Payload"].read())
            assert error["errorType"] == "OSError" and "No space left on device" in error["errorMessage"]
            large = aws_lambda.invoke(FunctionName=names[1024], Payload=b'{"mib": 600}')
            assert "FunctionError" not in large and json.loads(large["Payload"].read()) == {"wrote": 600}
    finally:
        current = sandboxes.current[0]
        assert current is not None
        shutil.rmtree(current.root / PROBE, ignore_errors=True)


def test_a_local_functions_ffmpeg_is_held_to_its_memory(
    local_cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through Lambda's Invoke: a function of 128 MB whose ffmpeg encodes 4K (~650 MB resident here) has
    it killed, as Lambda's OOM killer would, and fails; the same encode in a function of 1,024 MB ends."""

    def encode_4k(event: Any, context: Any) -> str:
        picture = ["-f", "lavfi", "-i", "testsrc2=s=3840x2160:r=30", "-frames:v", "16"]
        run_ffmpeg([*picture, "-c:v", "libx264", "-preset", "veryfast", "-f", "null", "-"])
        return "encoded"

    monkeypatch.setitem(invoker._cache, PROBE, encode_4k)
    aws_lambda = local_cloud.client("lambda")
    memories = {memory: {"MemorySize": memory} for memory in (128, 1024)}
    with probe_functions(local_cloud, "encode", memories) as names:
        small = aws_lambda.invoke(FunctionName=names[128], Payload=b"{}")
        error = json.loads(small["Payload"].read())
        assert "FunctionError" in small and error["errorType"] == "FfmpegError", error
        assert "exit -9" in error["errorMessage"]  # SIGKILL
        large = aws_lambda.invoke(FunctionName=names[1024], Payload=b"{}")
        assert "FunctionError" not in large and json.loads(large["Payload"].read()) == "encoded"
        current = sandboxes.current[0]
        assert current is not None and current.peak_memory[PROBE] > 128 * MIB


def test_an_invocation_watches_the_processes_its_threads_start_while_they_run(tmp_path: Path) -> None:
    boxes = Sandboxes(tmp_path)
    with boxes.invocation("media") as folder:
        process = subprocess.Popen(["sleep", "30"])
        try:
            boxes.adopt(process.pid)  # what ffmpeg_run tells local mode, on the invocation's thread
            outside = threading.Thread(target=boxes.adopt, args=(os.getpid(),))  # a thread of no sandbox
            outside.start()
            outside.join()
            assert boxes.running_processes(folder) == (process.pid,)
        finally:
            process.kill()
            process.wait()
        assert boxes.running_processes(folder) == ()  # an ended process is forgotten
    assert boxes.running_processes(folder) == ()
