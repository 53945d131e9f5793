"""`reelflow run --export` and `reelflow export` as a user runs them, in fresh processes."""

import json
import time
import zipfile
from pathlib import Path

import requests

from tests.conftest import make_clip
from tests.e2e.test_cli import reelflow
from tests.helpers import serving

QUICK_FLAGS = ("--no-transcribe", "--no-remove-silence", "--no-detect-highlights", "--export-quality", "720p")


def test_run_with_export_writes_the_zip_into_the_output_folder(tmp_path):
    videos = tmp_path / "holiday"
    videos.mkdir()
    make_clip(videos / "a.mp4", seconds=1.0)
    make_clip(videos / "b.webm", seconds=1.0)
    out = tmp_path / "out"
    result = reelflow("run", str(videos), "--out", str(out), "--export", "zip", *QUICK_FLAGS, home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["export"]["status"] == "completed" and results["export"]["file"] == "holiday.zip"
    with zipfile.ZipFile(out / "holiday.zip") as archive:
        assert archive.namelist() == [
            "001_a.mp4",
            "001_a.poster.jpg",
            "001_a.thumb.jpg",
            "002_b.mp4",
            "002_b.poster.jpg",
            "002_b.thumb.jpg",
            "results.json",
        ]  # each video with the files published beside it
        for entry, video in zip(["001_a.mp4", "002_b.mp4"], results["videos"], strict=True):
            assert archive.read(entry) == (out / video["output_file"]).read_bytes()
            poster = entry.replace(".mp4", ".poster.jpg")
            assert archive.read(poster) == (out / video["output_files"]["poster"]).read_bytes()


def test_export_downloads_a_playlist_from_a_running_serve(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    with serving(home) as fields:
        api = fields["api_url"]
        token = reelflow("token", "--user", "local-user", "--tier", "pro", home=home).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        clip = make_clip(tmp_path / "talk.mp4", seconds=1.5)
        created = requests.post(
            f"{api}/batch-jobs",
            headers=headers,
            timeout=30,
            json={
                "name": "served",
                "files": [{"name": clip.name, "size": clip.stat().st_size}],
                "settings": {"transcribe": False, "remove_silence": False, "detect_highlights": False},
            },
        ).json()
        upload = created["uploads"][0]
        assert requests.put(upload["url"], data=clip.read_bytes(), headers=upload["headers"], timeout=30).ok
        batch_id = created["batch_job"]["id"]
        refused = reelflow("export", batch_id, "--format", "zip", "--out", str(tmp_path), home=home)
        assert refused.returncode != 0 and "409" in refused.stderr and "pending" in refused.stderr
        assert requests.post(f"{api}/batch-jobs/{batch_id}/start", headers=headers, timeout=30).ok
        deadline = time.monotonic() + 120
        status = ""
        while status != "completed" and time.monotonic() < deadline:
            time.sleep(0.3)
            status = requests.get(f"{api}/batch-jobs/{batch_id}", headers=headers, timeout=30).json()[
                "status"
            ]
        result = reelflow("export", batch_id, "--format", "playlist", "--out", str(tmp_path / "x"), home=home)
        assert result.returncode == 0, result.stdout + result.stderr
        playlist = (tmp_path / "x" / "served.m3u8").read_text()
        assert playlist.startswith("#EXTM3U") and "#EXTINF:1.5" in playlist


def test_run_on_serve_processes_the_folder_there_and_writes_the_same_results(tmp_path: Path):
    videos = tmp_path / "trip"
    videos.mkdir()
    make_clip(videos / "a.mp4", seconds=1.0)
    make_clip(videos / "b.webm", seconds=1.0)
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "out"
    absent = reelflow("run", str(videos), "--out", str(out), "--on-serve", *QUICK_FLAGS, home=home)
    assert absent.returncode != 0 and not out.exists()
    assert "no reelflow serve is running: start one with `reelflow serve`" in absent.stderr
    with serving(home) as fields:
        result = reelflow(
            "run", str(videos), "--out", str(out), "--on-serve", "--export", "zip", *QUICK_FLAGS, home=home
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"On serve {fields['api_url']}" in result.stdout
        results = json.loads((out / "results.json").read_text())
        assert results["batch"]["status"] == "completed" and results["export"]["status"] == "completed"
        assert [v["status"] for v in results["videos"]] == ["completed", "completed"]
        for video in results["videos"]:
            output = out / video["output_file"]
            assert output.stat().st_size > 0 and (out / video["output_files"]["poster"]).is_file()
        # the batch stays on the serve (its web app and `reelflow export` see it), under the same user
        token = reelflow("token", "--user", "local-user", "--tier", "pro", home=home).stdout.strip()
        listed = requests.get(
            f"{fields['api_url']}/batch-jobs", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ).json()
        assert [b["id"] for b in listed["batch_jobs"]] == [results["batch"]["id"]]
    # nothing of local mode ran in the command itself: no log file, no execution history of its own
    assert "Logs:" not in result.stdout and not (out / "execution.json").exists()
