from functions.domain.enums import ExportFormat, ExportQuality, Stage
from functions.domain.routing import choose_route
from functions.domain.settings import BatchSettings
from functions.domain.stage_plan import enabled_stages, stage_spans


def test_spans_cover_the_bar_in_pipeline_order():
    spans = stage_spans(BatchSettings())
    assert list(spans) == [
        Stage.TRANSCRIBING,
        Stage.REMOVING_SILENCE,
        Stage.DETECTING_HIGHLIGHTS,
        Stage.EXPORTING,
    ]
    assert spans[Stage.TRANSCRIBING].start == 5
    assert round(spans[Stage.EXPORTING].end) == 100
    assert spans[Stage.EXPORTING].percent(0.5) > spans[Stage.EXPORTING].percent(0.0)


def test_export_always_runs_and_takes_the_whole_bar_alone():
    settings = BatchSettings(transcribe=False, remove_silence=False, detect_highlights=False)
    assert enabled_stages(settings) == [Stage.EXPORTING]
    span = stage_spans(settings)[Stage.EXPORTING]
    assert (span.start, round(span.end)) == (5, 100)


def test_long_or_large_videos_route_to_fargate():
    common = {
        "height": 1080,
        "fmt": ExportFormat.MP4,
        "lambda_max_seconds": 900,
        "lambda_max_bytes": 8 * 1024**3,
    }
    assert choose_route(duration=600, size=10**8, quality=ExportQuality.Q1080P, **common) == "lambda"
    assert choose_route(duration=3 * 3600, size=10**8, quality=ExportQuality.Q1080P, **common) == "fargate"
    assert choose_route(duration=60, size=9 * 1024**3, quality=ExportQuality.Q720P, **common) == "fargate"
    # highlight clips count too: 50 minutes fit at 1080p, not with three 90-second clips beside them
    clips = BatchSettings(highlight_clips="vertical", highlight_clip_seconds=90.0).clip_seconds(3000)
    assert clips == 270.0 and BatchSettings().clip_seconds(3000) == 0.0
    assert choose_route(duration=3000, size=10**8, quality=ExportQuality.Q1080P, **common) == "lambda"
    assert (
        choose_route(duration=3000, size=10**8, quality=ExportQuality.Q1080P, clip_seconds=clips, **common)
        == "fargate"
    )
    # a 4K render is ~4x slower than 1080p: 20 minutes of 4K no longer fits
    assert (
        choose_route(duration=1200, size=10**8, quality=ExportQuality.Q4K, **{**common, "height": 2160})
        == "fargate"
    )
