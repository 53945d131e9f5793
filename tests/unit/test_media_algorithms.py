"""Pure media algorithms: silence planning, highlight scoring, transcript conversion, chunking, progress."""

import itertools

import numpy as np
import pytest

from functions.domain.enums import HighlightSensitivity
from functions.domain.media_values import CutPlan, Word
from functions.domain.stage_results import TranscriptSummary
from functions.media.highlights import Event, build_highlights, keyword_events, loudness_peaks
from functions.media.silence import detect_silences, keep_intervals, plan_cuts
from functions.media.transcript import from_amazon_transcribe
from functions.media.whisper import chunk_boundaries


def frames(pattern: list[tuple[float, float]]) -> np.ndarray:
    """(seconds, dB) pieces → 10 ms loudness frames."""
    return np.concatenate([np.full(round(sec * 100), db, dtype=np.float32) for sec, db in pattern])


def test_silences_shorter_than_the_minimum_are_kept():
    loudness = frames([(2, -20), (0.6, -80), (2, -20), (1.5, -80), (1, -20)])
    assert detect_silences(loudness, -35, 1.0) == [(4.6, 6.1)]
    assert detect_silences(loudness, -35, 0.5) == [(2.0, 2.6), (4.6, 6.1)]


def test_threshold_decides_what_is_quiet():
    loudness = frames([(1, -20), (2, -40), (1, -20)])
    assert detect_silences(loudness, -35, 1.0) == [(1.0, 3.0)]
    assert detect_silences(loudness, -45, 1.0) == []


def test_margin_is_kept_next_to_speech_but_not_at_the_edges():
    keep = keep_intervals([(0.0, 1.0), (3.0, 5.0), (9.0, 10.0)], 10.0, 0.2)
    assert keep == [(0.8, 3.2), (4.8, 9.2)]


def test_a_silence_narrower_than_two_margins_is_not_cut():
    assert keep_intervals([(3.0, 3.3)], 10.0, 0.2) == [(0.0, 10.0)]


def test_plan_reports_the_cuts_for_a_dry_run():
    plan = plan_cuts(frames([(2, -20), (2, -80), (2, -20)]), 6.0, -35, 1.0, 0.25)
    assert plan.cuts == 1 and plan.silences == [(2.0, 4.0)]
    assert plan.keep == [(0.0, 2.25), (3.75, 6.0)]
    assert plan.removed_seconds == 1.5 and plan.kept_seconds == 4.5
    # stored as JSON pairs, read back to the same value
    stored = plan.model_dump(mode="json")
    assert stored["keep"] == [[0.0, 2.25], [3.75, 6.0]] and "note" not in stored
    assert CutPlan.model_validate(stored) == plan


def test_keywords_match_words_and_phrases_ignoring_case_and_punctuation():
    words = [
        Word(word=w, start=i, end=i + 0.5) for i, w in enumerate(["This", "is", "AMAZING!", "big", "news."])
    ]
    hits = keyword_events(words, ["amazing", "big news", "absent"])
    assert [(h.time, h.reason.split("'")[1]) for h in hits] == [(2, "amazing"), (3, "big news")]


def test_loudness_peaks_stand_out_from_the_talk():
    loudness = frames([(5, -22), (0.5, -4), (5, -22), (0.5, -3), (3, -22)])
    peaks = loudness_peaks(loudness)
    assert [round(p.time) for p in peaks] == [5, 11]
    assert all("loudness peak" in p.reason for p in peaks)
    assert loudness_peaks(frames([(10, -22)])) == []


def test_highlights_merge_nearby_events_and_respect_sensitivity():
    events = [
        Event(10, 3.0, "keyword"),
        Event(11, 2.0, "peak"),
        Event(40, 1.0, "scene"),
        Event(80, 2.5, "peak"),
    ]
    medium = build_highlights(events, 120, HighlightSensitivity.MEDIUM)
    assert [(h.start, h.end) for h in medium] == [(7.5, 14.5), (77.5, 83.5)]
    assert medium[0].score == 5.0 and medium[0].reasons == ["keyword", "peak"]
    assert len(build_highlights(events, 120, HighlightSensitivity.MAX)) == 3
    assert len(build_highlights(events, 120, HighlightSensitivity.LOW)) == 1


def test_highlights_never_overlap_or_grow_without_bound():
    events = [Event(t, 2.0, f"e{t}") for t in range(0, 60, 2)]
    chosen = build_highlights(events, 60, HighlightSensitivity.MAX)
    for a, b in itertools.pairwise(chosen):
        assert a.end <= b.start
    assert all(h.end - h.start <= 12.0 for h in chosen)


AMAZON = {
    "results": {
        "transcripts": [{"transcript": "Hello world. Next part"}],
        "items": [
            {
                "type": "pronunciation",
                "start_time": "0.1",
                "end_time": "0.5",
                "alternatives": [{"content": "Hello", "confidence": "0.99"}],
            },
            {
                "type": "pronunciation",
                "start_time": "0.6",
                "end_time": "1.0",
                "alternatives": [{"content": "world", "confidence": "0.9"}],
            },
            {"type": "punctuation", "alternatives": [{"content": "."}]},
            {
                "type": "pronunciation",
                "start_time": "3.0",
                "end_time": "3.2",
                "alternatives": [{"content": "Next", "confidence": "0.8"}],
            },
            {
                "type": "pronunciation",
                "start_time": "5.0",
                "end_time": "5.4",
                "alternatives": [{"content": "part", "confidence": "0.7"}],
            },
        ],
    }
}


def test_amazon_transcribe_output_becomes_segments_with_word_times():
    transcript = from_amazon_transcribe(AMAZON, "en", 6.0)
    assert [s.text for s in transcript.segments] == ["Hello world.", "Next", "part"]
    assert transcript.words[0].model_dump() == {
        "word": "Hello",
        "start": 0.1,
        "end": 0.5,
        "probability": 0.99,
    }
    assert TranscriptSummary.of(transcript).word_count == 4 and transcript.engine == "amazon-transcribe"


def test_with_auto_the_transcript_records_the_language_amazon_identified():
    identified = {"results": {**AMAZON["results"], "language_code": "de-DE"}}
    assert from_amazon_transcribe(identified, "auto", 6.0).language == "de"
    assert from_amazon_transcribe(AMAZON, "auto", 6.0, job_language="fr-FR").language == "fr"
    assert from_amazon_transcribe(identified, "es", 6.0).language == "es"  # a chosen language stays


def test_long_audio_is_split_at_quiet_moments_near_each_chunk_boundary():
    loudness = np.full(100 * 700, -20.0, dtype=np.float32)
    loudness[100 * 290 : 100 * 291] = -90.0  # a pause 10 s before the 300 s mark
    bounds = chunk_boundaries(loudness, 700.0, chunk_seconds=300.0)
    assert bounds[0] == 0.0 and bounds[-1] == 700.0
    assert bounds[1] == pytest.approx(290.0, abs=0.01)
    assert all(b - a <= 300.0 for a, b in itertools.pairwise(bounds))
