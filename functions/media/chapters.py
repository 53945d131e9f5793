"""Chapters of the edited output, from scene cuts and the transcript: written into the file as MP4 (or
Matroska) chapters, and as a YouTube-style list (`0:00 Title` lines) to paste into a description.

A chapter starts at a scene cut or at a sentence that follows a pause, never closer than
`min_chapter_seconds` to the previous one or to the end (YouTube asks for 10 s; shorter videos get
chapters of a fifth of their length, at least 2 s). Its title is the first words spoken in it."""

import subprocess
from collections.abc import Sequence
from pathlib import Path

from functions.domain.media_values import Word
from functions.media.binaries import ffmpeg
from functions.media.captions import SENTENCE_END, Interval, TimeMap
from functions.media.merge import Chapter, ffmetadata  # one FFMETADATA writer for merged videos and outputs

YOUTUBE_MIN_SECONDS = 10.0
TITLE_WORDS = 6
PAUSE_SECONDS = 0.7  # a sentence after a pause this long may open a chapter


def min_chapter_seconds(duration: float) -> float:
    return YOUTUBE_MIN_SECONDS if duration >= 5 * YOUTUBE_MIN_SECONDS else max(2.0, duration / 5)


def _sentence_starts(words: Sequence[Word]) -> list[float]:
    starts = []
    for previous, word in zip([None, *words[:-1]], words, strict=True):
        if previous is None or (
            SENTENCE_END.search(previous.word.strip()) and word.start - previous.end >= PAUSE_SECONDS
        ):
            starts.append(word.start)
    return starts


def _title(words: Sequence[Word], start: float, end: float, number: int) -> str:
    spoken = [w.word.strip() for w in words if start - 0.05 <= w.start < end and w.word.strip()]
    if not spoken:
        return f"Part {number}"
    title: list[str] = []
    for word in spoken[:TITLE_WORDS]:
        title.append(word)
        if SENTENCE_END.search(word):
            break
    text = " ".join(title).rstrip(".,;:!?…")
    return (text[0].upper() + text[1:]) if text else f"Part {number}"


def plan_chapters(
    duration: float,
    scene_cuts: Sequence[float],
    words: Sequence[Word],
    keep: Sequence[Interval] | None,
) -> list[Chapter]:
    """Chapters of an output lasting `duration`; scene cuts and words are in source time, mapped through
    the intervals silence removal kept (None: nothing was cut)."""
    timemap = TimeMap(keep) if keep else None

    def edited(t: float) -> float | None:
        return timemap.to_edited(t) if timemap else t

    shown = [
        Word(word=w.word, start=at, end=at + (w.end - w.start))
        for w in words
        if (at := edited(w.start)) is not None
    ]
    candidates = sorted(
        {round(t, 3) for t in (edited(c) for c in [*scene_cuts, *_sentence_starts(words)]) if t is not None}
    )
    shortest = min_chapter_seconds(duration)
    starts = [0.0]
    for t in candidates:
        if t - starts[-1] >= shortest and duration - t >= shortest:
            starts.append(t)
    ends = [*starts[1:], duration]
    return [
        Chapter(_title(shown, a, b, n), round(a, 3), round(b, 3))
        for n, (a, b) in enumerate(zip(starts, ends, strict=True), start=1)
    ]


def clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def youtube_list(chapters: Sequence[Chapter]) -> str:
    """`0:00 Title` lines; YouTube shows them as chapters when there are 3+, each 10 s or longer."""
    return "".join(f"{clock(c.start)} {c.title}\n" for c in chapters)


def write_chapters(video: Path, chapters: Sequence[Chapter]) -> None:
    """Puts the chapters into the file itself (a remux: streams copied, nothing re-encoded)."""
    metadata = video.with_name(video.stem + ".ffmeta")
    target = video.with_name(video.stem + ".chaptered" + video.suffix)
    metadata.write_text(ffmetadata(chapters), encoding="utf-8")
    try:
        subprocess.run(
            [ffmpeg(), "-v", "error", "-y", "-i", str(video), "-f", "ffmetadata", "-i", str(metadata)]
            + ["-map", "0", "-map_metadata", "0", "-map_chapters", "1", "-c", "copy"]
            + (["-movflags", "+faststart"] if video.suffix.lower() in {".mp4", ".mov"} else [])
            + [str(target)],
            check=True,
            capture_output=True,
        )
        target.replace(video)
    finally:
        metadata.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
