"""Scene cuts without decoding every frame.

1. Decode only keyframes, shrunk to 64x36 grey, and compare neighbours: a big change between two
   keyframes means a cut somewhere between them (or gradual motion).
2. Read packet sizes (demux only, no decoding) in each such interval: a cut shows as a step in the
   compressed size of frames. The frame at the step is the cut; gradual motion shows no step.

Both passes are hundreds of times faster than real time, where decoding every frame is not.
"""

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
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
KEY_SHADOW_FRAMES = 3


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


def _size_scores(log_sizes: np.ndarray) -> np.ndarray:
    """For every frame, how strongly the compressed size changes there, in units of the thresholds:
    a step (the new shot codes at another size) or a spike (one intra-coded frame between stills).
    1.0 or more is a cut. Rolling medians over STEP_WINDOW frames on each side, vectorised."""
    n, w = log_sizes.size, STEP_WINDOW
    if n < 2 * w + 1:
        return np.zeros(n)
    padded = np.pad(log_sizes, (w, w + 1), mode="edge")
    medians = np.median(np.lib.stride_tricks.sliding_window_view(padded, w), axis=1)
    before = medians[0:n]  # frames i-w .. i-1
    after = medians[w : w + n]  # frames i .. i+w-1
    later = medians[w + 1 : w + 1 + n]  # frames i+1 .. i+w
    step = np.abs(after - before)
    spike = log_sizes - np.maximum(before, later)
    scores: np.ndarray = np.maximum(step / STEP_LOG_RATIO, spike / SPIKE_LOG_RATIO)
    scores[:w] = 0.0  # too close to the start to have a "before"
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


def _cuts_in(
    times: np.ndarray, log_sizes: np.ndarray, scores: np.ndarray, start: float, end: float
) -> list[float]:
    """Cut times in (start, end]: one per burst of high scores (a new shot often takes a few frames
    to settle, which must not count as more cuts), placed at the burst's change point."""
    idx = np.flatnonzero((times > start + 1e-6) & (times <= end + 1e-6) & (scores >= 1.0))
    cuts: list[float] = []
    for i in idx:
        if cuts and float(times[i]) - cuts[-1] < MIN_SHOT_SECONDS:
            continue
        cuts.append(float(times[_change_point(log_sizes, int(i))]))
    return cuts


def detect_scene_cuts(source: str) -> list[SceneCut]:
    with ThreadPoolExecutor(max_workers=1) as pool:  # demux packet sizes while keyframes decode
        packets = pool.submit(packet_sizes, source)
        key_times, thumbs = keyframe_thumbnails(source)
        times, sizes, is_key = packets.result()
    if len(key_times) < 2:
        return []
    diffs = np.abs(np.diff(thumbs, axis=0)).mean(axis=1)
    candidates = [
        (key_times[i], key_times[i + 1], float(d)) for i, d in enumerate(diffs) if d >= CANDIDATE_DIFF
    ]
    if not candidates:
        return []
    key_at = times[is_key]
    # Keyframes are large by construction, and the frames right after one code smaller (they predict
    # from a fresh picture): the size signal of a cut lives in the other frames.
    frame = float(np.median(np.diff(times))) if times.size > 1 else 0.04
    after_key = np.zeros(times.size, dtype=bool)
    for k in key_at:
        after_key |= (times > k) & (times <= k + KEY_SHADOW_FRAMES * frame + 1e-6)
    kept = ~(is_key | after_key)
    times, log_sizes = times[kept], np.log(sizes[kept] + 1.0)
    scores = _size_scores(log_sizes)
    cuts: list[SceneCut] = []
    for start, end, diff in candidates:
        found = _cuts_in(times, log_sizes, scores, start, end) or ([end] if diff >= STRONG_DIFF else [])
        for at in found:
            if not cuts or at - cuts[-1].time >= MIN_SHOT_SECONDS:
                cuts.append(SceneCut(round(at, 3), round(diff, 3)))
    return cuts
