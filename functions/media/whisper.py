"""The local speech engine: faster-whisper with a model shipped in a package (no download at run time).

Used in local mode and on Fargate (model and runtime are ~500 MB, too big for a Lambda zip). The engine
hears the speech only, in parts (`speech_parts.py`): long silences are left out and the parts are cut
inside them, so memory stays bounded however long the video is and no second is spent on quiet. The
parts are heard in parallel, a pool of `workers` (the cores by default) sharing one model loaded with
as many CTranslate2 workers, each on its share of the cores; their segments are joined in part order,
each part's times mapped back to the source, so word times stay monotonic across the joins.
"""

import os
import threading
import wave
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from functions.domain.errors import UnsupportedSettingError
from functions.domain.media_values import Segment, Transcript, Word
from functions.media.ffmpeg_run import ProgressCallback
from functions.media.speech_parts import PART_SECONDS, SpeechPart, quiet_split, speech_parts
from functions.media.whisper_models import AUTO, EnglishModel, english_model_path, model_path_for

_lock = threading.Lock()  # one transcription at a time per process: its parts already use every core


def cores() -> int:
    return os.cpu_count() or 2


@cache
def load_model(path: str, workers: int = 1) -> Any:
    """The model, able to hear `workers` parts at once (each on its share of the cores)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    threads = max(1, cores() // workers)
    return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers)


def chunk_boundaries(
    frames_db: np.ndarray, duration: float, chunk_seconds: float = PART_SECONDS
) -> list[float]:
    """Split points near every `chunk_seconds`, moved to the quietest frame shortly before."""
    pieces = quiet_split(frames_db, 0.0, duration, chunk_seconds)
    return [pieces[0][0], *(end for _, end in pieces)]


LEAD_SECONDS = 0.5  # quiet before and after each part: a first word right at the start is otherwise missed


def heard_samples(wav_path: Path, part: SpeechPart, rate: int = 16_000) -> np.ndarray:
    quiet = np.zeros(round(LEAD_SECONDS * rate), dtype=np.float32)
    return np.concatenate([quiet, *(read_span(wav_path, start, end) for start, end in part.spans), quiet])


def read_span(wav_path: Path, start: float, end: float) -> np.ndarray:
    """Float32 samples of [start, end) seconds of a 16-bit mono WAV."""
    with wave.open(str(wav_path), "rb") as wav:
        rate = wav.getframerate()
        first = int(start * rate)
        wav.setpos(min(first, wav.getnframes()))
        raw = wav.readframes(max(0, int(end * rate) - first))
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0


class WhisperEngine:
    name = "faster-whisper"

    def __init__(
        self,
        model_path: str | None = None,
        beam_size: int = 5,
        part_seconds: float = PART_SECONDS,
        workers: int | None = None,
    ) -> None:
        self.model_path = str(model_path or english_model_path())
        self.beam_size = beam_size
        self.part_seconds = part_seconds
        self.workers = max(1, workers or cores())

    @classmethod
    def for_language(
        cls,
        language: str,
        *,
        explicit_path: str | None = None,
        english_model: EnglishModel = "tiny.en",
        cache_dir: str | None = None,
        beam_size: int = 5,
    ) -> "WhisperEngine":
        """The engine with the right model for `language` (see whisper_models.model_path_for)."""
        path = model_path_for(
            language, explicit_path=explicit_path, english_model=english_model, cache_dir=cache_dir
        )
        return cls(path, beam_size=beam_size)

    def check_language(self, language: str) -> None:
        model = load_model(self.model_path)
        if not model.model.is_multilingual and language != "en":
            raise UnsupportedSettingError(
                f"The local speech model ({Path(self.model_path).name}) transcribes English only, not "
                f"'{language}': use the 'aws' engine (Amazon Transcribe) or set REELFLOW_WHISPER_MODEL_PATH "
                "to a multilingual model"
            )

    def transcribe(
        self,
        wav_path: Path,
        language: str,
        duration: float,
        frames_db: np.ndarray,
        on_progress: ProgressCallback | None = None,
    ) -> Transcript:
        """`language` is a code or `auto`: then the first part is heard alone, its detected language
        used for every other part and recorded in the transcript."""
        parts = speech_parts(frames_db, duration, self.part_seconds)
        return self.hear(wav_path, language, duration, parts, on_progress)

    def detect_language(self, wav_path: Path, part: SpeechPart) -> str:
        """The language whisper hears in the first 30 s of `part` (what `auto` would use for it)."""
        model = load_model(self.model_path)
        if not model.model.is_multilingual:
            return "en"
        language, _, _ = model.detect_language(heard_samples(wav_path, part)[: 30 * 16_000])
        return str(language)

    def hear(
        self,
        wav_path: Path,
        language: str,
        duration: float,
        parts: Sequence[SpeechPart],
        on_progress: ProgressCallback | None = None,
    ) -> Transcript:
        """The transcript of `parts` (all of a video's, or one group of them), heard by the pool, its
        times in the source's."""
        self.check_language(language)
        workers = max(1, min(self.workers, len(parts)))
        model = load_model(self.model_path, workers)
        progress = _HeardProgress(sum(part.seconds for part in parts), on_progress)
        spoken: str | None = None if language == AUTO else language

        def hear(part: SpeechPart) -> tuple[list[Segment], str]:
            pieces, info = model.transcribe(
                heard_samples(wav_path, part),
                language=spoken,
                beam_size=self.beam_size,
                word_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            segments = []
            for piece in pieces:
                segments.append(_segment(piece, part))
                progress.heard(part, piece.end - LEAD_SECONDS)
            progress.heard(part, part.seconds)
            return segments, str(info.language)

        heard: list[list[Segment]] = []
        with _lock:
            rest = list(parts)
            if spoken is None and parts:  # the first part tells the language of the others
                first, spoken = hear(parts[0])
                heard.append(first)
                rest = rest[1:]
            with ThreadPoolExecutor(workers, thread_name_prefix="whisper") as pool:
                heard += [segments for segments, _ in pool.map(hear, rest)]
        segments = join_segments(heard)
        detected = spoken or language
        return Transcript(engine=self.name, language=detected, duration=duration, segments=segments)


class _HeardProgress:
    """The fraction heard of all parts, from each part's own progress (parts run at once)."""

    def __init__(self, total: float, on_progress: ProgressCallback | None) -> None:
        self._total = total or 1.0
        self._done: dict[int, float] = {}
        self._on_progress = on_progress
        self._lock = threading.Lock()

    def heard(self, part: SpeechPart, seconds: float) -> None:
        if self._on_progress is None:
            return
        with self._lock:
            self._done[id(part)] = max(self._done.get(id(part), 0.0), min(seconds, part.seconds))
            fraction = sum(self._done.values()) / self._total
        self._on_progress(min(1.0, fraction))


def join_segments(parts: list[list[Segment]]) -> list[Segment]:
    """The parts' segments in part order. A part's times were mapped back to the source and parts
    never overlap, so the joined times move forward; a word whisper starts (loosely) before the word
    before it starts at that word's start instead."""
    joined: list[Segment] = []
    last = 0.0
    for segments in parts:
        for segment in segments:
            words = []
            for word in segment.words:
                start = max(word.start, last)
                words.append(word.model_copy(update={"start": start, "end": max(start, word.end)}))
                last = start
            start = max(segment.start, joined[-1].start if joined else 0.0)
            joined.append(
                segment.model_copy(update={"start": start, "end": max(start, segment.end), "words": words})
            )
    return joined


def _segment(piece: Any, part: SpeechPart) -> Segment:
    """A segment heard in `part`, its times mapped back to the source."""
    words = []

    def source(heard: float) -> float:
        return part.source_time(heard - LEAD_SECONDS)

    for w in piece.words or []:
        start = source(w.start)
        words.append(
            Word(
                word=w.word.strip(),
                start=start,
                end=max(start, source(w.end)),
                probability=round(float(w.probability), 3),
            )
        )
    start = part.source_time(piece.start)
    return Segment(
        start=start, end=max(start, part.source_time(piece.end)), text=piece.text.strip(), words=words
    )
