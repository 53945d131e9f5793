"""Sample videos with known truth: where speech, pauses, loud bursts and scene cuts are.

Used by `reelflow demo`, the tests and the benchmark. Speech comes from espeak-ng when it is
installed (Debian package `espeak-ng`); without it, tone bursts stand in for speech, so everything but
transcription still has something to find.
"""

import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from functions.media.binaries import ffmpeg

SAMPLE_RATE = 48000
SegmentKind = Literal["speech", "silence", "burst", "tone"]

# Visual sources for scenes; each looks different enough from the next to be a cut.
SCENE_SOURCES = (
    "testsrc2=size={w}x{h}:rate={fps}",
    "smptehdbars=size={w}x{h}:rate={fps}",
    "mandelbrot=size={w}x{h}:rate={fps}",
    "color=c=0x2050a0:size={w}x{h}:rate={fps},noise=alls=30:allf=t",
    "rgbtestsrc=size={w}x{h}:rate={fps}",
    "gradients=size={w}x{h}:rate={fps}:speed=0.02",
)


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    seconds: float = 0.0  # for silence, burst and tone; speech lasts as long as espeak takes
    text: str = ""


@dataclass
class Truth:
    """What a generated sample contains, in seconds from its start."""

    duration: float = 0.0
    speech: list[tuple[float, float, str]] = field(default_factory=list)
    silences: list[tuple[float, float]] = field(default_factory=list)
    bursts: list[tuple[float, float]] = field(default_factory=list)
    scene_cuts: list[float] = field(default_factory=list)
    has_speech: bool = False

    @property
    def words(self) -> list[str]:
        return [
            w for _, _, text in self.speech for w in text.lower().replace(",", "").replace(".", "").split()
        ]


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def _speech(text: str, workdir: Path) -> np.ndarray:
    wav = workdir / "speech.wav"
    raw = workdir / "speech.raw"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True, capture_output=True
    )
    subprocess.run(
        [
            ffmpeg(),
            "-v",
            "error",
            "-y",
            "-i",
            str(wav),
            "-ar",
            str(SAMPLE_RATE),
            "-ac",
            "1",
            "-f",
            "s16le",
            str(raw),
        ],
        check=True,
    )
    samples = np.frombuffer(raw.read_bytes(), dtype=np.int16).astype(np.float32) / 32768.0
    # Trim espeak's own leading and trailing quiet so the truth marks where the voice really is.
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    if loud.size:
        samples = samples[loud[0] : loud[-1] + 1]
    peak = float(np.max(np.abs(samples))) or 1.0
    return samples * (0.5 / peak)


def _tone(seconds: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    frequency = rng.uniform(180, 320)
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 3 * t) ** 2  # syllable-like modulation
    return (0.3 * envelope * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def build_audio(segments: Sequence[Segment], destination: Path, seed: int = 7) -> Truth:
    """Write a 48 kHz mono WAV of the segments and return where each one landed."""
    rng = np.random.default_rng(seed)
    truth = Truth()
    pieces: list[np.ndarray] = []
    cursor = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for segment in segments:
            if segment.kind == "speech" and have_espeak():
                samples = _speech(segment.text, Path(tmp))
                truth.has_speech = True
            elif segment.kind in {"speech", "tone"}:
                samples = _tone(segment.seconds or 2.0, rng)
            elif segment.kind == "burst":
                samples = (rng.uniform(-0.9, 0.9, int(segment.seconds * SAMPLE_RATE))).astype(np.float32)
            else:
                samples = np.zeros(int(segment.seconds * SAMPLE_RATE), dtype=np.float32)
            length = len(samples) / SAMPLE_RATE
            span = (round(cursor, 4), round(cursor + length, 4))
            if segment.kind in {"speech", "tone"}:
                truth.speech.append((*span, segment.text))
            elif segment.kind == "burst":
                truth.bursts.append(span)
            else:
                truth.silences.append(span)
            pieces.append(samples)
            cursor += length
    audio = np.concatenate(pieces) if pieces else np.zeros(SAMPLE_RATE, dtype=np.float32)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
    with wave.open(str(destination), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    truth.duration = round(len(audio) / SAMPLE_RATE, 4)
    return truth


CODECS = {
    "mp4": [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-crf",
        "30",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
    ],
    "mov": [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-crf",
        "30",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
    ],
    "webm": [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "600k",
        "-c:a",
        "libopus",
    ],
    "avi": ["-c:v", "mpeg4", "-q:v", "5", "-c:a", "libmp3lame", "-b:a", "96k"],
}


def build_video(
    audio: Path,
    duration: float,
    destination: Path,
    *,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    scene_seconds: Sequence[float] = (),
) -> list[float]:
    """Encode scenes cut at known times under the audio. Returns the cut times."""
    lengths = list(scene_seconds) or [duration]
    remaining = duration - sum(lengths)
    if remaining > 0.05:
        lengths.append(remaining)
    inputs: list[str] = []
    for i, length in enumerate(lengths):
        source = SCENE_SOURCES[i % len(SCENE_SOURCES)].format(w=width, h=height, fps=fps)
        inputs += [
            "-f",
            "lavfi",
            "-i",
            f"{source},format=yuv420p,trim=duration={length:.4f},setpts=PTS-STARTPTS",
        ]
    n = len(lengths)
    graph = "".join(f"[{i}:v]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]"
    extension = destination.suffix.lstrip(".").lower()
    subprocess.run(
        [
            ffmpeg(),
            "-v",
            "error",
            "-y",
            *inputs,
            "-i",
            str(audio),
            "-filter_complex",
            graph,
            "-map",
            "[v]",
            "-map",
            f"{n}:a",
            "-t",
            f"{duration:.4f}",
            "-r",
            str(fps),
            *CODECS[extension],
            str(destination),
        ],
        check=True,
    )
    cuts, cursor = [], 0.0
    for length in lengths[:-1]:
        cursor += length
        cuts.append(round(cursor, 4))
    return cuts


def make_sample(
    destination: Path,
    segments: Sequence[Segment],
    *,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    scene_seconds: Sequence[float] = (),
    seed: int = 7,
) -> Truth:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "audio.wav"
        truth = build_audio(segments, audio, seed=seed)
        truth.scene_cuts = build_video(
            audio,
            truth.duration,
            destination,
            width=width,
            height=height,
            fps=fps,
            scene_seconds=scene_seconds,
        )
    return truth


DEMO_SCRIPT = (
    Segment("speech", 2.5, "Welcome to the reelflow demo. This is an important announcement."),
    Segment("silence", 1.6),
    Segment("speech", 2.5, "Every video in a batch is transcribed and trimmed."),
    Segment("silence", 2.2),
    Segment("burst", 0.8),
    Segment("speech", 2.5, "That was amazing. Long pauses are removed automatically."),
    Segment("silence", 1.4),
    Segment("speech", 2.0, "Thanks for watching."),
)


def demo_samples(directory: Path, include_broken: bool = False) -> dict[str, Truth]:
    """Three short talks in three containers (and, on request, a corrupt file)."""
    directory.mkdir(parents=True, exist_ok=True)
    specs = [
        ("01-welcome.mp4", 1280, 720, 30, (4.0, 5.0)),
        ("02-interview.mov", 960, 540, 25, (6.0,)),
        ("03-vlog.webm", 854, 480, 24, (3.0, 4.0, 3.0)),
    ]
    truths = {}
    for i, (name, w, h, fps, scenes) in enumerate(specs):
        truths[name] = make_sample(
            directory / name, DEMO_SCRIPT, width=w, height=h, fps=fps, scene_seconds=scenes, seed=i + 1
        )
    if include_broken:
        (directory / "04-broken.mp4").write_bytes(b"this is not a video\n" * 512)
    return truths
