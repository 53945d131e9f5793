"""Silence removal as data: which intervals to keep (the render applies them once).

The algorithm follows auto-editor's: loudness per short frame against a threshold, runs of quiet that
are too short are kept (natural pauses between words), and a margin of the pause is kept on each side
of speech so word ends are not clipped.
"""

from collections.abc import Sequence

import numpy as np

from functions.domain.media_values import CutPlan, Interval
from functions.media.audio import FRAME_SECONDS


def detect_silences(
    frames_db: np.ndarray, threshold_db: float, min_silence: float, frame_seconds: float = FRAME_SECONDS
) -> list[Interval]:
    """Runs of frames quieter than `threshold_db` lasting at least `min_silence` seconds."""
    quiet = np.concatenate([[False], frames_db < threshold_db, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    min_frames = round(min_silence / frame_seconds)
    return [
        (round(float(s) * frame_seconds, 3), round(float(e) * frame_seconds, 3))
        for s, e in zip(starts, ends, strict=True)
        if e - s >= min_frames
    ]


def keep_intervals(silences: Sequence[Interval], duration: float, margin: float) -> list[Interval]:
    """The complement of the silences, each silence shrunk by `margin` where it touches speech."""
    cuts: list[Interval] = []
    for start, end in silences:
        cut_start = start if start <= 0 else start + margin
        cut_end = end if end >= duration else end - margin
        if cut_end - cut_start > 0.001:
            cuts.append((cut_start, cut_end))
    kept: list[Interval] = []
    cursor = 0.0
    for cut_start, cut_end in cuts:
        if cut_start > cursor:
            kept.append((round(cursor, 3), round(cut_start, 3)))
        cursor = max(cursor, cut_end)
    if cursor < duration:
        kept.append((round(cursor, 3), round(duration, 3)))
    return kept


def plan_cuts(
    frames_db: np.ndarray, duration: float, threshold_db: float, min_silence: float, margin: float
) -> CutPlan:
    """Everything the dry run reports and the render needs."""
    silences = detect_silences(frames_db, threshold_db, min_silence)
    keep = keep_intervals(silences, duration, margin)
    kept = sum(b - a for a, b in keep)
    return CutPlan(
        threshold_db=threshold_db,
        min_silence_duration=min_silence,
        margin=margin,
        silences=silences,
        keep=keep,
        cuts=len(silences),
        kept_seconds=round(kept, 3),
        removed_seconds=round(max(0.0, duration - kept), 3),
    )
