"""Shared fixtures. Integration tests share one embedded AWS per session and isolate by user id."""

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from functions.domain.enums import Tier
from functions.media.binaries import ffmpeg
from functions.services.batches import Caller
from reelflow.local.samples import Segment, Truth, make_sample, sync_sample

if TYPE_CHECKING:
    from reelflow.local.cloud import LocalCloud

# no process a test started outlives the session; no worker task or heartbeat outlives its test
pytest_plugins = ["tests.process_guard", "tests.thread_guard"]
UNCAPPED = {  # global caps no test reaches unless it sets its own
    "REELFLOW_CAPACITY_RUNNING_BATCHES": "10000",
    "REELFLOW_CAPACITY_VIDEOS_IN_FLIGHT": "10000",
    "REELFLOW_CAPACITY_TRANSCRIBE_JOBS": "100000",
    "REELFLOW_CAPACITY_LAMBDA_SLOTS": "100000",  # ten per video: a split render's parts at the cores
}


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator["object"]:
    from reelflow.local.cloud import LocalCloud, LocalSettings

    work = tmp_path_factory.mktemp("work")
    # Tests share the service-wide running counter: a cap no test reaches unless it sets its own.
    drop_timing = {"REELFLOW_DROP_SETTLE_SECONDS": "1", "REELFLOW_DROP_QUIET_PERIOD_SECONDS": "3"}
    settings = LocalSettings(
        work_dir=work,
        progress_write_interval_seconds=0.0,
        drop_sweep_interval_seconds=0.5,
        extra_env={**drop_timing, **UNCAPPED},
    )
    cloud = LocalCloud(settings).start()
    _session_cloud.append(cloud)
    yield cloud
    if cloud in _session_cloud:  # the session ends with a test that used it: torn down before the hook
        _session_cloud.remove(cloud)
        _stop_session_cloud(cloud)


_session_cloud: list["LocalCloud"] = []  # the session's local cloud, once a test has started it
_last_cloud_user = pytest.StashKey[str]()


def pytest_collection_finish(session: pytest.Session) -> None:
    users = [item.nodeid for item in session.items if "local_cloud" in getattr(item, "fixturenames", ())]
    if users:
        session.config.stash[_last_cloud_user] = users[-1]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """The session's local cloud stops once the last test that uses it is done: its server, sweeper
    and stream pollers are not left running (and calling the network) under the tests after it."""
    yield
    if _session_cloud and item.config.stash.get(_last_cloud_user, None) == item.nodeid:
        _stop_session_cloud(_session_cloud.pop())


def _stop_session_cloud(cloud: "LocalCloud") -> None:
    """Executions the tests left running are stopped first (their threads would otherwise go on
    invoking functions, and their ffmpeg reading from the server, under the tests that follow)."""
    from reelflow.local import fargate

    sfn = cloud.client("stepfunctions")
    for arn in (cloud.state_machine_arn, cloud.export_state_machine_arn):
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING")
        for execution in (e for page in pages for e in page["executions"]):
            with suppress(ClientError):  # it ended meanwhile
                sfn.stop_execution(executionArn=execution["executionArn"], cause="the tests are done with it")
    fargate.wait_for_tasks(120)
    cloud.stop()


@pytest.fixture
def ctx(local_cloud: object) -> "object":
    from functions.services.context import services

    return services()


@pytest.fixture
def user_id() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def caller(user_id: str) -> Caller:
    return Caller(user_id=user_id, tier=Tier.CREATOR)


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def make_clip(
    path: Path,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 180,
    fps: int = 25,
    audio: bool = True,
) -> Path:
    """A tiny real video: a test pattern and a tone, in the container its extension names."""
    codecs = {
        ".mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        ".mov": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        ".webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"],
        ".avi": ["-c:v", "mpeg4", "-c:a", "libmp3lame"],
    }[path.suffix.lower()]
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    else:
        codecs = [c for c in codecs if c not in {"-c:a", "aac", "libopus", "libmp3lame"}] + ["-an"]
    subprocess.run(
        [ffmpeg(), "-v", "error", "-y", *inputs, *codecs, "-shortest", str(path)],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    made = {ext: make_clip(folder / f"clip{ext}") for ext in (".mp4", ".mov", ".webm")}
    corrupt = folder / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage, not a video " * 200)
    made["corrupt"] = corrupt
    return made


@pytest.fixture(scope="session")
def espeak() -> str:
    found = shutil.which("espeak-ng")
    if not found:
        pytest.skip("espeak-ng is not installed (./dev test installs it with apt-get)")
    return found


SCRIPT = (
    Segment("speech", 0, "The weather is nice today and the sun is shining."),
    Segment("silence", 1.5),
    Segment("speech", 0, "This is an important message for everyone in the room."),
    Segment("silence", 0.3),  # a natural pause: shorter than min_silence_duration, so it stays
    Segment("speech", 0, "Please read the report before the meeting."),
    Segment("silence", 2.0),
    Segment("burst", 0.6),
    Segment("silence", 1.2),
    Segment("speech", 0, "The results were amazing and the team worked very hard."),
    Segment("silence", 1.8),
    Segment("burst", 0.6),
    Segment("silence", 1.1),
    Segment("speech", 0, "Thank you for listening."),
)


@pytest.fixture(scope="session")
def talk(tmp_path_factory: pytest.TempPathFactory, espeak: str) -> tuple[Path, Truth]:
    path = tmp_path_factory.mktemp("talk") / "talk.mp4"
    truth = make_sample(path, SCRIPT, width=640, height=360, fps=25, scene_seconds=(6.0, 7.0, 6.0))
    return path, truth


@pytest.fixture(scope="session")
def sync_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    path = tmp_path_factory.mktemp("sync") / "sync.mp4"
    return path, sync_sample(path, cuts=22)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests with their own `mock_aws` reset moto's process-wide backends, which would wipe the shared
    session cloud: run them before anything starts it."""
    items.sort(key=lambda item: item.get_closest_marker("own_moto") is None)


INTEGRATION = "tests/integration/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (`./dev test` runs a worker per core) the integration tests are one unit of
    work, run whole by one worker in collection order: their `own_moto` tests come first, before that
    worker starts the session cloud, and the cloud stops after the last test on it
    (`pytest_runtest_teardown`), before the worker goes on to tests that block the network. The other
    tests are handed out one by one."""
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class IntegrationTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return INTEGRATION if nodeid.startswith(INTEGRATION) else nodeid

    return IntegrationTogether(config, log)
