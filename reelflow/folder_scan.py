"""What `reelflow run` makes of a folder: the videos it uploads, the files it skips (not videos) and the
files that cannot be processed (empty, unreadable, too large), each with the reason a user reads.

An MKV (OBS records MKV by default) is accepted: it is remuxed into MP4 without re-encoding before the
upload, because the API takes MP4, MOV, AVI and WebM; a file whose streams MP4 cannot hold is reported."""

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from functions.domain.uploads import ACCEPTED, MAX_FILE_SIZE, is_video_name
from functions.media.binaries import ffmpeg

REMUXED = frozenset({".mkv"})


@dataclass(frozen=True)
class Passed:
    """A file left out of the batch and why; `failed` when it looked like a video but cannot be used."""

    name: str
    reason: str
    failed: bool

    def as_json(self) -> dict[str, str]:
        return {"file": self.name, "status": "failed" if self.failed else "skipped", "reason": self.reason}


@dataclass
class FolderScan:
    videos: list[Path] = field(default_factory=list)
    to_remux: list[Path] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)

    @property
    def failed(self) -> list[Passed]:
        return [p for p in self.passed if p.failed]


def _problem(path: Path) -> str | None:
    size = path.stat().st_size
    if size == 0:
        return "empty file (0 bytes): nothing to process"
    if size > MAX_FILE_SIZE:
        return f"{size / 1024**3:.1f} GB is over the 2 GB limit per video"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def scan_folder(directory: Path) -> FolderScan:
    scan = FolderScan()
    for path in sorted(directory.iterdir()):
        if path.is_dir():
            scan.passed.append(
                Passed(path.name + "/", "a folder (only files directly in DIR are run)", False)
            )
            continue
        suffix = path.suffix.lower()
        if not (is_video_name(path.name) or suffix in REMUXED):
            scan.passed.append(Passed(path.name, f"not a video reelflow takes ({ACCEPTED}, MKV)", False))
            continue
        problem = _problem(path)
        if problem:
            scan.passed.append(Passed(path.name, problem, True))
        elif suffix in REMUXED:
            scan.to_remux.append(path)
        else:
            scan.videos.append(path)
    return scan


def remux_to_mp4(source: Path, work_dir: Path) -> Path:
    """The same streams in an MP4 (no re-encode); raises ValueError with ffmpeg's reason."""
    target = work_dir / (source.stem + ".mp4")
    for maps in (["-map", "0"], ["-map", "0:v:0", "-map", "0:a:0?"]):  # all streams, else picture + sound
        done = subprocess.run(
            [ffmpeg(), "-v", "error", "-y", "-i", str(source), *maps, "-c", "copy", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            return target
    lines = (done.stderr or "unknown error").strip().splitlines()
    raise ValueError(f"could not be remuxed into MP4 ({lines[-1] if lines else 'ffmpeg failed'})")


def prepare(scan: FolderScan, work_dir: Path) -> list[tuple[Path, str]]:
    """(file to upload, name shown to the user) for every usable video, in name order; an MKV that
    cannot be remuxed joins the failed files."""
    ready = [(p, p.name) for p in scan.videos]
    for source in scan.to_remux:
        try:
            ready.append((remux_to_mp4(source, work_dir), source.stem + ".mp4"))
        except ValueError as error:
            scan.passed.append(Passed(source.name, str(error), True))
    return sorted(ready, key=lambda item: item[1])
