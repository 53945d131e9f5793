from pathlib import Path

import pytest

from functions.domain.enums import ExportFormat, ExportQuality
from functions.domain.media_values import ProbeResult
from functions.media.ffmpeg_run import parse_progress_line
from functions.media.render import output_size, part_args, plan_render, snap_to_frames

PROBE = ProbeResult(
    duration=10.0,
    width=1920,
    height=1080,
    video_codec="h264",
    audio_codec="aac",
    container="mp4",
    frame_rate=25.0,
    size=1000,
)


@pytest.mark.parametrize(
    ("size", "quality", "expected"),
    [
        ((1920, 1080), ExportQuality.Q720P, (1280, 720)),
        ((1920, 1080), ExportQuality.Q1080P, (1920, 1080)),
        ((1920, 1080), ExportQuality.Q4K, (1920, 1080)),  # never upscale
        ((640, 360), ExportQuality.Q1080P, (640, 360)),
        ((1080, 1920), ExportQuality.Q720P, (720, 1280)),  # portrait: the short side is fitted
        ((853, 480), ExportQuality.Q720P, (852, 480)),  # even dimensions for yuv420p
    ],
)
def test_output_size_fits_the_short_side_without_upscaling(size, quality, expected):
    assert output_size(*size, quality) == expected


def test_cuts_snap_to_frame_boundaries_and_drop_slivers():
    snapped = snap_to_frames([(0.013, 1.019), (2.0, 2.01), (3.0, 20.0)], 25.0, 10.0)
    assert snapped == ((0.0, 1.0), (3.0, 10.0))


def graph_of(args: list[str]) -> str:
    return args[args.index("-filter_complex") + 1]


def test_plan_without_cuts_renders_the_whole_video():
    plan = plan_render("in.mp4", Path("out.mp4"), PROBE, ExportFormat.MP4, ExportQuality.Q720P, None)
    assert plan.keep == () and plan.expected_duration == 10.0
    (part,) = plan.parts()
    args = part_args(plan, part, Path("p.mp4"))
    assert "scale=1280:720" in graph_of(args) and "concat" not in graph_of(args)
    assert args[:3] == ["-ss", "0", "-an"]  # from the start to the end: no -t
    assert args.count("-i") == 1 and "-t" not in args


def test_plan_with_cuts_seeks_after_long_cuts_and_trims_through_short_ones():
    keep = [(0, 2), (4.6, 6), (8, 10)]  # a 2.6 s cut (seek past it), then a 2 s one (decode through it)
    plan = plan_render("in.mp4", Path("out.mp4"), PROBE, ExportFormat.WEBM, ExportQuality.Q1080P, keep)
    assert plan.expected_duration == 5.4
    (part,) = plan.parts()
    args = part_args(plan, part, Path("p.webm"))
    assert args.count("-i") == 2
    # cut points a quarter frame early (25 fps: 0.01 s); the second input runs to the end: no -t
    assert args[: args.index("-i")] == ["-ss", "0", "-t", "2.000000", "-an", "-sn", "-dn"]
    second = args[args.index("-i") + 2 :]
    assert second[: second.index("-i")] == ["-ss", "4.590000", "-an", "-sn", "-dn"]
    graph = graph_of(args)
    assert "[1:v:0]setpts=PTS-STARTPTS,split=2[g1s0][g1s1]" in graph
    assert "trim=start=0.000000:end=1.390000" in graph and "trim=start=3.390000:end=5.390000" in graph
    assert "concat=n=3:v=1:a=0" in graph and "atrim" not in graph
    assert "-an" in args[args.index("-map") :] and "libvpx-vp9" in args


def test_plan_that_keeps_everything_is_a_plain_render():
    plan = plan_render("in.mp4", Path("o.mp4"), PROBE, ExportFormat.MP4, ExportQuality.Q720P, [(0, 10)])
    assert plan.keep == ()


def test_plan_that_keeps_nothing_is_an_error():
    with pytest.raises(ValueError, match="nothing to keep"):
        plan_render("in.mp4", Path("o.mp4"), PROBE, ExportFormat.MP4, ExportQuality.Q720P, [])


def test_progress_lines():
    assert parse_progress_line("out_time_us=5000000", 10.0) == 0.5
    assert parse_progress_line("out_time_ms=20000000", 10.0) == 1.0
    assert parse_progress_line("progress=end", 10.0) == 1.0
    assert parse_progress_line("fps=30", 10.0) is None
    assert parse_progress_line("out_time_us=N/A", 10.0) is None
