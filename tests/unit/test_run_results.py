"""What `reelflow run` writes at the end: each completed video's output and published files downloaded
beside each other (fetched several at once), its stages' data inlined, nothing of a cancelled video."""

import json
from pathlib import Path
from typing import Any

import pytest

from reelflow import runner


def video(position: int, status: str) -> dict[str, Any]:
    base = f"https://s3.local/media/outputs/b/v{position}"
    return {
        "video_id": f"v{position}",
        "position": position,
        "status": status,
        "output_video_url": f"{base}/00{position}_talk.mp4?X-Amz-Signature=s",
        "processing_result": {
            "exporting": {"outputs": {"captions": "k1", "poster": "k2"}},
            "removing_silence": {"kept_seconds": 3.0},
        },
        "artifacts": {
            "captions": f"{base}/00{position}_talk%20en.srt?sig",
            "poster": f"{base}/00{position}_talk.poster.jpg?sig",
            "removing_silence": f"{base}/silence.json?sig",
        },
    }


def test_outputs_land_beside_each_other_and_stage_data_is_inlined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []

    def download(url: str, destination: Path) -> Path:
        fetched.append(url)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(url)
        return destination

    monkeypatch.setattr(runner, "download", download)
    monkeypatch.setattr(runner, "_stage_data", lambda url: {"from": url})
    batch = {"id": "b", "status": "completed", "videos": [video(1, "completed"), video(2, "cancelled")]}
    results = runner.collect_results(batch, tmp_path)
    done, cancelled = results["videos"]
    assert done["output_file"] == "outputs/001_talk.mp4"
    assert done["output_files"] == {
        "captions": "outputs/001_talk en.srt",
        "poster": "outputs/001_talk.poster.jpg",
    }
    assert done["processing_result"]["removing_silence"]["data"] == {
        "from": video(1, "")["artifacts"]["removing_silence"]
    }
    assert "output_file" not in cancelled and "output_files" not in cancelled
    assert not any("/v2/" in url and "silence" not in url for url in fetched)  # its files were removed
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == [
        "001_talk en.srt",
        "001_talk.mp4",
        "001_talk.poster.jpg",
    ]
    assert (
        json.loads((tmp_path / "results.json").read_text())["videos"][0]["output_file"] == done["output_file"]
    )
