"""`reelflow drop DIR` against a running `reelflow serve`: the folder goes into the drop folder with boto3
and the command prints the batch it became."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_clip
from tests.helpers import served, user_env


def test_drop_uploads_a_folder_and_prints_its_batch(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**user_env(home, columns=200), "REELFLOW_DROP_SETTLE_SECONDS": "1"}  # the command's too
    with served(home, env={"REELFLOW_DROP_SETTLE_SECONDS": "1"}, stop_timeout=60):
        folder = tmp_path / "Отпуск"
        folder.mkdir()
        make_clip(folder / "b.MOV", seconds=1.0)
        make_clip(folder / "a 🌊.mp4", seconds=1.0)
        (folder / "notes.txt").write_text("not a video")
        (folder / "batch.json").write_text(json.dumps({"settings": {"transcribe": False}}))
        dropped = subprocess.run(
            [sys.executable, "-m", "reelflow.cli", "drop", str(folder), "--start", "--timeout", "60"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert dropped.returncode == 0, dropped.stdout + dropped.stderr
        out = dropped.stdout
        assert "Uploaded 5 files" in out and "dropbox/local-user/Отпуск/" in out
        assert "Отпуск is processing: 2 videos" in out or "Отпуск is queued: 2 videos" in out, out
        assert "1  a 🌊.mp4" in out and "2  b.MOV" in out and "skipped: notes.txt" in out
