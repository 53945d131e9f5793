"""Cut lists for editors: the kept intervals as an EDL (CMX 3600) and an FCPXML 1.10 timeline against the
original file, frame-accurate at the source frame rate, and a plan for a video of what was cut.

Cut points land on the same frames as the render's (`round(t * fps)`), so an editor who opens the
timeline sees the cut the render made. Times in FCPXML are rational seconds in whole frames
(e.g. `1001/1000s` is 30 frames at 30000/1001 fps).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

from functions.domain.enums import ExportFormat, ExportQuality
from functions.domain.media_values import ProbeResult
from functions.media.render import RenderPlan, plan_render

Interval = tuple[float, float]
NTSC_BASES = (24, 30, 48, 60, 120)
EDL_REEL = "AX"  # "auxiliary source": the file named in the clip comment, not a tape
RECORD_START_HOURS = 1  # record timecode starts at 01:00:00:00, as editors' timelines do


def rational_frame_rate(rate: float | Fraction) -> Fraction:
    """The exact rate: 29.97 → 30000/1001, 23.976 → 24000/1001, 25 → 25."""
    if isinstance(rate, Fraction):
        return rate
    if rate <= 0:
        raise ValueError(f"frame rate must be positive, not {rate}")
    for base in NTSC_BASES:
        ntsc = Fraction(base * 1000, 1001)
        if abs(rate - float(ntsc)) < 0.005:
            return ntsc
    return Fraction(rate).limit_denominator(1001)


def frame_spans(
    keep: Sequence[Interval], rate: Fraction, duration: float | None = None
) -> list[tuple[int, int]]:
    """Each kept interval as (first frame, frame after the last), rounded as the render rounds; empty
    spans dropped, overlapping ones joined."""
    fps = float(rate)  # float arithmetic, as render.snap_to_frames rounds: the same frames
    limit = round(duration * fps) if duration is not None else None
    spans: list[tuple[int, int]] = []
    for start, end in sorted(keep):
        first = round(max(0.0, start) * fps)
        after = round(end * fps)
        if limit is not None:
            after = min(after, limit)
        if spans and first < spans[-1][1]:  # overlapping intervals: continue the previous span
            spans[-1] = (spans[-1][0], max(spans[-1][1], after))
        elif after > first:
            spans.append((first, after))
    return spans


def timecode(frames: int, rate: Fraction) -> str:
    """Non-drop-frame SMPTE timecode: frames counted at the nominal rate (30 for 29.97)."""
    nominal = round(rate)
    hours, rest = divmod(frames, nominal * 3600)
    minutes, rest = divmod(rest, nominal * 60)
    seconds, frame = divmod(rest, nominal)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frame:02d}"


def to_edl(keep: Sequence[Interval], rate: float | Fraction, source_name: str, has_audio: bool = True) -> str:
    """A CMX 3600 EDL: one cut event per kept interval, source in/out against `source_name`, record
    times back to back from 01:00:00:00."""
    fps = rational_frame_rate(rate)
    title = "".join(c for c in Path(source_name).stem if c.isprintable())[:60] or "reelflow"
    channel = "AA/V" if has_audio else "V"
    lines = [f"TITLE: {title} (reelflow cut)", "FCM: NON-DROP FRAME", ""]
    record = round(fps) * 3600 * RECORD_START_HOURS
    for n, (first, after) in enumerate(frame_spans(keep, fps), 1):
        length = after - first
        times = (timecode(t, fps) for t in (first, after, record, record + length))
        lines.append(f"{n:03d}  {EDL_REEL:<8} {channel:<5} C        " + " ".join(times))
        lines.append(f"* FROM CLIP NAME: {Path(source_name).name}")
        lines.append("")
        record += length
    return "\n".join(lines)


def rational_seconds(frames: int, rate: Fraction) -> str:
    """`frames` as FCPXML time: rational seconds such as `1001/1000s`, or `0s`."""
    value = Fraction(frames) / rate
    return f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"


def to_fcpxml(
    keep: Sequence[Interval],
    probe: ProbeResult,
    source_uri: str,
    name: str,
) -> str:
    """An FCPXML 1.10 document: the source as one asset, a project whose spine is one asset-clip per kept
    interval (offset = where it plays, start = where it is in the source, duration)."""
    fps = rational_frame_rate(probe.frame_rate or 30.0)
    frame = 1 / fps
    total_frames = round(Fraction(probe.duration) * fps)
    spans = frame_spans(keep, fps, probe.duration)
    root = ET.Element("fcpxml", version="1.10")
    resources = ET.SubElement(root, "resources")
    ET.SubElement(
        resources,
        "format",
        id="r1",
        frameDuration=f"{frame.numerator}/{frame.denominator}s",
        width=str(probe.width),
        height=str(probe.height),
    )
    asset_attrs = {
        "id": "r2",
        "name": name,
        "start": "0s",
        "duration": rational_seconds(total_frames, fps),
        "hasVideo": "1",
        "format": "r1",
        "videoSources": "1",
        "hasAudio": "1" if probe.has_audio else "0",
    }
    if probe.has_audio:
        asset_attrs.update(audioSources="1", audioChannels="2", audioRate="48000")
    asset = ET.SubElement(resources, "asset", asset_attrs)
    ET.SubElement(asset, "media-rep", kind="original-media", src=source_uri)
    library = ET.SubElement(root, "library")
    event = ET.SubElement(library, "event", name="reelflow")
    project = ET.SubElement(event, "project", name=f"{name} (reelflow cut)")
    kept_frames = sum(after - first for first, after in spans)
    sequence_attrs = {"format": "r1", "duration": rational_seconds(kept_frames, fps), "tcStart": "0s"}
    sequence_attrs["tcFormat"] = "NDF"
    if probe.has_audio:
        sequence_attrs.update(audioLayout="stereo", audioRate="48k")
    sequence = ET.SubElement(project, "sequence", sequence_attrs)
    spine = ET.SubElement(sequence, "spine")
    offset = 0
    for first, after in spans:
        ET.SubElement(
            spine,
            "asset-clip",
            ref="r2",
            offset=rational_seconds(offset, fps),
            name=name,
            start=rational_seconds(first, fps),
            duration=rational_seconds(after - first, fps),
            format="r1",
            tcFormat="NDF",
        )
        offset += after - first
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n{body}\n'


@dataclass(frozen=True)
class CutListFiles:
    edl: Path
    fcpxml: Path
    events: int


def write_cut_lists(
    keep: Sequence[Interval],
    probe: ProbeResult,
    source_name: str,
    folder: Path,
    stem: str,
    source_uri: str | None = None,
) -> CutListFiles:
    """`stem`.edl and `stem`.fcpxml in `folder` for the kept intervals (source seconds) of the original
    file `source_name`. The FCPXML points at `source_uri` (default: the file name as a relative URI, so an
    editor relinks it to wherever the original lives; pass `Path(...).as_uri()` for a local file)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(source_name).name
    edl, fcpxml = folder / f"{stem}.edl", folder / f"{stem}.fcpxml"
    edl.write_text(to_edl(keep, probe.frame_rate or 30.0, name, probe.has_audio), encoding="utf-8")
    uri = source_uri or quote(name)
    fcpxml.write_text(to_fcpxml(keep, probe, uri, Path(name).stem), encoding="utf-8")
    return CutListFiles(edl, fcpxml, len(frame_spans(keep, rational_frame_rate(probe.frame_rate or 30.0))))


def removed_intervals(keep: Sequence[Interval], duration: float) -> list[Interval]:
    """What silence removal cut: the complement of the kept intervals within [0, duration]."""
    removed: list[Interval] = []
    cursor = 0.0
    for start, end in sorted(keep):
        if start > cursor:
            removed.append((cursor, min(start, duration)))
        cursor = max(cursor, end)
    if cursor < duration:
        removed.append((cursor, duration))
    return [(a, b) for a, b in removed if b > a]


def plan_removed_parts(
    source: str,
    destination: Path,
    probe: ProbeResult,
    keep: Sequence[Interval],
    export_format: ExportFormat = ExportFormat.MP4,
    quality: ExportQuality = ExportQuality.Q720P,
    max_piece_seconds: float | None = None,
) -> RenderPlan | None:
    """A render of everything that was cut, back to back (each piece at most `max_piece_seconds`, from
    its middle, so a long pause does not dominate); None if nothing was cut. Render it with
    `render.render(plan)`."""
    removed = removed_intervals(keep, probe.duration)
    if max_piece_seconds is not None:
        removed = [
            (max(a, (a + b - max_piece_seconds) / 2), min(b, (a + b + max_piece_seconds) / 2))
            for a, b in removed
        ]
    try:
        return plan_render(source, destination, probe, export_format, quality, removed) if removed else None
    except ValueError:  # every removed piece is shorter than a frame
        return None
