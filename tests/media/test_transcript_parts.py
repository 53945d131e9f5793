"""A transcript heard in parts (speech only, cut in the silences, heard in parallel) against one heard
whole, on espeak-ng speech whose words are known: no worse by more than one point of WER, word times
monotonic across the joins."""

import re
import threading
from pathlib import Path

import jiwer
import numpy as np
import pytest

from functions.domain.media_values import Transcript
from functions.media.audio import extract_audio, loudness_frames
from functions.media.speech_parts import speech_parts
from functions.media.whisper import WhisperEngine
from reelflow.local.samples import Truth


def words_of(transcript) -> str:
    return " ".join(re.sub(r"[^a-z' ]+", "", w.word.lower()) for w in transcript.words)


@pytest.fixture(scope="module")
def heard(talk, tmp_path_factory):
    path, truth = talk
    wav = extract_audio(str(path), tmp_path_factory.mktemp("parts") / "talk.wav", truth.duration)
    return wav, loudness_frames(wav), truth


def assert_joined_as_good_as_one_piece(joined: Transcript, whole: Transcript, truth: Truth) -> None:
    """The rule for any transcript heard in parts (a pool in one process, or groups in one invocation
    each): WER no worse than the same speech heard as one piece by more than one point, word times
    monotonic, every word in the speech it was heard in."""
    reference = " ".join(truth.words)
    whole_wer, joined_wer = jiwer.wer(reference, words_of(whole)), jiwer.wer(reference, words_of(joined))
    assert joined_wer <= whole_wer + 0.01, (joined_wer, whole_wer, words_of(joined))
    starts = [w.start for w in joined.words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in joined.words)
    # every word lands in the speech it was heard in, never in a dropped silence (a part's first word
    # may take in a noise heard just before it: whisper's word starts are loose at a part's start)
    for word in joined.words:
        assert any(s - 1.0 <= word.start <= e for s, e, _ in truth.speech), word


def heard_whole(wav: Path, frames: np.ndarray, truth: Truth) -> Transcript:
    """The talk heard as one piece: one part, one worker."""
    engine = WhisperEngine(beam_size=1, part_seconds=1e9, workers=1)
    return engine.transcribe(wav, "en", truth.duration, frames)


def test_parts_joined_are_as_good_as_one_piece_with_monotonic_word_times(heard):
    wav, frames, truth = heard
    assert len(speech_parts(frames, truth.duration, part_seconds=8.0)) >= 3
    whole = heard_whole(wav, frames, truth)
    threads: set[str] = set()
    engine = WhisperEngine(beam_size=1, part_seconds=8.0, workers=2)
    joined = engine.transcribe(
        wav, "en", truth.duration, frames, on_progress=lambda _: threads.add(threading.current_thread().name)
    )
    assert len({t for t in threads if t.startswith("whisper")}) == 2  # the parts were heard by a pool
    assert_joined_as_good_as_one_piece(joined, whole, truth)
