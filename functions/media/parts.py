"""Where a long render splits into parts that render apart and stitch without re-encoding.

The kept timeline (the source intervals that survive the edit, frame-aligned) is cut into parts of about
`target_seconds` of output each. A part ends at a cut (a silence that was removed) when one lies in the
last quarter of its span, so parts follow the talk's own pauses; otherwise it ends on a frame boundary
inside a kept interval, which is seamless because the sound is rendered once for the whole timeline and
the picture is cut between two frames. A part also holds at most `max_pieces` source intervals, which
bounds the inputs of one ffmpeg however many cuts the video has.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from functions.domain.media_values import Interval

PART_SECONDS = 120.0  # ≈ 15–35 s of 1080p x264 veryfast on one 6-vCPU Lambda: far from its 15 minutes
MAX_PIECES = 48


@dataclass(frozen=True)
class Part:
    index: int
    pieces: tuple[Interval, ...]  # source intervals, in order
    offset: float  # where the part starts on the output timeline (seconds)

    @property
    def duration(self) -> float:
        return sum(b - a for a, b in self.pieces)

    def frames(self, fps: float) -> int:
        return sum(round(b * fps) - round(a * fps) for a, b in self.pieces)


def split_parts(
    keep: Sequence[Interval],
    frame_rate: float,
    target_seconds: float = PART_SECONDS,
    max_pieces: int = MAX_PIECES,
) -> tuple[Part, ...]:
    """Parts covering `keep` exactly: every kept frame in exactly one part, in order."""
    fps = frame_rate if frame_rate > 0 else 30.0
    target_frames = max(1, round(target_seconds * fps))
    parts: list[Part] = []
    current: list[Interval] = []
    current_frames = 0
    offset_frames = 0

    def close() -> None:
        nonlocal current, current_frames, offset_frames
        if current:
            parts.append(Part(len(parts), tuple(current), round(offset_frames / fps, 6)))
            offset_frames += current_frames
        current, current_frames = [], 0

    for start, end in keep:
        a, b = round(start * fps), round(end * fps)
        while a < b:
            room = target_frames - current_frames
            length = b - a
            if length <= room:
                current.append((round(a / fps, 6), round(b / fps, 6)))
                current_frames += length
                a = b
                if len(current) >= max_pieces or current_frames >= target_frames * 0.75:
                    close()  # a cut (a removed silence) follows: a natural place to end the part
            elif current and current_frames >= target_frames * 0.75:
                close()  # end at the last cut rather than inside this interval
            else:
                current.append((round(a / fps, 6), round((a + room) / fps, 6)))
                current_frames += room
                a += room
                close()
    close()
    return tuple(parts)


def longest_first(parts: Sequence[Part]) -> list[Part]:
    """The order to start parts in when fewer slots than parts run them (a local pool, an account's
    caps): the longest first, so a short one, not a long one, runs alone at the end (ties keep their
    order)."""
    return sorted(parts, key=lambda part: -part.duration)
