"""Audio for analysis: one 16 kHz mono extract, and loudness per 10 ms frame read from it in chunks."""

import wave
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from functions.media.ffmpeg_run import ProgressCallback, run_ffmpeg

ANALYSIS_RATE = 16000
FRAME_SECONDS = 0.01
SILENT_DB = -100.0  # what digital silence reads as (log of zero, clamped)
_CHUNK_FRAMES = 6000  # 60 s of 10 ms frames per read: memory does not grow with the video


def extract_audio(
    source: str,
    destination: Path,
    duration: float,
    on_progress: ProgressCallback | None = None,
    codec: str = "pcm_s16le",
    source_options: Sequence[str] = (),
) -> Path:
    """Decode the first audio stream to 16 kHz mono (WAV for analysis and speech models, or FLAC for
    Amazon Transcribe, which cannot read MOV or AVI containers); `source_options` go before its `-i`
    (reading a URL: functions/media/ranged_input.py)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        [
            *source_options,
            "-i",
            source,
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(ANALYSIS_RATE),
            "-c:a",
            codec,
            str(destination),
        ],
        expected_seconds=duration,
        on_progress=on_progress,
    )
    return destination


def iter_samples(wav_path: Path, chunk_seconds: float = 60.0) -> Iterator[np.ndarray]:
    """Float32 samples in chunks of `chunk_seconds`."""
    with wave.open(str(wav_path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{wav_path} is not 16-bit mono")
        per_chunk = int(chunk_seconds * wav.getframerate())
        while True:
            raw = wav.readframes(per_chunk)
            if not raw:
                return
            yield np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0


def loudness_frames(wav_path: Path, frame_seconds: float = FRAME_SECONDS) -> np.ndarray:
    """RMS loudness in dBFS of each `frame_seconds` frame (a float32 array, 100 values per second)."""
    with wave.open(str(wav_path), "rb") as wav:
        rate = wav.getframerate()
    per_frame = round(rate * frame_seconds)
    chunk_seconds = _CHUNK_FRAMES * frame_seconds
    parts: list[np.ndarray] = []
    carry = np.zeros(0, dtype=np.float32)
    for chunk in iter_samples(wav_path, chunk_seconds):
        samples = np.concatenate([carry, chunk]) if carry.size else chunk
        whole = (samples.size // per_frame) * per_frame
        carry = samples[whole:]
        if whole:
            parts.append(_frame_db(samples[:whole].reshape(-1, per_frame)))
    if carry.size:
        parts.append(_frame_db(carry.reshape(1, -1)))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _frame_db(frames: np.ndarray) -> np.ndarray:
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(power)
    clamped: np.ndarray = np.maximum(db, SILENT_DB).astype(np.float32)
    return clamped
