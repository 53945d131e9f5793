"""Highlight clips as data: which windows of the edited output become clips, their shape and size, and
the source pieces a clip renders."""

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from functions.domain.enums import ClipAspect, ExportFormat, ExportQuality
from functions.domain.media_values import Highlight, Moment
from functions.domain.settings import MAX_HIGHLIGHT_CLIPS, BatchSettings
from functions.media.captions import TimeMap
from functions.media.clips import ClipWindow, clip_frame, clip_windows, line_chars, plan_clip
from tests.unit.test_timelines import probe_of

FPS = 25.0


def highlight(start: float, end: float, score: float, moment: float | None = None) -> Highlight:
    moments = [Moment(time=moment, reason="keyword 'x'", output_time=moment)] if moment is not None else []
    return Highlight(
        start=start,
        end=end,
        score=score,
        reasons=["keyword"],
        moments=moments,
        output_start=start,
        output_end=end,
    )


def test_the_best_highlights_come_first_each_window_centred_on_its_highlight():
    highlights = [highlight(10, 16, 2.0), highlight(40, 46, 5.0, moment=42.5), highlight(70, 76, 3.0)]
    windows = clip_windows(highlights, 100.0, 10.0, FPS)
    assert [w.score for w in windows] == [5.0, 3.0, 2.0]
    assert (windows[0].start, windows[0].end) == (38.0, 48.0)  # centred on 43 s, the middle of 40–46
    assert windows[0].focus == 42.5  # the keyword, for the poster
    assert all(w.duration == pytest.approx(10.0) for w in windows)


def test_a_window_near_an_end_is_moved_inside_the_output_and_a_short_output_is_one_whole_clip():
    first, last = clip_windows([highlight(0, 4, 3.0), highlight(95, 99.5, 2.0)], 100.0, 30.0, FPS)
    assert (first.start, first.end) == (0.0, 30.0)
    assert (last.start, last.end) == (70.0, 100.0)
    (end,) = clip_windows([highlight(10, 12.03, 3.0)], 12.03, 5.0, FPS)  # ends between two frames
    assert (end.start, end.end) == (7.0, 12.0)
    (whole,) = clip_windows([highlight(3, 9, 3.0), highlight(10, 14, 2.0)], 12.0, 30.0, FPS)
    assert (whole.start, whole.end) == (0.0, 12.0)  # the media is shorter than the setting


def test_a_highlight_as_long_as_the_window_gets_it_even_when_centring_rounds_a_frame_off():
    """5.25 s at 25 fps is 131.25 frames: the window is 131, the span rounds to frames 0–131, and the
    centred window (frame 1) would miss frame 0; it moves to hold the span (found by hypothesis)."""
    (window,) = clip_windows([highlight(0.0, 5.25, 1.0)], 6.0, 5.25, 25.0)
    assert (window.start, window.end) == (0.0, 5.24)


def test_a_window_that_would_overlap_moves_beside_the_other_while_it_holds_its_highlight():
    highlights = [highlight(10, 16, 3.0), highlight(40, 46, 3.0), highlight(70, 76, 3.0)]
    windows = clip_windows(highlights, 90.0, 30.0, FPS)
    assert [(w.start, w.end) for w in windows] == [(0.0, 30.0), (30.0, 60.0), (60.0, 90.0)]


def test_overlapping_windows_give_way_to_the_better_one_and_at_most_the_maximum_are_made():
    close = [highlight(20, 26, 3.0), highlight(27, 33, 4.0)]  # 30 s windows around them would overlap
    assert [w.score for w in clip_windows(close, 200.0, 30.0, FPS)] == [4.0]
    many = [highlight(t, t + 6, 3.0) for t in range(0, 600, 60)]
    assert len(clip_windows(many, 600.0, 30.0, FPS)) == MAX_HIGHLIGHT_CLIPS


def test_highlights_that_silence_removal_cut_make_no_clip():
    cut = Highlight(start=5, end=11, score=9.0, reasons=["keyword"])  # no output_start: all of it was cut
    assert clip_windows([cut], 60.0, 10.0, FPS) == []


@settings(max_examples=200, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.floats(0, 300), st.floats(0.5, 12), st.floats(0.5, 10)), min_size=0, max_size=25
    ),
    duration=st.floats(0.5, 400),
    seconds=st.floats(5, 90),
    fps=st.sampled_from([24.0, 25.0, 30000 / 1001, 60.0]),
)
def test_windows_lie_in_the_output_last_as_set_on_whole_frames_and_never_overlap(
    spans, duration, seconds, fps
):
    highlights = [highlight(min(a, duration), min(a + n, duration), score) for a, n, score in spans]
    windows = clip_windows(highlights, duration, seconds, fps)
    assert len(windows) <= MAX_HIGHLIGHT_CLIPS
    assert bool(windows) == (bool(highlights) and duration * fps >= 1)  # the best one always gets a clip
    for w in windows:
        assert 0 <= w.start < w.end <= duration + 1e-6
        assert w.duration == pytest.approx(min(seconds, duration), abs=1 / fps + 1e-6)
        assert round(w.start * fps, 3) == round(w.start * fps)  # on a frame boundary
        assert w.start <= w.focus <= w.end
    ordered = sorted(windows, key=lambda w: w.start)
    assert all(a.end <= b.start + 1e-9 for a, b in itertools.pairwise(ordered))
    assert [w.score for w in windows] == sorted((w.score for w in windows), reverse=True)


@pytest.mark.parametrize(
    ("size", "aspect", "quality", "expected"),
    [
        ((1920, 1080), ClipAspect.VERTICAL, ExportQuality.Q1080P, (608, 1080)),
        ((3840, 2160), ClipAspect.VERTICAL, ExportQuality.Q1080P, (1080, 1920)),
        ((1280, 720), ClipAspect.SQUARE, ExportQuality.Q1080P, (720, 720)),
        ((3840, 2160), ClipAspect.SQUARE, ExportQuality.Q720P, (720, 720)),
        ((1080, 1920), ClipAspect.VERTICAL, ExportQuality.Q1080P, (1080, 1920)),  # already vertical
        ((640, 360), ClipAspect.VERTICAL, ExportQuality.Q720P, (202, 360)),
    ],
)
def test_a_clip_is_the_centre_of_the_frame_in_its_shape_never_upscaled(size, aspect, quality, expected):
    crop, width, height = clip_frame(*size, aspect, quality)
    assert (width, height) == expected
    ratio = 9 / 16 if aspect is ClipAspect.VERTICAL else 1.0
    assert width / height == pytest.approx(ratio, rel=0.01)
    assert crop.width / crop.height == pytest.approx(ratio, rel=0.01)
    assert crop.x == (size[0] - crop.width) // 2 and crop.y == (size[1] - crop.height) // 2
    assert width <= crop.width and height <= crop.height and width % 2 == height % 2 == 0


def test_narrow_pictures_get_shorter_caption_lines():
    assert line_chars(1920, 1080) == 42
    assert line_chars(1080, 1080) < 42
    assert line_chars(608, 1080) < line_chars(1080, 1080)


def test_a_clip_renders_the_source_pieces_that_play_inside_its_window():
    keep = [(0.0, 4.0), (6.0, 10.0), (12.0, 20.0)]  # edited: 0–4 → 0–4, 6–10 → 4–8, 12–20 → 8–16
    assert TimeMap(keep).source_pieces(3.0, 9.0) == [(3.0, 4.0), (6.0, 10.0), (12.0, 13.0)]
    info = probe_of(FPS)  # 1280×720, 20 s
    window = ClipWindow(3.0, 9.0, 5.0, 3.0)
    plan = plan_clip("in.mp4", Path("c.mp4"), info, keep, window, ClipAspect.SQUARE, ExportQuality.Q1080P)
    assert plan.keep == ((3.0, 4.0), (6.0, 10.0), (12.0, 13.0))
    assert plan.expected_duration == pytest.approx(6.0)
    assert plan.export_format is ExportFormat.MP4 and (plan.width, plan.height) == (720, 720)
    assert plan.crop is not None and (plan.crop.width, plan.crop.x) == (720, 280)


def test_clips_are_off_by_default_and_need_highlight_detection():
    assert BatchSettings().highlight_clips is ClipAspect.OFF
    assert BatchSettings(highlight_clips="vertical").highlight_clip_seconds == 30.0
    with pytest.raises(ValidationError, match="detect_highlights"):
        BatchSettings(highlight_clips="square", detect_highlights=False)
    for wrong in (4.0, 91.0):
        with pytest.raises(ValidationError, match="highlight_clip_seconds"):
            BatchSettings(highlight_clips="vertical", highlight_clip_seconds=wrong)
