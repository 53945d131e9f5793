"""Captions against the edited video itself: transcribe the talk, cut its pauses, render, build the
captions from the source transcript, then transcribe the output: every caption starts within 0.25 s of
its first word as heard in the output, and the cut lists describe the same edit."""

import re
from difflib import SequenceMatcher
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from functions.domain.enums import ExportFormat, ExportQuality
from functions.media.audio import extract_audio, loudness_frames
from functions.media.captions import build_cues, retime_words, to_srt
from functions.media.probe import probe
from functions.media.render import plan_render, render
from functions.media.silence import plan_cuts
from functions.media.timelines import write_cut_lists
from functions.media.whisper import WhisperEngine

TOLERANCE = 0.25


def _plain(word: str) -> str:
    return re.sub(r"[^a-z']+", "", word.lower())


@pytest.fixture(scope="module")
def edited(talk, tmp_path_factory):
    path, truth = talk
    work = tmp_path_factory.mktemp("edited")
    wav = extract_audio(str(path), work / "source.wav", truth.duration)
    frames = loudness_frames(wav)
    engine = WhisperEngine(beam_size=1)
    source_words = engine.transcribe(wav, "en", truth.duration, frames).words
    info = probe(str(path))
    plan = plan_render(
        str(path),
        work / "edited.mp4",
        info,
        ExportFormat.MP4,
        ExportQuality.Q720P,
        plan_cuts(frames, truth.duration, -35.0, 1.0, 0.2).keep,
    )
    output = render(plan)
    out_wav = extract_audio(str(output), work / "edited.wav", plan.expected_duration)
    output_words = engine.transcribe(out_wav, "en", plan.expected_duration, loudness_frames(out_wav)).words
    return plan, info, source_words, output_words, path


def test_every_caption_starts_with_its_first_word_in_the_edited_output(edited):
    plan, _, source_words, output_words, _ = edited
    assert len(plan.keep) >= 4  # the talk's long pauses were cut
    timed = retime_words(source_words, plan.keep)
    cues = build_cues(source_words, plan.keep)
    assert len(cues) >= 5
    # align the source transcript (mapped into the output) with what is heard in the output
    matcher = SequenceMatcher(a=[_plain(w.text) for w in timed], b=[_plain(w.word) for w in output_words])
    heard = {i + k: output_words[j + k].start for i, j, n in matcher.get_matching_blocks() for k in range(n)}
    assert len(heard) >= 0.8 * len(timed), "the output does not sound like the source"
    for index, start in heard.items():
        assert abs(timed[index].start - start) <= TOLERANCE, (timed[index], start)
    index = 0
    for cue in cues:
        count = len(" ".join(cue.lines).split())
        words = range(index, index + count)
        assert timed[index].start == pytest.approx(cue.first_word_start, abs=1e-3)
        assert abs(cue.start - cue.first_word_start) <= TOLERANCE
        first_heard = next(i for i in words if i in heard)  # espeak's first word is sometimes misheard
        assert first_heard - index <= 2, cue
        assert (
            abs(heard[first_heard] - (cue.start + timed[first_heard].start - timed[index].start)) <= TOLERANCE
        )
        index += count
    assert index == len(timed)
    assert cues[-1].end <= plan.expected_duration + 1e-3
    assert to_srt(cues).count(" --> ") == len(cues)


def test_cut_lists_of_the_talk_list_the_rendered_intervals(edited, tmp_path):
    plan, info, _, _, path = edited
    files = write_cut_lists(plan.keep, info, str(path), tmp_path, "talk", Path(path).as_uri())
    assert files.events == len(plan.keep)
    clips = ET.parse(files.fcpxml).getroot().findall("library/event/project/sequence/spine/asset-clip")
    fps = info.frame_rate
    for clip, (start, end) in zip(clips, plan.keep, strict=True):
        begin = float(Fraction(clip.get("start").removesuffix("s")))  # rational seconds such as 98/25s
        length = float(Fraction(clip.get("duration").removesuffix("s")))
        assert begin == pytest.approx(start, abs=0.5 / fps)
        assert begin + length == pytest.approx(end, abs=0.5 / fps)


def test_a_keyword_highlight_is_timed_where_the_word_is_heard_in_the_edited_output(edited):
    from functions.domain.enums import HighlightSensitivity
    from functions.media.highlights import build_highlights, keyword_events, on_output

    plan, info, source_words, output_words, _ = edited
    events = keyword_events(source_words, ["important", "amazing"])
    highlights = on_output(build_highlights(events, info.duration, HighlightSensitivity.MAX), plan.keep)
    for keyword in ("important", "amazing"):
        heard = [w.start for w in output_words if _plain(w.word) == keyword]
        assert heard, f"'{keyword}' is not heard in the output"
        moment = next(m for h in highlights for m in h.moments if f"'{keyword}'" in m.reason)
        assert moment.output_time is not None
        assert abs(moment.output_time - heard[0]) <= 0.2, (keyword, moment, heard)
        assert moment.time - moment.output_time > 1.0  # the source time is later: pauses were cut before it
        window = next(h for h in highlights if moment in h.moments)
        assert window.output_start is not None and window.output_end is not None
        assert window.output_start <= moment.output_time <= window.output_end <= plan.expected_duration + 1e-3


def test_chapters_are_in_the_file_and_in_a_youtube_list(edited, tmp_path):
    import json
    import shutil
    import subprocess

    from functions.media.binaries import ffprobe
    from functions.media.chapters import plan_chapters, write_chapters, youtube_list
    from functions.media.scenes import detect_scene_cuts

    plan, _, source_words, _, source = edited
    cuts = [c.time for c in detect_scene_cuts(str(source))]
    chapters = plan_chapters(plan.expected_duration, cuts, source_words, plan.keep)
    assert len(chapters) >= 3 and chapters[0].start == 0.0
    assert chapters[-1].end == pytest.approx(plan.expected_duration, abs=1e-3)
    first_words = " ".join(w.word.strip() for w in source_words[:3]).lower()
    assert first_words.startswith(chapters[0].title.lower().split()[0])  # the first words spoken in it
    video = tmp_path / "chaptered.mp4"
    shutil.copy(plan.destination, video)
    write_chapters(video, chapters)
    shown = json.loads(
        subprocess.run(
            [ffprobe(), "-v", "error", "-show_chapters", "-of", "json", str(video)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["chapters"]
    assert [c["tags"]["title"] for c in shown] == [c.title for c in chapters]
    assert [float(c["start_time"]) for c in shown] == pytest.approx([c.start for c in chapters], abs=0.01)
    assert probe(str(video)).duration == pytest.approx(probe(str(plan.destination)).duration, abs=0.05)
    listing = youtube_list(chapters).splitlines()
    assert listing[0].startswith("0:00 ") and len(listing) == len(chapters)
