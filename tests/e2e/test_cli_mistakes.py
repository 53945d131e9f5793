"""Every command answers an ordinary mistake with one line that names the file, id or flag and says what
to do, and exits with the documented code; a traceback only with --debug."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from functions.domain.enums import Tier
from functions.media.binaries import ffmpeg
from reelflow.cli import main
from reelflow.errors import ExitCode
from reelflow.local.tokens import issue_token
from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import serving

EXPORT_ONLY = {"transcribe": False, "remove_silence": False, "detect_highlights": False}


def one_line(capsys: pytest.CaptureFixture[str], argv: list[str], code: ExitCode, *named: str) -> str:
    """Runs the command in-process; exactly one line on stderr, naming everything in `named`."""
    returned = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert returned == code, (argv, out, err)
    assert len(lines) == 1, (argv, err)
    assert "Traceback" not in out + err
    assert lines[0].startswith(f"reelflow {argv[0]}: error: ") or lines[0].startswith("reelflow: error: ")
    for word in named:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("REELFLOW_HOME", str(folder))
    monkeypatch.delenv("REELFLOW_USER", raising=False)
    return folder


def test_mistakes_without_a_serve(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    empty = tmp_path / "empty.mp4"
    empty.touch()
    missing = str(tmp_path / "missing.mp4")
    usage, absent = ExitCode.USAGE, ExitCode.NOT_FOUND
    cases: list[tuple[list[str], ExitCode, tuple[str, ...]]] = [
        (["rnu", "x"], usage, ("'rnu'", "did you mean run?")),
        (
            ["run", str(tmp_path), "--remove-silense"],
            usage,
            ("--remove-silense", "did you mean --remove-silence?"),
        ),
        (["run", str(tmp_path), "--export", "zap"], usage, ("'zap'", "did you mean zip?")),
        (["run", str(tmp_path), "--silence-threshold", "-5"], usage, ("silence_threshold",)),
        (["run", str(tmp_path), "--settings", missing], usage, (missing, "settings file")),
        (["run", str(tmp_path / "nope")], absent, (str(tmp_path / "nope"), "no such folder")),
        (["run", str(text)], absent, (str(text), "folder that holds it")),
        (["cuts", missing], absent, (missing, "no such file")),
        (["cuts", str(text)], absent, (str(text), "not a decodable video")),
        (["cuts", str(empty)], absent, (str(empty), "empty (0 bytes)")),
        (["cuts", str(tmp_path)], absent, (str(tmp_path), "is a folder")),
        (["cuts", missing, "--margn", "0.1"], usage, ("--margn", "did you mean --margin?")),
        (["demo", "--with-brokn"], usage, ("--with-brokn", "did you mean --with-broken?")),
        (["serve", "--prot", "1"], usage, ("--prot", "did you mean --port?")),
        (["token", "--usr", "bob"], usage, ("--usr", "did you mean --user?")),
        (["token", "--tier", "gold"], usage, ("'gold'",)),
        (["executions", "abc"], absent, ("no reelflow serve is running", "reelflow serve")),
        (["export", "abc", "--format", "zip"], absent, ("no reelflow serve is running", "--api-url")),
        (["export", "abc", "--fromat", "zip"], usage, ("--fromat", "did you mean --format?")),
        (["watch", "abc"], absent, ("no reelflow serve is running", "--url")),
        (["events"], absent, ("no reelflow serve is running",)),
        (["drop", str(tmp_path / "nope")], absent, (str(tmp_path / "nope"), "no such folder")),
        (["drop", str(text)], absent, (str(text), "is a file")),
        (["watch"], usage, ("batch_id",)),
    ]
    for command in ("pause", "resume", "cancel", "retry", "delete"):
        cases.append(([command, "abc"], absent, ("no reelflow serve is running",)))
        cases.append(([command, "abc", "--usre", "x"], usage, ("did you mean --user?",)))
    for argv, code, named in cases:
        one_line(capsys, argv, code, *named)
    empty_folder = tmp_path / "nothing"
    empty_folder.mkdir()
    one_line(capsys, ["drop", str(empty_folder)], absent, str(empty_folder), "is empty")
    one_line(capsys, ["run", str(empty_folder)], absent, str(empty_folder), "the folder is empty")


def test_debug_shows_the_traceback_in_a_fresh_process(tmp_path: Path) -> None:
    quiet = reelflow("cuts", str(tmp_path / "missing.mp4"), home=tmp_path)
    assert quiet.returncode == ExitCode.NOT_FOUND
    assert quiet.stderr.strip().splitlines() == [
        f"reelflow cuts: error: {tmp_path / 'missing.mp4'}: no such file"
    ]
    loud = reelflow("cuts", str(tmp_path / "missing.mp4"), "--debug", home=tmp_path)
    assert loud.returncode != 0 and "Traceback" in loud.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    home = tmp_path_factory.mktemp("served")
    with serving(home) as fields:
        yield home, fields["api_url"]


@pytest.fixture
def at_serve(served: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """The in-process commands talk to the module's serve (its address file and token secret)."""
    monkeypatch.setenv("REELFLOW_HOME", str(served[0]))
    monkeypatch.delenv("REELFLOW_USER", raising=False)
    return served[1]


def batch_of(api: str, user: str, clips: list[Path], start: bool = True) -> str:
    headers = {"Authorization": f"Bearer {issue_token(user, Tier.PRO)}"}
    files = [{"name": c.name, "size": c.stat().st_size} for c in clips]
    body = {"name": "mine", "files": files, "settings": EXPORT_ONLY}
    created = requests.post(f"{api}/batch-jobs", headers=headers, json=body, timeout=30).json()
    for upload, clip in zip(created["uploads"], clips, strict=True):
        assert requests.put(upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30).ok
    batch_id: str = created["batch_job"]["id"]
    if start:
        started = requests.post(f"{api}/batch-jobs/{batch_id}/start", headers=headers, timeout=60)
        assert started.ok, started.text
    return batch_id


def test_mistakes_against_a_running_serve(
    at_serve: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    erins = batch_of(at_serve, "erin", [make_clip(tmp_path / "a.mp4")], start=False)
    absent = ExitCode.NOT_FOUND
    for argv in (["export", erins, "--format", "zip"], ["pause", erins], ["watch", erins, "--timeout", "30"]):
        line = one_line(capsys, argv, absent, erins, "user 'local-user'", "--user")
        assert "not found" in line
    one_line(
        capsys,
        ["export", "no-such-batch", "--format", "zip", "--user", "erin"],
        absent,
        "no-such-batch",
        "'erin'",
    )
    one_line(capsys, ["executions", "no-such-batch"], absent, "no-such-batch", "reelflow executions")
    one_line(capsys, ["delete", erins, "--user", "erin"], absent, erins)  # not finished: refused


def test_watch_exit_codes(at_serve: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    user = "local-user"
    good = make_clip(tmp_path / "good.mp4")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 100)
    completed = batch_of(at_serve, user, [good])
    assert main(["watch", completed, "--timeout", "120"]) == ExitCode.OK
    some_failed = batch_of(at_serve, user, [good, broken])
    assert main(["watch", some_failed, "--timeout", "120"]) == ExitCode.SOME_FAILED
    long_clips = [make_clip(tmp_path / f"long{i}.mp4", seconds=20, width=640, height=360) for i in range(3)]
    cancelled = batch_of(at_serve, user, long_clips)
    assert main(["cancel", cancelled]) == ExitCode.OK
    assert main(["watch", cancelled, "--timeout", "120"]) == ExitCode.CANCELLED
    pending = batch_of(at_serve, user, [good], start=False)
    capsys.readouterr()
    one_line(capsys, ["watch", pending, "--timeout", "1"], ExitCode.TIMED_OUT, pending, "did not finish")


def test_a_folder_run_lists_what_it_left_out_and_a_bad_file_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_clip(folder / "b.mp4")
    obs = make_clip(tmp_path / "obs.mp4")
    subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(obs), "-c", "copy", str(folder / "obs.mkv")], check=True
    )
    (folder / "empty.mp4").touch()
    (folder / "notes.txt").write_text("not a video")
    (folder / "extra").mkdir()
    out = tmp_path / "out"
    done = reelflow("run", str(folder), "--out", str(out), *SETTINGS_FLAGS, home=tmp_path)
    assert done.returncode == ExitCode.SOME_FAILED, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("Cannot process empty.mp4: empty file (0 bytes)") for line in lines), (
        done.stdout
    )
    assert any(line.startswith("Skipped notes.txt: not a video") for line in lines), done.stdout
    assert any(line.startswith("Skipped extra/: a folder") for line in lines), done.stdout
    assert any(line.startswith("Logs: ") for line in lines) and "service" not in done.stdout
    results = json.loads((out / "results.json").read_text())
    assert [v["original_name"] for v in results["videos"]] == ["b.mp4", "obs.mp4"]
    assert {v["status"] for v in results["videos"]} == {"completed"}
    assert {p["file"]: p["status"] for p in results["not_processed"]} == {
        "empty.mp4": "failed",
        "notes.txt": "skipped",
        "extra/": "skipped",
    }
    for video in results["videos"]:
        assert "output_video_url" not in video and (out / video["output_file"]).is_file()
    log = next(line for line in lines if line.startswith("Logs: ")).split()[1]
    assert Path(log).is_file()  # the functions' logs went there, not into the progress display


SETTINGS_FLAGS = ("--no-transcribe", "--no-remove-silence", "--no-detect-highlights")
