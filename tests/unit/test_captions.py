"""Captions re-timed through the kept intervals: the time map, the cues, and strict SRT/WebVTT files."""

import io
import itertools
import re

import pytest
import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.media_values import Word
from functions.media.captions import (
    MAX_LINE_CHARS,
    MAX_LINES,
    TimeMap,
    build_cues,
    retime_words,
    to_srt,
    to_webvtt,
    wrap,
    write_captions,
)

SRT_TIME = r"(\d{2}):([0-5]\d):([0-5]\d),(\d{3})"
VTT_TIME = r"(\d{2}):([0-5]\d):([0-5]\d)\.(\d{3})"


def _seconds(match: tuple[str, ...]) -> float:
    h, m, s, ms = (int(x) for x in match)
    return round(h * 3600 + m * 60 + s + ms / 1000, 3)


def check_srt(text: str) -> list[tuple[float, float, list[str]]]:
    """A strict SubRip reader: numbered blocks from 1, one timing line, 1–2 text lines, blank separators,
    cues in order and not overlapping."""
    cues: list[tuple[float, float, list[str]]] = []
    if not text:
        return cues
    assert text.endswith("\n") and not text.endswith("\n\n\n")
    for n, block in enumerate(text.rstrip("\n").split("\n\n"), 1):
        lines = block.split("\n")
        assert lines[0] == str(n), block
        timing = re.fullmatch(rf"{SRT_TIME} --> {SRT_TIME}", lines[1])
        assert timing, lines[1]
        start, end = _seconds(timing.groups()[:4]), _seconds(timing.groups()[4:])
        body = lines[2:]
        assert 1 <= len(body) <= MAX_LINES, block
        assert all(line.strip() == line and line and "-->" not in line for line in body), block
        assert start < end
        if cues:
            assert start >= cues[-1][1], (cues[-1], start)
        cues.append((start, end, body))
    return cues


def check_webvtt(text: str) -> list[tuple[float, float, list[str]]]:
    """A strict WebVTT reader: the signature, blank-line-separated cues with a timing line, escaped text."""
    assert text.startswith("WEBVTT\n\n") or text == "WEBVTT\n"
    cues: list[tuple[float, float, list[str]]] = []
    blocks = text[len("WEBVTT\n") :].strip("\n")
    for block in blocks.split("\n\n") if blocks else []:
        lines = block.split("\n")
        timing = re.fullmatch(rf"{VTT_TIME} --> {VTT_TIME}", lines[0])
        assert timing, lines[0]
        start, end = _seconds(timing.groups()[:4]), _seconds(timing.groups()[4:])
        body = lines[1:]
        assert 1 <= len(body) <= MAX_LINES, block
        for line in body:
            assert line and "-->" not in line and "<" not in line
            assert not re.search(r"&(?!amp;|lt;|gt;)", line), line
        assert start < end
        if cues:
            assert start >= cues[-1][1]
        cues.append((start, end, body))
    return cues


def words_of(text: str, start: float = 0.0, step: float = 0.4, gap: float = 0.0) -> list[Word]:
    out = []
    t = start
    for token in text.split():
        out.append(Word(word=token, start=round(t, 3), end=round(t + step * 0.8, 3)))
        t += step + (gap if token.endswith(",") else 0.0)
    return out


# ---- the time map -------------------------------------------------------------------------------------


def test_a_word_shifts_by_the_removed_time_before_it():
    timemap = TimeMap([(0.0, 2.0), (5.0, 8.0), (10.0, 12.0)])
    assert timemap.duration == pytest.approx(7.0)
    assert timemap.to_edited(1.0) == pytest.approx(1.0)
    assert timemap.to_edited(6.0) == pytest.approx(3.0)  # 3 s removed before it
    assert timemap.to_edited(11.5) == pytest.approx(6.5)  # 5 s removed before it
    assert timemap.to_edited(3.0) is None
    assert timemap.to_source(3.0) == pytest.approx(6.0)


def test_words_inside_a_removed_interval_are_dropped_and_straddling_words_clamped():
    keep = [(0.0, 2.0), (5.0, 8.0)]
    words = [
        Word(word="kept", start=0.5, end=0.9),
        Word(word="cut", start=2.5, end=3.0),
        Word(word="straddles", start=4.8, end=5.4),
    ]
    timed = retime_words(words, keep)
    assert [w.text for w in timed] == ["kept", "straddles"]
    assert timed[1].start == pytest.approx(2.0)  # clamped to the start of the kept part
    assert timed[1].end == pytest.approx(2.4)


intervals = st.lists(
    st.tuples(st.floats(0, 500, allow_nan=False), st.floats(0.01, 30, allow_nan=False)),
    min_size=1,
    max_size=30,
).map(lambda pairs: [(a, a + length) for a, length in pairs])


@settings(max_examples=200, deadline=None)
@given(keep=intervals, times=st.lists(st.floats(0, 600, allow_nan=False), min_size=2, max_size=40))
def test_the_time_map_is_monotone_and_never_places_time_in_a_removed_interval(keep, times):
    timemap = TimeMap(keep)
    mapped = [(t, timemap.to_edited(t)) for t in sorted(times)]
    inside = [(t, e) for t, e in mapped if e is not None]
    for t, _ in inside:
        assert any(a <= t <= b for a, b in timemap.keep)
    for t, e in mapped:
        if e is None:
            assert not any(a <= t <= b for a, b in timemap.keep)
    edited = [e for _, e in inside]
    assert edited == sorted(edited)
    for _, e in inside:
        assert 0.0 <= e <= timemap.duration + 1e-9
        # at a cut one edited instant shows two source times (the end of one part, the start of the next)
        assert timemap.to_edited(timemap.to_source(e)) == pytest.approx(e, abs=1e-6)


word_lists = st.lists(
    st.tuples(
        st.text(alphabet="abcdefgh,.?!&<> -", min_size=1, max_size=60),
        st.floats(0, 200, allow_nan=False),
        st.floats(0, 3, allow_nan=False),
    ),
    max_size=80,
).map(lambda items: [Word(word=w, start=s, end=s + d) for w, s, d in items])


@settings(max_examples=200, deadline=None)
@given(keep=intervals, words=word_lists)
def test_cues_start_at_their_first_word_never_overlap_and_fit_two_lines(keep, words):
    timemap = TimeMap(keep)
    timed = retime_words(words, keep)
    cues = build_cues(words, keep)
    for word in timed:  # every kept word plays where its source time maps, inside a kept interval
        assert word.start <= word.end
        source = timemap.to_source(word.start)
        assert any(a <= source <= b for a, b in timemap.keep)
    for cue in cues:
        assert abs(cue.start - cue.first_word_start) <= 0.25
        assert cue.end > cue.start
        assert 1 <= len(cue.lines) <= MAX_LINES
        assert all(0 < len(line) <= MAX_LINE_CHARS for line in cue.lines)
    for before, after in itertools.pairwise(cues):
        assert before.end <= after.start
    assert check_srt(to_srt(cues)) == [(c.start, c.end, list(c.lines)) for c in cues]
    assert len(check_webvtt(to_webvtt(cues))) == len(cues)
    assert " ".join(w.text for w in timed).split() == " ".join(" ".join(c.lines) for c in cues).split()


# ---- cues and files -----------------------------------------------------------------------------------


def test_lines_break_at_sentences_and_pauses_and_are_balanced():
    text = (
        "The weather is nice today and the sun is shining over the hills. "
        "This is an important message for everyone in the room, so please listen carefully."
    )
    words = words_of(text)
    pause = words_of("After the pause.", start=words[-1].end + 0.9)
    cues = build_cues([*words, *pause], [(0.0, 100.0)])
    texts = [" ".join(c.lines) for c in cues]
    assert texts[0].endswith("shining over the hills.")  # the sentence ends a cue
    assert texts[-1] == "After the pause."  # so does a pause
    for cue in cues:
        assert all(len(line) <= MAX_LINE_CHARS for line in cue.lines)
        if len(cue.lines) == 2:
            assert abs(len(cue.lines[0]) - len(cue.lines[1])) <= 16


def test_wrap_refuses_text_beyond_two_lines_and_prefers_a_comma():
    assert wrap(["word"] * 30) is None
    # the most even split is after "everyone" (31/27 characters); the comma wins
    sentence = "After a very long day, everyone went straight home to sleep"
    assert wrap(sentence.split(" ")) == [
        "After a very long day,",
        "everyone went straight home to sleep",
    ]


def test_captions_follow_the_edit_and_pass_the_srt_and_webvtt_parsers(tmp_path):
    words = [
        *words_of("First sentence before the pause.", start=0.5),
        *words_of("Second sentence after the gap, with & and <tags>.", start=6.0),
    ]
    keep = [(0.0, 3.0), (5.8, 12.0)]  # 2.8 s of silence cut
    files = write_captions(words, keep, tmp_path, "talk")
    parsed = list(srt.parse(files.srt.read_text(encoding="utf-8"), ignore_errors=False))
    assert len(parsed) == files.cue_count == 2
    assert parsed[1].start.total_seconds() == pytest.approx(6.0 - 2.8, abs=0.002)
    vtt = webvtt.from_buffer(io.StringIO(files.vtt.read_text(encoding="utf-8")))
    assert [c.start for c in vtt] == ["00:00:00.500", "00:00:03.200"]
    assert vtt[1].text.split("\n") == ["Second sentence after the gap,", "with &amp; and &lt;tags&gt;."]
    assert check_webvtt(files.vtt.read_text(encoding="utf-8"))[1][0] == pytest.approx(3.2)


def test_no_words_make_empty_but_valid_files(tmp_path):
    files = write_captions([], [(0.0, 5.0)], tmp_path, "silent")
    assert files.cue_count == 0
    assert files.srt.read_text() == ""
    assert check_webvtt(files.vtt.read_text()) == []


def test_a_long_word_overlapping_the_next_keeps_the_cues_in_order():
    # found by the property test above: the long word's second piece began after the word it overlapped
    words = [
        Word(word="<", start=0.0, end=0.0),
        Word(word="<", start=0.25, end=0.25),
        Word(word="<" * 43 + "?", start=0.0, end=1.0),
    ]
    cues = build_cues(words, [(0.0, 1.0)])
    for cue in cues:
        assert abs(cue.start - cue.first_word_start) <= 0.25
    assert [c.start for c in cues] == sorted(c.start for c in cues)
