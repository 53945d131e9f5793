"""A render split into parts, against generated media whose every frame shows its own number (a
barcode) and whose sound has a click at known frames: the stitched output has exactly the kept frames,
in order, on a clean clock, with every click on the frame it belongs to and the same sound as one render.
"""

import hashlib
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from functions.domain.enums import ExportFormat, ExportQuality
from functions.media.binaries import ffmpeg
from functions.media.probe import probe
from functions.media.render import plan_render, render
from functions.media.scenes import packet_sizes

FPS, BITS, BIT_WIDTH, HEIGHT = 25, 12, 16, 32
SECONDS = 16.0
CLICK_EVERY = 7  # frames: clicks fall on many different phases of the cut and part boundaries
# source intervals kept (frame-aligned): nine pieces, so several joins land on cuts and others inside;
# short cuts are decoded through, the 2.4 s one is sought past
KEEP = [(0.0, 1.2), (1.8, 3.0), (3.4, 5.6), (6.0, 6.48), (7.0, 9.4), (9.8, 10.2), (12.6, 12.8), (13.2, 14.4)]
KEEP.append((15.0, SECONDS))
PCM = ["-f", "s16le"]


def barcode_source(path: Path, silent: Sequence[tuple[float, float]] = ()) -> Path:
    """Frame n shows n in binary (bit i white when set, 16 px each); a 1 ms click starts frames that
    are multiples of CLICK_EVERY, over a quiet 220 Hz tone (so a gap in the sound would show). The
    `silent` spans have no sound at all (silences for the pipeline to cut)."""
    width = BITS * BIT_WIDTH
    luma = f"if(mod(floor(N/pow(2\\,floor(X/{BIT_WIDTH})))\\,2)\\,235\\,16)"
    picture = f"geq=lum='{luma}':cb=128:cr=128"
    click = f"if(lt(mod(t*{FPS}\\,{CLICK_EVERY})*48000/{FPS}\\,48)\\,0.9\\,0)"
    gates = "".join(f"*(1-between(t\\,{a}\\,{b}))" for a, b in silent)
    click = f"({click}{gates})"
    subprocess.run(
        [
            ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", f"nullsrc=s={width}x{HEIGHT}:r={FPS}:d={SECONDS},{picture}",
            "-f", "lavfi", "-i", f"aevalsrc='{click}+0.05*sin(2*PI*220*t){gates}':s=48000:d={SECONDS}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p",
            "-c:a", "pcm_s16le", "-shortest", str(path.with_suffix(".mov")),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return path.with_suffix(".mov")


def shown_numbers(video: Path) -> list[int]:
    width = BITS * BIT_WIDTH
    raw = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(video), "-vf", "format=gray", "-f", "rawvideo", "-"],
        capture_output=True,
        check=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT, width)
    middle = frames[:, HEIGHT // 2, BIT_WIDTH // 2 :: BIT_WIDTH] > 128
    return [int(sum(1 << i for i, on in enumerate(row) if on)) for row in middle]


def packet_times(video: Path) -> list[float]:
    times, _, _ = packet_sizes(str(video))  # presentation order
    return [float(t) for t in times]


def click_onsets(video: Path) -> list[float]:
    raw = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(video), "-map", "0:a:0", "-ac", "1", "-ar", "48000", *PCM, "-"],
        capture_output=True,
        check=True,
    ).stdout
    loud = np.r_[False, np.abs(np.frombuffer(raw, np.int16).astype(np.float32) / 32768) > 0.45]
    onsets = np.flatnonzero(loud[1:] & ~loud[:-1])
    kept: list[int] = []
    for onset in onsets:  # one onset per click (the 1 ms burst rings through the codec)
        if not kept or onset - kept[-1] > 480:
            kept.append(int(onset))
    return [o / 48000 for o in kept]


def audio_digest(video: Path) -> str:
    packets = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(video), "-map", "0:a:0", "-c", "copy", "-f", "data", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return hashlib.sha256(packets).hexdigest()


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("split")
    source = barcode_source(folder / "source")
    info = probe(str(source))
    made = {}
    for name, part_seconds in (("one", 1000.0), ("split", 2.0)):
        plan = plan_render(
            str(source), folder / f"{name}.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, KEEP
        )
        if name == "split":
            assert len(plan.parts(part_seconds)) >= 5  # joins at cuts and inside kept intervals
        made[name] = render(plan, part_seconds=part_seconds, workers=2)
    return made


def expected_numbers() -> list[int]:
    return [n for a, b in KEEP for n in range(round(a * FPS), round(b * FPS))]


@pytest.mark.parametrize("name", ["one", "split"])
def test_every_kept_frame_once_in_order_and_nothing_else(renders, name):
    assert shown_numbers(renders[name]) == expected_numbers()


@pytest.mark.parametrize("name", ["one", "split"])
def test_output_decodes_without_error_on_a_clean_clock(renders, name):
    log = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(renders[name]), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert log.returncode == 0 and log.stderr.strip() == ""
    times = packet_times(renders[name])
    assert len(times) == len(expected_numbers())
    assert np.allclose(np.diff(times), 1 / FPS, atol=1e-3)  # no hole and no doubled frame at any join
    streams = probe(str(renders[name]))
    assert streams.duration == pytest.approx(len(times) / FPS, abs=1 / FPS)


@pytest.mark.parametrize("name", ["one", "split"])
def test_each_click_sounds_within_a_frame_of_its_picture(renders, name):
    numbers = expected_numbers()
    expected = [i / FPS for i, n in enumerate(numbers) if n % CLICK_EVERY == 0]
    heard = click_onsets(renders[name])
    assert len(heard) == len(expected)
    drift = [abs(h - e) for h, e in zip(heard, expected, strict=True)]
    assert max(drift) < 1 / FPS, drift


def test_split_render_has_the_one_renders_sound_exactly(renders):
    """The sound is rendered once over the kept timeline, so the joins of the picture parts cannot
    put a gap or a click into it: its packets are those of the single render, byte for byte."""
    assert audio_digest(renders["split"]) == audio_digest(renders["one"])


def test_the_sound_keeps_the_sources_channels_up_to_stereo(renders, tmp_path):
    assert probe(str(renders["split"])).audio_channels == 1  # the barcode's sound is mono: no upmix
    source = tmp_path / "surround.mp4"
    subprocess.run(
        [
            ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=2", "-f", "lavfi", "-i", "sine=d=2",
            "-filter_complex", "[1:a]pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]",
            "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
            str(source),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    info = probe(str(source))
    assert info.audio_channels == 6
    plan = plan_render(
        str(source), tmp_path / "out.mp4", info, ExportFormat.MP4, ExportQuality.Q720P, [(0.0, 1.0)]
    )
    assert probe(str(render(plan))).audio_channels == 2  # mixed down to stereo
