from functions.domain.enums import ExportFormat, ExportQuality, Stage
from functions.domain.routing import choose_route, estimated_render_seconds, part_count
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


COMMON = {
    "height": 1080,
    "fmt": ExportFormat.MP4,
    "lambda_max_seconds": 900,
    "lambda_max_bytes": 8 * 1024**3,
    "part_seconds": 120.0,
}


def test_a_render_that_fits_one_lambda_takes_the_lambda_route():
    assert choose_route(duration=600, size=10**8, quality=ExportQuality.Q1080P, **COMMON) == "lambda"
    # highlight clips count too: 50 minutes fit at 1080p, not with three 90-second clips beside them
    clips = BatchSettings(highlight_clips="vertical", highlight_clip_seconds=90.0).clip_seconds(3000)
    assert clips == 270.0 and BatchSettings().clip_seconds(3000) == 0.0
    assert choose_route(duration=3000, size=10**8, quality=ExportQuality.Q1080P, **COMMON) == "lambda"
    assert (
        choose_route(duration=3000, size=10**8, quality=ExportQuality.Q1080P, clip_seconds=clips, **COMMON)
        == "parts"
    )


def test_a_long_video_renders_in_parts_when_every_part_fits():
    # a 60-minute 1080p talk: ~1,030 s as one render (over the 900 s budget), ~34 s a part
    assert estimated_render_seconds(3600, 1080, ExportQuality.Q1080P, ExportFormat.MP4) > 900
    assert choose_route(duration=3600, size=10**9, quality=ExportQuality.Q1080P, **COMMON) == "parts"
    # two and a half hours of 720p split too: each part is 120 s of output, the stitch copies
    assert choose_route(duration=9000, size=10**9, quality=ExportQuality.Q720P, **COMMON) == "parts"
    # 20 minutes of 4K (~1,500 s as one render, 150 s a part) split too
    four_k = {**COMMON, "height": 2160}
    assert choose_route(duration=1200, size=10**9, quality=ExportQuality.Q4K, **four_k) == "parts"
    assert part_count(3600, 120) == 31 and part_count(60, 120) == 2


def test_fargate_only_when_even_a_part_or_the_files_do_not_fit():
    # the source alone is over /tmp's budget: every task downloads it
    assert choose_route(duration=60, size=9 * 1024**3, quality=ExportQuality.Q720P, **COMMON) == "fargate"
    # a 60-minute 4K export: the stitch would hold the source, the pieces and the output (~18 GB)
    four_k = {**COMMON, "height": 2160}
    assert choose_route(duration=3600, size=10**9, quality=ExportQuality.Q4K, **four_k) == "fargate"
    # parts longer than the budget allows (a 4K part of 20 minutes: ~1,500 s)
    assert (
        choose_route(duration=3600, size=10**9, quality=ExportQuality.Q4K, **{**four_k, "part_seconds": 1200})
        == "fargate"
    )
    # a 1080p source of ten hours: the stitch's copy and upload alone pass the budget
    assert (
        choose_route(duration=10 * 3600, size=4 * 10**9, quality=ExportQuality.Q1080P, **COMMON) == "fargate"
    )
    # a smaller source renders at its own size: 60 minutes of 720p source fit one render at "4K"
    assert choose_route(
        duration=3600, size=10**9, quality=ExportQuality.Q4K, **{**COMMON, "height": 720}
    ) == ("lambda")
