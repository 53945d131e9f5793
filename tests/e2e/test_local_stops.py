"""Clean stops: SIGTERM stops `reelflow serve` with no ffmpeg left running, no work folder and no
address file; `reelflow run` on a missing folder or a file says so in one line."""

import signal
import time
from pathlib import Path

import requests

from reelflow.local.children import child_pids
from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import served


def test_run_on_a_missing_folder_or_a_file_says_so_in_one_line(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.mp4", seconds=0.5)
    for target, expected in ((tmp_path / "nope", "no such folder"), (clip, "is a file")):
        result = reelflow("run", str(target), "--out", str(tmp_path / "out"), home=tmp_path, timeout=60)
        assert result.returncode != 0
        assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def _names(pids: list[int]) -> dict[int, str]:
    names = {}
    for pid in pids:
        try:
            names[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
    return names


def test_sigterm_stops_ffmpeg_and_removes_the_work_folder_and_address(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    temp = tmp_path / "tmp"
    temp.mkdir()
    clip = make_clip(tmp_path / "long.mp4", seconds=30.0, width=1280, height=720)
    token = reelflow("token", "--user", "erin", "--tier", "creator", home=home).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with served(home, kill=signal.SIGTERM, env={"TMPDIR": str(temp)}) as server:
        api = server.api
        created = requests.post(
            f"{api}/batch-jobs",
            headers=headers,
            timeout=30,
            json={
                "name": "long",
                "files": [{"name": clip.name, "size": clip.stat().st_size}],
                "settings": {"transcribe": False, "remove_silence": False, "detect_highlights": False},
            },
        ).json()
        upload = created["uploads"][0]
        assert requests.put(upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30).ok
        assert requests.post(
            f"{api}/batch-jobs/{created['batch_job']['id']}/start", headers=headers, timeout=30
        ).ok
        encoding: dict[int, str] = {}
        deadline = time.monotonic() + 60
        while not encoding and time.monotonic() < deadline:
            encoding = {
                p: n for p, n in _names(child_pids(server.process.pid)).items() if n.startswith("ffmpeg")
            }
            time.sleep(0.05)
        assert encoding, "no ffmpeg child seen"
        assert any(temp.glob("reelflow-serve-*"))
    assert server.process.returncode == 0
    assert not any(
        Path(f"/proc/{pid}").exists() and _names([pid]).get(pid, "").startswith("ffmpeg") for pid in encoding
    )
    assert not any(temp.glob("reelflow-serve-*"))
    assert not (home / "serve.json").exists()
