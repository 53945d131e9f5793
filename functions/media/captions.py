"""Captions (SRT and WebVTT) from a transcript's word times, re-timed to the edited video.

Silence removal keeps some intervals of the source and drops the rest; a word at source time t plays at
t minus everything removed before it. Words wholly inside a removed interval are dropped; a word that
straddles a cut is clamped to its kept part. Cues break at sentence ends and pauses, hold at most two
lines of 42 characters, and never overlap.
"""

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from functions.domain.media_values import Word

Interval = tuple[float, float]

MAX_LINE_CHARS = 42
MAX_LINES = 2
PAUSE_SECONDS = 0.5  # a gap between words at least this long (in the source) ends a cue
MAX_CUE_SECONDS = 6.0
MIN_CUE_SECONDS = 0.8  # a short cue is held on screen this long if the next one leaves room
SENTENCE_END = re.compile(r"[.?!…。？！]['\"”’)\]]*$")
CLAUSE_END = re.compile(r"[,;:–—]$")


class TimeMap:
    """Source time ↔ edited time for a list of kept intervals (sorted and merged on construction)."""

    def __init__(self, keep: Sequence[Interval]) -> None:
        merged: list[list[float]] = []
        for start, end in sorted((float(a), float(b)) for a, b in keep if b > a):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.keep: tuple[Interval, ...] = tuple((a, b) for a, b in merged)
        self._starts = [a for a, _ in self.keep]
        self._offsets: list[float] = []  # edited time at which each kept interval begins
        total = 0.0
        for a, b in self.keep:
            self._offsets.append(total)
            total += b - a
        self.duration = total

    def to_edited(self, t: float) -> float | None:
        """Where source time t plays in the edited video, or None if t was cut."""
        i = bisect.bisect_right(self._starts, t) - 1
        if i < 0 or t > self.keep[i][1]:
            return None
        return self._offsets[i] + (t - self.keep[i][0])

    def to_source(self, t: float) -> float:
        """The source time shown at edited time t (at a cut, the start of the next kept interval)."""
        if not self.keep:
            raise ValueError("nothing is kept")
        i = max(0, bisect.bisect_right(self._offsets, t) - 1)
        a, b = self.keep[i]
        return min(b, a + max(0.0, t - self._offsets[i]))

    def source_pieces(self, start: float, end: float) -> list[Interval]:
        """The source intervals that play between edited times `start` and `end`, in order."""
        pieces = []
        for (a, b), offset in zip(self.keep, self._offsets, strict=True):
            lo, hi = max(start, offset), min(end, offset + (b - a))
            if hi > lo:
                pieces.append((a + lo - offset, a + hi - offset))
        return pieces

    def span(self, start: float, end: float) -> Interval | None:
        """A source span in edited time, clamped to its kept parts; None if all of it was cut."""
        lo = max(0, bisect.bisect_right(self._starts, start) - 1)
        hi = bisect.bisect_right(self._starts, end)  # intervals starting after `end` cannot overlap
        kept = [(a, b) for a, b in self.keep[lo:hi] if min(b, end) > max(a, start)]
        if not kept:
            point = self.to_edited(start)
            return (point, point) if point is not None and start == end else None
        edited_start = self.to_edited(max(start, kept[0][0]))
        edited_end = self.to_edited(min(end, kept[-1][1]))
        assert edited_start is not None and edited_end is not None
        return edited_start, edited_end


@dataclass(frozen=True)
class TimedWord:
    text: str
    start: float  # edited time
    end: float
    source_start: float
    source_end: float


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    first_word_start: float  # edited time of its first word (the cue may start a millisecond later)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def retime_words(words: Sequence[Word], keep: Sequence[Interval]) -> list[TimedWord]:
    """Words in edited time, in order; words that were cut are dropped, long words split to fit a line."""
    timemap = TimeMap(keep)
    timed: list[TimedWord] = []
    for word in sorted(words, key=lambda w: (w.start, w.end)):
        text = " ".join(word.word.split()).replace("-->", "->")  # "-->" is the cue timing arrow
        if not text:
            continue
        span = timemap.span(word.start, max(word.start, word.end))
        if span is None:
            continue
        pieces = [text[i : i + MAX_LINE_CHARS] for i in range(0, len(text), MAX_LINE_CHARS)]
        step = (span[1] - span[0]) / len(pieces)
        for n, piece in enumerate(pieces):
            timed.append(
                TimedWord(
                    piece,
                    span[0] + n * step,
                    span[0] + (n + 1) * step,
                    word.start,
                    max(word.start, word.end),
                )
            )
    # a long word's later pieces may start after a word that overlapped it began: in order by start again
    return sorted(timed, key=lambda w: w.start)


def wrap(
    texts: Sequence[str], max_chars: int = MAX_LINE_CHARS, max_lines: int = MAX_LINES
) -> list[str] | None:
    """The words as at most `max_lines` lines of `max_chars`, balanced and preferring a break after a
    comma; None if they do not fit."""
    joined = " ".join(texts)
    if len(joined) <= max_chars:
        return [joined]
    if max_lines < 2:
        return None
    best: tuple[float, int, int] | None = None  # (cost, comma last, k): the lowest wins
    for k in range(1, len(texts)):
        first, rest = " ".join(texts[:k]), " ".join(texts[k:])
        if len(first) > max_chars:
            break
        if len(rest) > max_chars * (max_lines - 1):
            continue
        comma = CLAUSE_END.search(texts[k - 1]) is not None
        candidate = (abs(len(first) - len(rest)) - (10 if comma else 0), 0 if comma else 1, k)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        return None
    k = best[2]
    tail = wrap(texts[k:], max_chars, max_lines - 1)
    return None if tail is None else [" ".join(texts[:k]), *tail]


def _groups(
    words: Sequence[TimedWord], pause: float, max_seconds: float, max_chars: int = MAX_LINE_CHARS
) -> list[list[TimedWord]]:
    groups: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for word in words:
        if current:
            previous = current[-1]
            ends = (
                SENTENCE_END.search(previous.text) is not None
                or word.source_start - previous.source_end >= pause
                or word.end - current[0].start > max_seconds
                or wrap([w.text for w in [*current, word]], max_chars) is None
            )
            if ends:
                groups.append(current)
                current = []
        current.append(word)
    if current:
        groups.append(current)
    return groups


def build_cues(
    words: Sequence[Word],
    keep: Sequence[Interval],
    pause: float = PAUSE_SECONDS,
    max_seconds: float = MAX_CUE_SECONDS,
    min_seconds: float = MIN_CUE_SECONDS,
    max_chars: int = MAX_LINE_CHARS,
) -> list[Cue]:
    """Cues in edited time, on a millisecond grid, each ending no later than the next begins; lines of
    at most `max_chars` (fewer for a narrow picture, such as a vertical clip)."""
    timed = retime_words(words, keep)
    end_of_video = round(TimeMap(keep).duration, 3)
    cues: list[Cue] = []
    groups = _groups(timed, pause, max_seconds, max_chars)
    for group in groups:
        lines = wrap([w.text for w in group], max_chars)
        assert lines is not None  # _groups only makes groups that fit
        first = round(group[0].start, 3)
        start = max(first, round(cues[-1].start + 0.001, 3)) if cues else first
        if cues and cues[-1].end > start:
            previous = cues[-1]
            cues[-1] = Cue(previous.start, start, previous.lines, previous.first_word_start)
        end = round(max(*(w.end for w in group), start + min_seconds), 3)
        cues.append(Cue(start, max(end, round(start + 0.001, 3)), tuple(lines), first))
    if cues:  # the last cue is held for min_seconds only while the video lasts
        last = cues[-1]
        end = max(min(last.end, end_of_video), round(last.start + 0.001, 3))
        cues[-1] = Cue(last.start, end, last.lines, last.first_word_start)
    return cues


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(cues: Sequence[Cue]) -> str:
    blocks = [
        f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{c.text}\n" for n, c in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(cues: Sequence[Cue]) -> str:
    blocks = [f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{_vtt_escape(c.text)}\n" for c in cues]
    return "\n".join(["WEBVTT\n", *blocks])


@dataclass(frozen=True)
class CaptionFiles:
    srt: Path
    vtt: Path
    cue_count: int


def write_captions(
    words: Sequence[Word],
    keep: Sequence[Interval],
    folder: Path,
    stem: str,
    max_chars: int = MAX_LINE_CHARS,
) -> CaptionFiles:
    """`stem`.srt and `stem`.vtt in `folder`, timed to the video that keeps `keep` (source seconds; for an
    uncut video pass [(0, duration)])."""
    cues = build_cues(words, keep, max_chars=max_chars)
    folder.mkdir(parents=True, exist_ok=True)
    srt, vtt = folder / f"{stem}.srt", folder / f"{stem}.vtt"
    srt.write_text(to_srt(cues), encoding="utf-8")
    vtt.write_text(to_webvtt(cues), encoding="utf-8")
    return CaptionFiles(srt, vtt, len(cues))
