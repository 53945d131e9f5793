"""The local speech engine: faster-whisper with a model shipped in a package (no download at run time).

Used in local mode and on Fargate (model and runtime are ~500 MB, too big for a Lambda zip). Audio is
fed in chunks split at the quietest moment near each boundary, so memory stays bounded however long
the video is.
"""

import itertools
import os
import threading
import wave
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from functions.domain.errors import UnsupportedSettingError
from functions.domain.media_values import Segment, Transcript, Word
from functions.media.audio import FRAME_SECONDS
from functions.media.ffmpeg_run import ProgressCallback
from functions.media.whisper_models import AUTO, EnglishModel, english_model_path, model_path_for

CHUNK_SECONDS = 300.0
SEARCH_SECONDS = 15.0  # look this far back from a chunk boundary for a quiet moment
_lock = threading.Lock()  # one transcription at a time per process: the model already uses every core


@cache
def load_model(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2)


def chunk_boundaries(
    frames_db: np.ndarray, duration: float, chunk_seconds: float = CHUNK_SECONDS
) -> list[float]:
    """Split points near every `chunk_seconds`, moved to the quietest frame shortly before."""
    boundaries = [0.0]
    target = chunk_seconds
    while target < duration - 1.0:
        lo = max(boundaries[-1] + 1.0, target - SEARCH_SECONDS)
        a, b = int(lo / FRAME_SECONDS), int(target / FRAME_SECONDS)
        window = frames_db[a:b]
        point = (a + int(np.argmin(window))) * FRAME_SECONDS if window.size else target
        boundaries.append(round(point, 2))
        target = point + chunk_seconds
    boundaries.append(duration)
    return boundaries


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

    def __init__(self, model_path: str | None = None, beam_size: int = 5) -> None:
        self.model_path = str(model_path or english_model_path())
        self.beam_size = beam_size

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
        with _lock:
            boundaries = chunk_boundaries(frames_db, duration)
            for offset, end in itertools.pairwise(boundaries):
                samples = read_span(wav_path, offset, end)
                pieces, info = model.transcribe(
                    samples,
                    language=spoken,
                    beam_size=self.beam_size,
                    word_timestamps=True,
                    condition_on_previous_text=False,
                    vad_filter=False,
                )
                spoken = spoken or str(info.language)
                for piece in pieces:
                    words = [
                        Word(
                            word=w.word.strip(),
                            start=round(offset + w.start, 3),
                            end=round(offset + w.end, 3),
                            probability=round(float(w.probability), 3),
                        )
                        for w in (piece.words or [])
                    ]
                    segments.append(
                        Segment(
                            start=round(offset + piece.start, 3),
                            end=round(offset + piece.end, 3),
                            text=piece.text.strip(),
                            words=words,
                        )
                    )
                    if on_progress and duration > 0:
                        on_progress(min(1.0, (offset + piece.end) / duration))
        detected = spoken or language
        return Transcript(engine=self.name, language=detected, duration=duration, segments=segments)
