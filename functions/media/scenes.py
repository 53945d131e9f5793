"""Scene cuts without decoding every frame.

1. Decode only keyframes, shrunk to 64x36 grey, and compare neighbours: a big change between two
   keyframes means a cut somewhere between them (or gradual motion).
2. Read packet sizes (demux only, no decoding) in each such interval: a cut shows as a step in the
   compressed size of frames. The frame at the step is the cut; gradual motion shows no step.

Both passes are hundreds of times faster than real time, where decoding every frame is not.
"""

import re
import subprocess
from dataclasses import dataclass

import numpy as np

from functions.media.binaries import ffmpeg, ffprobe
from functions.media.ffmpeg_run import FfmpegError

THUMB_W, THUMB_H = 64, 36
CANDIDATE_DIFF = 0.04  # mean absolute grey difference between keyframes worth a look
STRONG_DIFF = 0.15  # a change this big between keyframes is a cut even without a size step
STEP_LOG_RATIO = float(np.log(2.5))  # frame sizes jump at least 2.5x across a cut…
SPIKE_LOG_RATIO = float(np.log(8.0))  # …or, between two still shots, one frame is 8x its neighbours
STEP_WINDOW = 4
MIN_SHOT_SECONDS = 1.0


@dataclass(frozen=True)
class SceneCut:
    time: float
    strength: float  # keyframe difference, 0..1


def keyframe_thumbnails(source: str) -> tuple[list[float], np.ndarray]:
    completed = subprocess.run(
        [
            ffmpeg(),
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "info",
            "-skip_frame",
            "nokey",
            "-i",
            source,
            "-map",
            "0:v:0",
            "-an",
            "-fps_mode",
            "passthrough",
            "-vf",
            f"scale={THUMB_W}:{THUMB_H}:flags=area,format=gray,showinfo",
            "-f",
            "rawvideo",
            "-",
        ],
        capture_output=True,
        check=False,
    )
    if completed.returncode != 0:
        raise FfmpegError(f"keyframe scan failed: {completed.stderr.decode(errors='replace')[-300:]}")
    times = [
        float(t) for t in re.findall(r"pts_time:\s*(-?[0-9.]+)", completed.stderr.decode(errors="replace"))
    ]
    frames = np.frombuffer(completed.stdout, dtype=np.uint8).reshape(-1, THUMB_W * THUMB_H)
    count = min(len(times), len(frames))
    return times[:count], frames[:count].astype(np.float32) / 255.0


def packet_sizes(source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(presentation times, sizes, is-keyframe) of every video packet, in presentation order."""
    completed = subprocess.run(
        [
            ffprobe(),
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time,size,flags",
            "-of",
            "csv=p=0",
            source,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise FfmpegError(f"packet scan failed: {completed.stderr[-300:]}")
    rows = []
    for line in completed.stdout.splitlines():
        parts = line.split(",")
        if len(parts) >= 3 and parts[0] not in {"", "N/A"}:
            rows.append((float(parts[0]), float(parts[1]), 1.0 if "K" in parts[2] else 0.0))
    rows.sort()
    data = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return data[:, 0], data[:, 1], data[:, 2].astype(bool)


def _size_scores(times: np.ndarray, log_sizes: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """For each frame in idx, how strongly the compressed size changes there, in units of the
    thresholds: a step (the new shot codes at another size) or a spike (one intra-coded frame between
    stills). 1.0 or more is a cut."""
    scores = np.zeros(idx.size)
    for n, i in enumerate(idx):
        before = log_sizes[max(0, i - STEP_WINDOW) : i]
        after = log_sizes[i : i + STEP_WINDOW]
        later = log_sizes[i + 1 : i + 1 + STEP_WINDOW]
        if before.size < 2 or after.size < 2:
            continue
        step = abs(float(np.median(after)) - float(np.median(before)))
        neighbours = max(float(np.median(before)), float(np.median(later)) if later.size else 0.0)
        spike = float(log_sizes[i]) - neighbours
        scores[n] = max(step / STEP_LOG_RATIO, spike / SPIKE_LOG_RATIO)
    return scores


def _change_point(log_sizes: np.ndarray, around: int) -> int:
    """The split of the frames near `around` that best separates two size levels (the cut)."""
    a = max(0, around - 2 * STEP_WINDOW)
    b = min(log_sizes.size, around + 2 * STEP_WINDOW + 1)
    best, best_score = around, -1.0
    for split in range(a + 2, b - 1):
        left, right = log_sizes[a:split], log_sizes[split:b]
        weight = np.sqrt(left.size * right.size / (left.size + right.size))
        score = abs(float(left.mean()) - float(right.mean())) * weight
        if score > best_score:
            best, best_score = split, score
    return best


def _cuts_in(times: np.ndarray, log_sizes: np.ndarray, start: float, end: float) -> list[float]:
    """Cut times in (start, end]: one per burst of high scores (a new shot often takes a few frames
    to settle, which must not count as more cuts), placed at the burst's change point."""
    idx = np.flatnonzero((times > start + 1e-6) & (times <= end + 1e-6))
    scores = _size_scores(times, log_sizes, idx)
    cuts: list[float] = []
    for n in range(idx.size):
        if scores[n] < 1.0:
            continue
        if cuts and float(times[idx[n]]) - cuts[-1] < MIN_SHOT_SECONDS:
            continue
        cuts.append(float(times[_change_point(log_sizes, int(idx[n]))]))
    return cuts


def detect_scene_cuts(source: str) -> list[SceneCut]:
    key_times, thumbs = keyframe_thumbnails(source)
    if len(key_times) < 2:
        return []
    diffs = np.abs(np.diff(thumbs, axis=0)).mean(axis=1)
    candidates = [
        (key_times[i], key_times[i + 1], float(d)) for i, d in enumerate(diffs) if d >= CANDIDATE_DIFF
    ]
    if not candidates:
        return []
    times, sizes, is_key = packet_sizes(source)
    # Keyframes are large by construction; the size signal of a cut lives in the other frames.
    times, log_sizes = times[~is_key], np.log(sizes[~is_key] + 1.0)
    cuts = []
    for start, end, diff in candidates:
        found = _cuts_in(times, log_sizes, start, end)
        if found:
            cuts += [SceneCut(round(t, 3), round(diff, 3)) for t in found]
        elif diff >= STRONG_DIFF:
            cuts.append(SceneCut(round(end, 3), round(diff, 3)))
    return cuts
