"""The command line as a user runs it, in a fresh process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from functions.media.probe import probe
from tests.conftest import make_clip
from tests.helpers import user_env
from tests.unit.test_captions import check_srt


def reelflow(*args: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reelflow.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=user_env(home),
        check=False,
    )


def test_run_processes_a_folder_with_settings_flags(tmp_path, talk):
    videos = tmp_path / "in"
    videos.mkdir()
    (videos / "talk.mp4").write_bytes(talk[0].read_bytes())
    make_clip(videos / "b-roll.MOV", seconds=1.5)
    (videos / "notes.txt").write_text("not a video")
    out = tmp_path / "out"
    result = reelflow(
        "run",
        str(videos),
        "--out",
        str(out),
        "--remove-silence",
        "--silence-threshold",
        "-35",
        "--keywords",
        "important,amazing",
        "--export-quality",
        "720p",
        "--export-format",
        "mov",
        home=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["batch"]["status"] == "completed"
    assert results["batch"]["settings"]["keywords"] == ["important", "amazing"]
    assert [v["original_name"] for v in results["videos"]] == ["b-roll.MOV", "talk.mp4"]
    talk_result = results["videos"][1]["processing_result"]
    assert len(talk_result["transcribing"]["data"]["segments"]) >= 3  # full data, inlined from the artifact
    assert talk_result["removing_silence"]["data"]["keep"]
    assert any(
        "keyword" in r
        for h in talk_result["detecting_highlights"]["data"]["highlights"]
        for r in h["reasons"]
    )
    for video in results["videos"]:
        output = out / video["output_file"]
        info = probe(str(output))
        assert output.suffix == ".mov" and info.video_codec == "h264"
    history = json.loads((out / "execution.json").read_text())
    assert history["status"] == "SUCCEEDED" and history["name"] == results["batch"]["id"]


def test_the_demo_publishes_captions_posters_cut_lists_and_clips_beside_each_video(tmp_path, espeak):
    out = tmp_path / "demo"
    result = reelflow("demo", "--out", str(out), home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["batch"]["settings"]["captions"] == "sidecar" and results["batch"]["settings"]["cut_lists"]
    assert len(results["videos"]) == 3
    assert results["batch"]["settings"]["highlight_clips"] == "vertical"
    for video in results["videos"]:
        files = video["output_files"]
        clips = video["processing_result"]["exporting"]["clips"]
        assert clips, "no highlight clip"
        clip_names = {name for c in clips for name in (c["name"], c["poster"])}
        assert set(files) == {
            "captions_srt",
            "captions_vtt",
            "poster",
            "thumbnail",
            "edl",
            "fcpxml",
            "chapters",
            *clip_names,
        }
        clip = probe(str(out / files["clip_1"]))  # a relative path in OUT
        assert clip.width / clip.height == pytest.approx(9 / 16, rel=0.01)
        stem = Path(video["output_file"]).stem  # every file sits beside its video, named like it
        assert all(
            Path(f).parent.name == "outputs" and Path(f).name.startswith(stem + ".") for f in files.values()
        )
        captions = check_srt((out / files["captions_srt"]).read_text())
        spoken = " ".join(" ".join(lines) for _, _, lines in captions).lower()
        assert "important" in spoken and "thanks for watching" in spoken
        assert captions[-1][1] <= video["processing_result"]["exporting"]["duration"] + 0.001
        assert (out / files["poster"]).read_bytes()[:2] == b"\xff\xd8"
        events = [line for line in (out / files["edl"]).read_text().splitlines() if line[:3].isdigit()]
        assert len(events) == video["processing_result"]["exporting"]["cuts"] + 1


def test_run_rejects_invalid_settings_before_starting(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"x")
    result = reelflow("run", str(tmp_path), "--silence-threshold", "-10", home=tmp_path)
    assert result.returncode != 0
    assert "silence_threshold" in result.stderr


def test_cuts_is_a_dry_run_that_prints_the_plan(tmp_path, talk):
    result = reelflow("cuts", str(talk[0]), "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["cuts"] == 5 and plan["keep"]
    assert not list(tmp_path.glob("*.mp4"))  # nothing rendered


def test_token_is_accepted_by_the_verifier(tmp_path, monkeypatch):
    result = reelflow("token", "--user", "alice", "--tier", "pro", home=tmp_path)
    assert result.returncode == 0
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path))
    from reelflow.local.tokens import verify_token

    claims = verify_token(result.stdout.strip())
    assert claims["sub"] == "alice" and claims["custom:tier"] == "pro"


@pytest.mark.parametrize(
    "command", ["run", "demo", "serve", "token", "executions", "openapi", "bench", "cuts"]
)
def test_every_command_has_help(tmp_path, command):
    result = reelflow(command, "--help", home=tmp_path, timeout=60)
    assert result.returncode == 0 and "usage: reelflow" in result.stdout
