"""Detect highlights: scored windows from keyword hits, loudness peaks and scene cuts."""

from functions.domain.enums import Stage
from functions.domain.media_values import Event, Highlights
from functions.domain.stage_results import SUMMARY_HIGHLIGHTS, SUMMARY_SCENE_CUTS, HighlightsSummary
from functions.media import highlights as highlight_media
from functions.media.scenes import detect_scene_cuts
from functions.services.stages.removing_silence import kept_intervals
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageResult, skipped, timed_stage
from functions.services.stages.transcribing import transcript_words


def _detect_highlights(sc: StageContext) -> StageResult:
    settings = sc.settings
    if not settings.detect_highlights:
        return skipped("highlight detection is not enabled in this batch's settings")
    info = sc.probe_result()
    progress = sc.progress(Stage.DETECTING_HIGHLIGHTS)
    progress.begin()
    events: list[Event] = []
    if info.has_audio:
        events += highlight_media.loudness_peaks(sc.loudness())
    progress(0.3)
    if settings.keywords:
        events += highlight_media.keyword_events(transcript_words(sc), settings.keywords)
    cuts = detect_scene_cuts(str(sc.source()))
    events += highlight_media.scene_events([(c.time, c.strength) for c in cuts])
    progress(0.9)
    chosen = highlight_media.on_output(
        highlight_media.build_highlights(events, info.duration, settings.highlight_sensitivity),
        kept_intervals(sc),
    )
    progress.finish()
    summary = HighlightsSummary(
        sensitivity=settings.highlight_sensitivity,
        count=len(chosen),
        highlights=chosen[:SUMMARY_HIGHLIGHTS],
        scene_cuts=[c.time for c in cuts][:SUMMARY_SCENE_CUTS],
    )
    return summary, Highlights(highlights=chosen, events=events)


detect_highlights = timed_stage(Stage.DETECTING_HIGHLIGHTS.value, _detect_highlights)
