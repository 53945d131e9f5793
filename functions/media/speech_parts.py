"""What the speech engine hears: the speech of a video in parts, the long silences left out.

Silences of at least `MIN_SILENCE` seconds below `THRESHOLD_DB` are dropped (a `MARGIN` of each is
kept beside the speech, so no word is clipped); the speech left is packed, in order, into parts of at
most `PART_SECONDS` of audio. Parts are cut only inside those silences, so no word is split across two
parts; a stretch of speech longer than a part without such a silence is cut at its quietest moment
near the limit. Each part keeps the source spans it was packed from, so a time heard in the part maps
back to the source (the mapping only moves forward: word times stay monotonic across parts).
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.domain.media_values import Interval
from functions.media.audio import FRAME_SECONDS
from functions.media.silence import detect_silences, keep_intervals

PART_SECONDS = 300.0
# Speech one Transcriber invocation hears when a video's transcription is spread over invocations
# (the "Transcribe parts" Map): at the conservative 6.9x real time measured for whisper tiny.en on two
# shared cores (docs/media.md) five minutes take ~43 s, a twentieth of Lambda's 15 minutes; 27-35x on a
# quiet machine, ~10 s. A video with no more speech than this stays one invocation.
GROUP_SECONDS = 300.0
# Parts in a group: the Transcriber's two vCPUs, each part heard by a CTranslate2 worker of its own (the
# engine's pool, as in one invocation), so a group's parts are at most half a group long.
GROUP_PARTS = 2
SEARCH_SECONDS = 15.0  # look this far back from a part's limit for a quiet moment
THRESHOLD_DB = -45.0  # below the quietest silence-removal threshold users set: only true quiet is dropped
MIN_SILENCE = 1.0
MARGIN = 0.25


@dataclass(frozen=True)
class SpeechPart:
    spans: tuple[Interval, ...]  # source spans, in order, heard back to back

    @property
    def seconds(self) -> float:
        return sum(b - a for a, b in self.spans)

    def source_time(self, heard: float) -> float:
        """The source time of a moment `heard` seconds into the part."""
        elapsed = 0.0
        for start, end in self.spans:
            if heard < elapsed + (end - start) or (start, end) == self.spans[-1]:
                return round(start + min(max(heard - elapsed, 0.0), end - start), 3)
            elapsed += end - start
        return 0.0


def quiet_split(frames_db: np.ndarray, start: float, end: float, part_seconds: float) -> list[Interval]:
    """[start, end) in pieces of at most `part_seconds`, each cut at the quietest frame shortly
    before the limit."""
    bounds = [start]
    target = start + part_seconds
    while target < end - 1.0:
        low = max(bounds[-1] + 1.0, target - SEARCH_SECONDS)
        a, b = int(low / FRAME_SECONDS), int(target / FRAME_SECONDS)
        window = frames_db[a:b]
        point = (a + int(np.argmin(window))) * FRAME_SECONDS if window.size else target
        bounds.append(round(point, 2))
        target = point + part_seconds
    bounds.append(end)
    return list(itertools.pairwise(bounds))


def speech_parts(
    frames_db: np.ndarray,
    duration: float,
    part_seconds: float = PART_SECONDS,
    threshold_db: float = THRESHOLD_DB,
) -> list[SpeechPart]:
    """The parts to transcribe; the whole video in parts when nothing is loud enough to tell speech
    from silence (a quiet recording is still heard)."""
    silences = detect_silences(frames_db, threshold_db, MIN_SILENCE) if frames_db.size else []
    speech = keep_intervals(silences, duration, MARGIN) if silences else [(0.0, duration)]
    if not speech:
        speech = [(0.0, duration)]
    pieces = [p for a, b in speech for p in quiet_split(frames_db, a, b, part_seconds) if p[1] > p[0]]
    return pack(pieces, part_seconds)


def pack(pieces: Sequence[Interval], part_seconds: float) -> list[SpeechPart]:
    parts: list[SpeechPart] = []
    current: list[Interval] = []
    for piece in pieces:
        if current and sum(b - a for a, b in current) + piece[1] - piece[0] > part_seconds:
            parts.append(SpeechPart(tuple(current)))
            current = []
        current.append(piece)
    if current:
        parts.append(SpeechPart(tuple(current)))
    return parts


def groups(parts: Sequence[SpeechPart], group_seconds: float = GROUP_SECONDS) -> list[tuple[SpeechPart, ...]]:
    """Consecutive parts packed, in order, into groups of at most `group_seconds` of speech (a part
    longer than that is a group alone): what one invocation hears."""
    packed: list[tuple[SpeechPart, ...]] = []
    current: list[SpeechPart] = []
    for part in parts:
        if current and sum(p.seconds for p in current) + part.seconds > group_seconds:
            packed.append(tuple(current))
            current = []
        current.append(part)
    if current:
        packed.append(tuple(current))
    return packed
