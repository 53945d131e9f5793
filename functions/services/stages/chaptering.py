"""Chapters of a rendered output (functions/media/chapters.py), from the scene cuts the highlights stage
found and the transcript: written into the file, and published beside it as a YouTube chapter list."""

from collections.abc import Sequence
from pathlib import Path

from functions.domain.stage_results import HighlightsSummary
from functions.media.captions import Interval
from functions.media.chapters import plan_chapters, write_chapters, youtube_list
from functions.services.stages.stage_context import StageContext
from functions.services.stages.transcribing import transcript_words

CHAPTERS_SUFFIX = ".chapters.txt"


def add_chapters(
    sc: StageContext,
    output: Path,
    duration: float,
    keep: Sequence[Interval] | None,
    folder: Path,
    stem: str,
) -> dict[str, Path]:
    """{"chapters": the list's file} once the chapters are in `output`; nothing when there is neither a
    scene cut nor a transcript to build them from."""
    summary = sc.result.detecting_highlights
    scene_cuts = summary.scene_cuts if isinstance(summary, HighlightsSummary) else []
    words = transcript_words(sc)
    if not scene_cuts and not words:
        return {}
    chapters = plan_chapters(duration, scene_cuts, words, keep)
    write_chapters(output, chapters)
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / f"{stem}{CHAPTERS_SUFFIX}"
    listing.write_text(youtube_list(chapters), encoding="utf-8")
    return {"chapters": listing}
