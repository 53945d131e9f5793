"""EDL and FCPXML cut lists: read back, every event matches a kept interval to the frame."""

import itertools
import re
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.media_values import ProbeResult
from functions.media.timelines import (
    frame_spans,
    plan_removed_parts,
    rational_frame_rate,
    removed_intervals,
    timecode,
    to_edl,
    to_fcpxml,
    write_cut_lists,
)

KEEP = [(0.0, 2.35), (3.9, 7.123), (9.5, 12.0), (14.02, 19.75)]
EVENT = re.compile(
    r"^(\d{3,})  (\S{1,8})\s+(V|AA/V)\s+C\s+"
    r"(\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d)$"
)


def probe_of(frame_rate: float, duration: float = 20.0, audio: bool = True) -> ProbeResult:
    return ProbeResult(
        duration=duration,
        width=1280,
        height=720,
        video_codec="h264",
        audio_codec="aac" if audio else None,
        container="mov,mp4",
        frame_rate=frame_rate,
        size=1000,
    )


def frames_of_timecode(text: str, nominal: int) -> int:
    h, m, s, f = (int(x) for x in text.split(":"))
    assert f < nominal
    return ((h * 60 + m) * 60 + s) * nominal + f


def read_edl(text: str, nominal: int) -> list[tuple[int, ...]]:
    """A strict CMX 3600 reader: header, then numbered cut events, each followed by its clip comment."""
    lines = text.splitlines()
    assert lines[0].startswith("TITLE: ") and len(lines[0]) <= 80
    assert lines[1] == "FCM: NON-DROP FRAME"
    events: list[tuple[int, ...]] = []
    for line in lines[2:]:
        if not line or line.startswith("* "):
            continue
        match = EVENT.match(line)
        assert match, line
        assert int(match.group(1)) == len(events) + 1
        events.append(tuple(frames_of_timecode(match.group(i), nominal) for i in range(4, 8)))
    return events


@pytest.mark.parametrize(("rate", "exact"), [(29.97, Fraction(30000, 1001)), (25.0, Fraction(25))])
def test_edl_events_are_the_kept_intervals_to_the_frame(rate, exact):
    assert rational_frame_rate(rate) == exact
    nominal = round(exact)
    events = read_edl(to_edl(KEEP, rate, "talk.mp4"), nominal)
    assert len(events) == len(KEEP)
    record = nominal * 3600  # 01:00:00:00
    for (src_in, src_out, rec_in, rec_out), (start, end) in zip(events, KEEP, strict=True):
        assert src_in == round(start * float(exact))  # rounded as the render rounds its cut points
        assert src_out == round(end * float(exact))
        assert (rec_in, rec_out) == (record, record + src_out - src_in)  # back to back on the record side
        record = rec_out


def test_timecode_counts_frames_at_the_nominal_rate():
    ntsc = Fraction(30000, 1001)
    assert timecode(0, ntsc) == "00:00:00:00"
    assert timecode(29, ntsc) == "00:00:00:29"
    assert timecode(30 * 3600 + 30 * 61 + 5, ntsc) == "01:01:01:05"
    assert timecode(25 * 90, Fraction(25)) == "00:01:30:00"


def _seconds(text: str) -> Fraction:
    assert text.endswith("s"), text
    return Fraction(text[:-1])


@pytest.mark.parametrize("rate", [29.97, 25.0, 23.976, 59.94])
def test_fcpxml_is_a_spine_of_asset_clips_matching_the_intervals(rate, tmp_path):
    probe = probe_of(rate)
    document = to_fcpxml(KEEP, probe, "file:///videos/talk.mp4", "talk")
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n')
    root = ET.fromstring(document)
    assert root.tag == "fcpxml" and root.get("version") == "1.10"
    fmt = root.find("resources/format")
    asset = root.find("resources/asset")
    assert fmt is not None and asset is not None
    frame = _seconds(fmt.get("frameDuration"))
    assert frame == 1 / rational_frame_rate(rate)
    assert (fmt.get("width"), fmt.get("height")) == ("1280", "720")
    assert asset.get("format") == fmt.get("id")
    assert asset.find("media-rep").get("src") == "file:///videos/talk.mp4"
    assert abs(_seconds(asset.get("duration")) - 20) <= frame / 2
    sequence = root.find("library/event/project/sequence")
    clips = sequence.findall("spine/asset-clip")
    assert len(clips) == len(KEEP)
    offset = Fraction(0)
    for clip, (start, end) in zip(clips, KEEP, strict=True):
        assert clip.get("ref") == asset.get("id")
        times = {k: _seconds(clip.get(k)) for k in ("offset", "start", "duration")}
        for value in times.values():
            assert (value / frame).denominator == 1  # whole frames
        assert times["offset"] == offset
        fps = float(1 / frame)
        assert times["start"] / frame == round(start * fps)  # the kept interval rounded to frames
        assert (times["start"] + times["duration"]) / frame == round(end * fps)
        offset += times["duration"]
    assert _seconds(sequence.get("duration")) == offset


def test_cut_list_files_are_written_and_a_silent_video_has_video_only_events(tmp_path):
    files = write_cut_lists(
        KEEP[:2], probe_of(25.0, audio=False), "uploads/my talk.mov", tmp_path / "out", "talk"
    )
    assert files.events == 2
    assert "AA/V" not in files.edl.read_text() and " V     C" in files.edl.read_text()
    root = ET.parse(files.fcpxml).getroot()
    assert root.find("resources/asset/media-rep").get("src") == "my%20talk.mov"  # relinked by the editor
    assert "* FROM CLIP NAME: my talk.mov" in files.edl.read_text()
    local = write_cut_lists(
        KEEP, probe_of(25.0), "/videos/a.mp4", tmp_path, "a", source_uri="file:///videos/a.mp4"
    )
    assert (
        ET.parse(local.fcpxml).getroot().find("resources/asset/media-rep").get("src")
        == "file:///videos/a.mp4"
    )
    assert root.find("resources/asset").get("hasAudio") == "0"


@settings(max_examples=100, deadline=None)
@given(
    keep=st.lists(
        st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0.001, 10, allow_nan=False)), max_size=20
    ).map(lambda pairs: [(a, a + n) for a, n in pairs])
)
def test_frame_spans_never_overlap_and_removed_parts_complement_the_kept_ones(keep):
    spans = frame_spans(keep, Fraction(30000, 1001), duration=105.0)
    for (first, after), (following, _) in itertools.pairwise(spans):
        assert first < after <= following
    removed = removed_intervals(keep, 110.0)
    for a, b in removed:
        assert a < b
        assert not any(s < b and a < e for s, e in keep)  # never overlaps a kept interval
    covered = sum(b - a for a, b in removed) + sum(
        b - a for a, b in removed_intervals(removed_intervals(keep, 110.0), 110.0)
    )
    assert covered == pytest.approx(110.0)


def test_removed_parts_plan_keeps_only_what_was_cut():
    probe = probe_of(25.0)
    plan = plan_removed_parts("in.mp4", Path("removed.mp4"), probe, KEEP, max_piece_seconds=1.0)
    assert plan is not None
    assert len(plan.keep) == 4  # the gaps between the kept parts and the tail after the last
    assert all(b - a <= 1.0 + 1e-9 for a, b in plan.keep)
    assert plan_removed_parts("in.mp4", Path("removed.mp4"), probe, [(0.0, 20.0)]) is None
