"""Speech parts for the speech engine: long silences left out, parts cut only inside them, and every
heard moment mapped back to its source time, moving forward only."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.media.speech_parts import MARGIN, SpeechPart, speech_parts


def loudness(pattern: list[tuple[float, float]], seconds: float) -> np.ndarray:
    """-20 dB frames on the (start, end) spans of `pattern`, -90 dB elsewhere."""
    frames = np.full(round(seconds * 100), -90.0, dtype=np.float32)
    for start, end in pattern:
        frames[round(start * 100) : round(end * 100)] = -20.0
    return frames


def test_long_silences_are_not_heard_and_parts_are_cut_inside_them():
    speech = [(0.5, 4.0), (6.0, 9.0), (9.5, 12.0), (15.0, 19.0)]  # 9.0–9.5 is a pause inside speech
    parts = speech_parts(loudness(speech, 20.0), 20.0, part_seconds=8.0)
    spans = [span for part in parts for span in part.spans]
    assert spans == [
        (0.0, 4.0 + MARGIN),
        (6.0 - MARGIN, 12.0 + MARGIN),  # the short pause stays: words either side stay together
        (15.0 - MARGIN, 19.0 + MARGIN),  # the last second is quiet too
    ]
    assert [len(p.spans) for p in parts] == [1, 1, 1]  # 4.25 + 6.5 > 8: a new part at each silence
    assert all(p.seconds <= 8.0 for p in parts)


def test_a_quiet_recording_is_heard_whole():
    (part,) = speech_parts(np.full(1000, -90.0, dtype=np.float32), 10.0)
    assert part.spans == ((0.0, 10.0),)


def test_speech_longer_than_a_part_is_cut_at_its_quietest_moment_near_the_limit():
    frames = loudness([(0.0, 700.0)], 700.0)
    frames[100 * 290 : 100 * 290 + 30] = -60.0  # a short dip (0.3 s) 10 s before the 300 s mark
    parts = speech_parts(frames, 700.0, part_seconds=300.0)
    assert parts[0].spans[-1][1] == pytest.approx(290.0, abs=0.01)
    assert all(p.seconds <= 300.0 for p in parts)


@given(st.lists(st.tuples(st.floats(0.0, 50.0), st.floats(0.05, 30.0)), min_size=1, max_size=8), st.data())
def test_heard_times_map_back_forward_only_and_inside_the_spans(shapes, data):
    spans, cursor = [], 0.0
    for gap, length in shapes:
        spans.append((round(cursor + gap, 3), round(cursor + gap + length, 3)))
        cursor += gap + length + 0.001
    part = SpeechPart(tuple(spans))
    heard = sorted(data.draw(st.lists(st.floats(0.0, part.seconds), min_size=2, max_size=20)))
    mapped = [part.source_time(t) for t in heard]
    assert mapped == sorted(mapped)
    assert all(any(a - 1e-3 <= m <= b + 1e-3 for a, b in spans) for m in mapped)
