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

from functions.media.ffmpeg_run import run_ffmpeg

SAMPLE_RATE = 48000
AUDIBLE_DB = -30.0  # speech edges: where 10 ms loudness first/last reaches this
SegmentKind = Literal["speech", "silence", "burst", "tone"]

# Visual sources for scenes; each looks different enough from the next to be a cut.
SCENE_SOURCES = (
    "testsrc2=size={w}x{h}:rate={fps}",
    "smptehdbars=size={w}x{h}:rate={fps}",
    "gradients=size={w}x{h}:rate={fps}:speed=0.01",
    "color=c=0x2050a0:size={w}x{h}:rate={fps}",
    "rgbtestsrc=size={w}x{h}:rate={fps}",
    "yuvtestsrc=size={w}x{h}:rate={fps}",
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
    run_ffmpeg(["-i", str(wav), "-ar", str(SAMPLE_RATE), "-ac", "1", "-f", "s16le", str(raw)])
    samples = np.frombuffer(raw.read_bytes(), dtype=np.int16).astype(np.float32) / 32768.0
    peak = float(np.max(np.abs(samples))) or 1.0
    samples = samples * (0.5 / peak)
    # Trim espeak's own quiet lead-in and tail, so the truth marks where the voice is audible:
    # the first and last 10 ms frame whose RMS reaches AUDIBLE_DB.
    frame = SAMPLE_RATE // 100
    usable = samples[: samples.size // frame * frame].reshape(-1, frame)
    rms_db = 10 * np.log10(np.maximum(np.mean(usable**2, axis=1), 1e-12))
    audible = np.flatnonzero(rms_db >= AUDIBLE_DB)
    if audible.size:
        samples = samples[audible[0] * frame : (audible[-1] + 1) * frame]
    return samples


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


H264_AAC = [
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
]
CODECS = {
    "mp4": H264_AAC,
    "mov": H264_AAC,
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
    scene_sources: Sequence[str] = SCENE_SOURCES,
) -> list[float]:
    """Encode scenes cut at known times under the audio. Returns the cut times."""
    lengths = list(scene_seconds) or [duration]
    remaining = duration - sum(lengths)
    if remaining > 0.05:
        lengths.append(remaining)
    inputs: list[str] = []
    for i, length in enumerate(lengths):
        source = scene_sources[i % len(scene_sources)].format(w=width, h=height, fps=fps)
        inputs += [
            "-f",
            "lavfi",
            "-i",
            f"{source},format=yuv420p,trim=duration={length:.4f},setpts=PTS-STARTPTS",
        ]
    n = len(lengths)
    graph = "".join(f"[{i}:v]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]"
    extension = destination.suffix.lstrip(".").lower()
    run_ffmpeg(
        [
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
        ]
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
    scene_sources: Sequence[str] = SCENE_SOURCES,
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
            scene_sources=scene_sources,
        )
    return truth


def sync_sample(destination: Path, cuts: int = 22, fps: int = 25) -> Truth:
    """Tones on a white picture, silences on a black one: after cutting, every tone must still start
    on its first white frame, which is how A/V drift is measured."""
    segments: list[Segment] = []
    for _ in range(cuts):
        segments += [Segment("tone", 1.0), Segment("silence", 1.2)]
    segments.append(Segment("tone", 1.0))
    white = "color=c=white:size={w}x{h}:rate={fps}"
    black = "color=c=black:size={w}x{h}:rate={fps}"
    return make_sample(
        destination,
        segments,
        width=160,
        height=90,
        fps=fps,
        scene_seconds=[s.seconds for s in segments[:-1]],
        scene_sources=[white if s.kind == "tone" else black for s in segments],
    )


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


TALK_SENTENCES = (
    "Today we look at how a small team ships video every week.",
    "The first step is to plan the story before recording anything.",
    "Good audio matters more than a sharp picture.",
    "Keep each take short and speak to one person.",
    "Editing is where most of the time goes.",
    "Cutting long pauses makes the pace feel natural.",
    "Add captions so people can watch without sound.",
    "Publish at the same time each week and measure what works.",
)


def talk_script(minutes: float, seed: int = 3) -> tuple[list[Segment], list[float]]:
    """A talk of about `minutes`: sentences, pauses of 0.3–2.5 s, a loud burst about every 40 s.
    Returns the segments and scene lengths (a cut every 12–25 s)."""
    rng = np.random.default_rng(seed)
    target = minutes * 60
    segments: list[Segment] = []
    elapsed, since_burst, i = 0.0, 0.0, 0
    while elapsed < target:
        text = TALK_SENTENCES[i % len(TALK_SENTENCES)]
        segments.append(Segment("speech", 3.0, text))
        pause = float(rng.choice([0.3, 0.4, 1.2, 1.8, 2.5]))
        segments.append(Segment("silence", pause))
        elapsed += 3.3 + pause
        since_burst += 3.3 + pause
        if since_burst > 40:
            segments += [Segment("burst", 0.7), Segment("silence", 1.5)]
            elapsed += 2.2
            since_burst = 0.0
        i += 1
    scenes, total = [], 0.0
    while total < target:
        length = float(rng.uniform(12, 25))
        scenes.append(round(length, 2))
        total += length
    return segments, scenes[:-1]
