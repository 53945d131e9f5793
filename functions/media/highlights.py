"""Highlights as data: scored windows from keyword hits, loudness peaks and scene cuts."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from functions.domain.enums import HighlightSensitivity
from functions.domain.media_values import Event, Highlight, Moment, Word
from functions.media.audio import FRAME_SECONDS
from functions.media.captions import Interval, TimeMap

KEYWORD_SCORE = 3.0
PEAK_SCORE = 2.0
SCENE_SCORE = 1.0
BEFORE, AFTER = 2.5, 3.5  # a highlight window around an event, in seconds
MAX_LENGTH = 12.0  # overlapping windows merge up to this length; beyond it a new highlight starts
PEAK_WINDOW_FRAMES = 40  # 400 ms momentary loudness
PEAK_OVER_SPEECH_DB = 8.0  # a peak stands this far above the talk's typical loudness
PEAK_MIN_GAP = 2.0

# (minimum score, highlights per minute, at least this many) by sensitivity; max keeps everything.
SURVIVAL: dict[HighlightSensitivity, tuple[float, float, int]] = {
    HighlightSensitivity.LOW: (3.0, 0.5, 2),
    HighlightSensitivity.MEDIUM: (2.0, 1.0, 4),
    HighlightSensitivity.HIGH: (1.0, 2.0, 8),
    HighlightSensitivity.MAX: (0.0, float("inf"), 0),
}

_WORD = re.compile(r"[^\w']+")


@dataclass
class _Window:
    """A highlight while it is being built: it grows as nearby events merge into it."""

    start: float
    end: float
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def add(self, event: Event) -> None:
        self.score += event.score
        self.reasons.append(event.reason)
        self.times.append(event.time)

    def chosen(self) -> Highlight:
        return Highlight(
            start=round(self.start, 2),
            end=round(self.end, 2),
            score=round(self.score, 2),
            reasons=list(self.reasons),
            moments=[
                Moment(time=round(t, 3), reason=r) for t, r in zip(self.times, self.reasons, strict=True)
            ],
        )


def normalise(word: str) -> str:
    return _WORD.sub("", word.lower())


def keyword_events(words: Sequence[Word], keywords: Sequence[str]) -> list[Event]:
    """A hit for each keyword (one or more words) spoken in the transcript."""
    tokens = [normalise(w.word) for w in words]
    events = []
    for keyword in keywords:
        parts = [normalise(p) for p in keyword.split() if normalise(p)]
        if not parts:
            continue
        for i in range(len(tokens) - len(parts) + 1):
            if tokens[i : i + len(parts)] == parts:
                at = words[i].start
                events.append(Event(at, KEYWORD_SCORE, f"keyword '{keyword}' at {at:.1f}s"))
    return events


def loudness_peaks(frames_db: np.ndarray, frame_seconds: float = FRAME_SECONDS) -> list[Event]:
    """Moments whose 400 ms loudness stands well above the talk's typical (median voiced) loudness."""
    if frames_db.size < PEAK_WINDOW_FRAMES:
        return []
    power = np.power(10.0, frames_db.astype(np.float64) / 10.0)
    momentary = np.convolve(power, np.ones(PEAK_WINDOW_FRAMES) / PEAK_WINDOW_FRAMES, mode="same")
    momentary_db = 10.0 * np.log10(np.maximum(momentary, 1e-10))
    voiced = momentary_db[momentary_db > -50.0]
    if voiced.size == 0:
        return []
    typical = float(np.median(voiced))
    loud = momentary_db > typical + PEAK_OVER_SPEECH_DB
    events: list[Event] = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], loud.astype(np.int8), [0]])))
    for start, end in zip(edges[0::2], edges[1::2], strict=True):
        top = start + int(np.argmax(momentary_db[start:end]))
        at = top * frame_seconds
        if events and at - events[-1].time < PEAK_MIN_GAP:
            continue
        level = float(momentary_db[top])
        excess = level - typical
        events.append(
            Event(
                at,
                PEAK_SCORE + excess / 20.0,
                f"loudness peak {level:.1f} dBFS (+{excess:.0f} dB) at {at:.1f}s",
            )
        )
    return events


def scene_events(cuts: Sequence[tuple[float, float]]) -> list[Event]:
    return [Event(t, SCENE_SCORE + strength, f"scene cut at {t:.1f}s") for t, strength in cuts]


def build_highlights(
    events: Sequence[Event], duration: float, sensitivity: HighlightSensitivity
) -> list[Highlight]:
    """Windows around events, merged where they overlap, scored, then filtered by sensitivity."""
    windows: list[_Window] = []
    for event in sorted(events, key=lambda e: e.time):
        start, end = max(0.0, event.time - BEFORE), min(duration, event.time + AFTER)
        last = windows[-1] if windows else None
        if last is not None and start <= last.end and max(last.end, end) - last.start <= MAX_LENGTH:
            last.end = max(last.end, end)
            last.add(event)
            continue
        if last is not None and start < last.end:
            start = last.end  # highlights never overlap
        if end - start < 1.0:  # squeezed out by its neighbour: credit the neighbour instead
            if last is not None:
                last.add(event)
            continue
        windows.append(_Window(start, end))
        windows[-1].add(event)
    min_score, per_minute, at_least = SURVIVAL[sensitivity]
    limit = max(at_least, int(per_minute * duration / 60.0)) if per_minute != float("inf") else len(windows)
    survivors = sorted((w for w in windows if w.score >= min_score), key=lambda w: w.score, reverse=True)[
        :limit
    ]
    return [w.chosen() for w in sorted(survivors, key=lambda w: w.start)]


def on_output(highlights: Sequence[Highlight], keep: Sequence[Interval] | None) -> list[Highlight]:
    """The highlights with their times on the edited output: `keep` are the intervals silence removal
    kept (None: nothing was cut, the output's times are the source's)."""
    timemap = TimeMap(keep) if keep else None

    def edited(t: float) -> float | None:
        at = timemap.to_edited(t) if timemap else t
        return None if at is None else round(at, 3)

    mapped = []
    for highlight in highlights:
        span = timemap.span(highlight.start, highlight.end) if timemap else (highlight.start, highlight.end)
        moments = [m.model_copy(update={"output_time": edited(m.time)}) for m in highlight.moments]
        mapped.append(
            highlight.model_copy(
                update={
                    "moments": moments,
                    "output_start": round(span[0], 3) if span else None,
                    "output_end": round(span[1], 3) if span else None,
                }
            )
        )
    return mapped
