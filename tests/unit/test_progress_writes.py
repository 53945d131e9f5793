"""Stage progress is written at a bounded rate, always at begin and end, only while processing."""

from types import SimpleNamespace

from functions.domain.enums import Stage
from functions.domain.stage_plan import StageSpan
from functions.services.stages.stage_progress import StageProgress


class RecordingBatchVideos:
    def __init__(self) -> None:
        self.writes: list[dict] = []

    def update(self, batch_id, video_id, now, *, set_fields, only_if=None):
        self.writes.append({**set_fields, "only_if": only_if})
        return True


def test_progress_is_throttled_and_mapped_into_the_stage_span():
    repo, clock = RecordingBatchVideos(), [0.0]
    ctx = SimpleNamespace(
        batch_videos=repo, config=SimpleNamespace(progress_write_interval_seconds=3.0), clock=lambda: None
    )
    progress = StageProgress(
        ctx, "b", "v", StageSpan(Stage.EXPORTING, 50.0, 100.0), monotonic=lambda: clock[0]
    )
    progress.begin()
    for step in range(1, 100):  # ffmpeg reports many times a second
        clock[0] = step * 0.1
        progress(step / 100)
    progress.finish()
    percents = [w["progress_percentage"] for w in repo.writes]
    assert percents[0] == 50 and percents[-1] == 100
    assert len(repo.writes) <= 2 + 10 // 3 + 1  # ~10 s of reports at one write per 3 s
    assert percents == sorted(percents)
    assert all(w["current_stage"] == "exporting" and w["only_if"].value == "processing" for w in repo.writes)
