"""Each local function gets scratch folders of its own that outlive an invocation (a warm sandbox), a
check after every invocation reports what it left there, and Media leaves nothing."""

import threading
from pathlib import Path
from typing import Any

from functions.domain.enums import Tier
from functions.services.workspace import sandbox
from reelflow.local import sandboxes
from reelflow.local.sandboxes import Sandboxes
from tests.helpers import start_batch, wait_for_batch

FAST = {"transcribe": False, "detect_highlights": False, "remove_silence": True, "export_quality": "720p"}


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
