"""The local speech engine: faster-whisper with a model shipped in a package (no download at run time).

Used in local mode and on Fargate (model and runtime are ~500 MB, too big for a Lambda zip). The engine
hears the speech only, in parts (`speech_parts.py`): long silences are left out and the parts are cut
inside them, so memory stays bounded however long the video is and no second is spent on quiet.
"""

import os
import threading
import wave
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from functions.domain.errors import UnsupportedSettingError
from functions.domain.media_values import Segment, Transcript, Word
from functions.media.ffmpeg_run import ProgressCallback
from functions.media.speech_parts import PART_SECONDS, SpeechPart, quiet_split, speech_parts
from functions.media.whisper_models import AUTO, EnglishModel, english_model_path, model_path_for

_lock = threading.Lock()  # one transcription at a time per process: the model already uses every core


@cache
def load_model(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2)


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
        self, model_path: str | None = None, beam_size: int = 5, part_seconds: float = PART_SECONDS
    ) -> None:
        self.model_path = str(model_path or english_model_path())
        self.beam_size = beam_size
        self.part_seconds = part_seconds

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
        """`language` is a code or `auto`: then the first chunk's detected language is used for every
        chunk and recorded in the transcript."""
        self.check_language(language)
        model = load_model(self.model_path)
        segments: list[Segment] = []
        spoken: str | None = None if language == AUTO else language
        parts = speech_parts(frames_db, duration, self.part_seconds)
        heard_total = sum(part.seconds for part in parts) or 1.0
        heard_done = 0.0
        with _lock:
            for part in parts:
                pieces, info = model.transcribe(
                    heard_samples(wav_path, part),
                    language=spoken,
                    beam_size=self.beam_size,
                    word_timestamps=True,
                    condition_on_previous_text=False,
                    vad_filter=False,
                )
                spoken = spoken or str(info.language)
                for piece in pieces:
                    segments.append(_segment(piece, part))
                    if on_progress:
                        on_progress(min(1.0, (heard_done + piece.end - LEAD_SECONDS) / heard_total))
                heard_done += part.seconds
        detected = spoken or language
        return Transcript(engine=self.name, language=detected, duration=duration, segments=segments)


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
