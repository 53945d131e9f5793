"""Captions burnt into the picture without libass: each cue is drawn once into a transparent band
image (Pillow, FreeType; RLE Targa, as the shipped ffmpeg decodes no PNG), the bands play as one video
stream through ffmpeg's concat demuxer (a blank band between cues), and one `overlay` lays that stream
over the finished picture inside the single render.

Readable on a phone: the text is 5.5 % of the frame's height (at least 14 px), white with a black outline
of an eighth of that, centred, at most 90 % of the width (smaller when a line would not fit), and its
band sits above a bottom margin of 8 % of the height (the title-safe area).

The font is $REELFLOW_CAPTION_FONT, else DejaVu Sans Bold when the machine has it (Debian's
fonts-dejavu-core: Latin, Cyrillic, Greek), else Pillow's built-in font, which draws basic Latin only."""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from functions.media.captions import Cue

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/opt/fonts/DejaVuSans-Bold.ttf",  # a layer may ship one
)
TEXT_HEIGHT = 0.055  # of the frame's height
BOTTOM_MARGIN = 0.08
MAX_WIDTH = 0.9
LINE_SPACING = 1.25
MAX_LINES = 2

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class CaptionBands:
    """The caption stream: a concat-demuxer script of band images, and where the band goes."""

    script: Path
    y: int  # top of the band in the output frame


def font_path() -> str | None:
    chosen = os.environ.get("REELFLOW_CAPTION_FONT")
    if chosen and Path(chosen).is_file():
        return chosen
    return next((p for p in FONT_CANDIDATES if Path(p).is_file()), None)


@cache
def _font(size: int) -> FontType:
    path = font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _fitting_font(lines: Sequence[str], size: int, max_width: int) -> FontType:
    while True:
        font = _font(size)
        widest = max((font.getlength(line) for line in lines), default=0)
        if widest <= max_width or size <= 10:
            return font
        size = max(10, int(size * max_width / widest))


def band_geometry(width: int, height: int) -> tuple[int, int, int]:
    """Text size, band height and band top for a frame of this size."""
    size = max(14, round(height * TEXT_HEIGHT))
    band = round(size * LINE_SPACING * MAX_LINES + size * 0.6)
    band += band % 2
    top = height - round(height * BOTTOM_MARGIN) - band
    return size, band, max(0, top - top % 2)


def draw_band(lines: Sequence[str], width: int, height: int) -> Image.Image:
    """One cue's text, centred at the bottom of a transparent band as wide as the frame."""
    size, band, _ = band_geometry(width, height)
    image = Image.new("RGBA", (width, band), (0, 0, 0, 0))
    if not lines:
        return image
    font = _fitting_font(lines, size, int(width * MAX_WIDTH))
    stroke = max(2, size // 8)
    draw = ImageDraw.Draw(image)
    step = round(size * LINE_SPACING)
    y = band - step * len(lines) - stroke
    for line in lines:
        x = (width - font.getlength(line)) / 2
        draw.text(
            (x, y),
            line,
            font=font,
            fill=(255, 255, 255, 255),
            stroke_width=stroke,
            stroke_fill=(0, 0, 0, 255),
        )
        y += step
    return image


def write_bands(cues: Sequence[Cue], width: int, height: int, duration: float, folder: Path) -> CaptionBands:
    """The band images and the concat script that shows each cue from its start to its end."""
    folder.mkdir(parents=True, exist_ok=True)
    blank = folder / "blank.tga"
    draw_band([], width, height).save(blank, compression="tga_rle")
    entries: list[tuple[Path, float]] = []
    now = 0.0
    for index, cue in enumerate(cues):
        start, end = max(cue.start, now), min(cue.end, duration)
        if end <= start:
            continue
        if start > now:
            entries.append((blank, start - now))
        band = folder / f"cue{index:05d}.tga"
        draw_band(cue.lines, width, height).save(band, compression="tga_rle")
        entries.append((band, end - start))
        now = end
    entries.append((blank, max(0.04, duration - now)))
    script = folder / "captions.ffconcat"
    lines = ["ffconcat version 1.0"]
    for path, seconds in entries:
        lines += [f"file '{path.name}'", f"duration {seconds:.3f}"]
    lines.append(f"file '{entries[-1][0].name}'")  # the demuxer honours the last duration only this way
    script.write_text("\n".join(lines) + "\n")
    return CaptionBands(script, band_geometry(width, height)[2])


def overlay_input(bands: CaptionBands) -> list[str]:
    return ["-f", "concat", "-safe", "0", "-i", str(bands.script)]


def finish_label(bands: CaptionBands | None, input_index: int, offset: float = 0.0) -> str:
    """What follows a part's finished picture in its graph: the `[vout]` label, or the overlay of the
    caption stream (input `input_index`, timed on the output) on the part placed at `offset` seconds
    of the output, ending in `[vout]`."""
    if bands is None:
        return "[vout]"
    return (
        f",setpts=PTS-STARTPTS+{offset:.6f}/TB[vbase];[{input_index}:v]format=rgba[bands];"
        f"[vbase][bands]overlay=x=0:y={bands.y}:eof_action=pass:format=auto,"
        "setpts=PTS-STARTPTS,format=yuv420p[vout]"
    )
