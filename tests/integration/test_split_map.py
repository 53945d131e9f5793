"""A long video through the real ASL: its export splits into parts, the "Render parts" Map renders each
part (and the sound) in a Media invocation of its own, and the stitch joins them. The source shows its
frame number as a barcode and clicks on known frames, with two silences for the pipeline to cut: the
output holds exactly the kept frames, in order, on a clean clock, each click on its own frame."""

import subprocess
from pathlib import Path

import numpy as np
import pytest

from functions.domain import object_keys
from functions.domain.capacity import Capacity
from functions.domain.errors import SourceChangedError
from functions.domain.pipeline_contract import STITCH, RenderedPart, RenderPartInput, StitchInput
from functions.media import render as render_media
from functions.media.binaries import ffmpeg
from functions.media.probe import probe
from functions.media.render import snap_to_frames
from functions.services.capacity import change_capacity, current_setting
from functions.services.stages import split_export
from functions.services.stages.parts_progress import PartsProgress
from functions.services.stages.split_export import PartsMissingError, render_part, stitch_parts
from functions.services.workspace import Workspace, invocation_scratch
from reelflow.local.access_control import acting_as
from reelflow.local.s3_meter import meter
from tests.helpers import batch_states, start_batch, wait_for_batch
from tests.media.test_split_render import (
    CLICK_EVERY,
    FPS,
    barcode_source,
    click_onsets,
    packet_times,
    shown_numbers,
)

pytestmark = pytest.mark.usefixtures("local_cloud")

SILENT = ((4.0, 5.6), (9.0, 10.6))  # seconds with no sound at all: cut as silences
PART_SECONDS = 3.0  # a 16-second video is "long": several parts


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return barcode_source(tmp_path_factory.mktemp("gapped") / "gapped", SILENT)


def test_a_long_video_renders_its_parts_in_the_map_and_stitches_them_exactly(
    ctx, user_id, gapped, local_cloud, monkeypatch, tmp_path, request
):
    monkeypatch.setattr(ctx.config, "render_part_seconds", PART_SECONDS)
    # the media function's slots leave each admitted video one: its parts render one at a time
    before = current_setting(ctx)
    request.addfinalizer(lambda: ctx.capacity.put(before))
    change_capacity(ctx, {"lambda_slots": before.capacity.admission_videos})
    shares: list[int] = []  # the Map's concurrency, as the export stage chose it (functions run in-process)
    chosen = split_export.parts_at_once

    def recorded(pieces: int, configured: int, capacity: Capacity) -> int:
        shares.append(chosen(pieces, configured, capacity))
        return shares[-1]

    monkeypatch.setattr(split_export, "parts_at_once", recorded)
    # the bar as each picture part starts, and as the stitch starts (the parts run one at a time)
    bars: list[int] = []

    class Watched(PartsProgress):
        def rendering(self, index: int):
            bars.append(self.ctx.batch_videos.get(self.ref.batch_id, self.ref.video_id).progress_percentage)
            return super().rendering(index)

    monkeypatch.setattr(split_export, "PartsProgress", Watched)
    stitching = split_export._stitch

    def stitch_watched(sc, rendered):
        bars.append(sc.ctx.batch_videos.get(sc.ref.batch_id, sc.ref.video_id).progress_percentage)
        return stitching(sc, rendered)

    monkeypatch.setattr(split_export, "_stitch", stitch_watched)
    pieces: list[str] = []  # the order the Map rendered them in
    for name in ("render_sound", "render_part"):
        real = getattr(render_media, name)

        def piece(*args, _real=real, _name=name, **kwargs):
            pieces.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(render_media, name, piece)
    monkeypatch.setattr(ctx.config, "source_request_bytes", 64 * 1024)  # ranges well under the source
    settings = {"transcribe": False, "detect_highlights": False, "export_quality": "720p"}
    batch_id, execution_arn, _ = start_batch(user_id, [gapped], settings)
    batch = wait_for_batch(batch_id, user_id, timeout=480)
    video = batch["videos"][0]
    assert video["status"] == "completed", video["error_message"]

    # the video and each of its parts are child executions: none of their states are the batch's
    entered = batch_states(local_cloud.client("stepfunctions"), execution_arn)
    assert entered == ["Prepare batch", "Process videos", "Complete batch"]
    assert shares == [1]  # one Lambda slot per admitted video: its parts rendered one at a time
    # the sound, as long as the whole edit, went first: it never waits for the pictures
    assert pieces[0] == "render_sound" and pieces.count("render_sound") == 1 and len(pieces) >= 5
    result = video["processing_result"]
    keep = (
        result["removing_silence"]["keep"]
        or ctx.storage.get_json(local_cloud.media_bucket, result["removing_silence"]["artifact_key"])["keep"]
    )
    assert 3 <= len(keep) <= 4  # the two silences were cut
    assert result["timings"]["rendering_parts"] > 0 and result["timings"]["exporting"] > 0
    # the bar rose while the parts rendered: each part starts higher than the one before, the stitch higher
    assert len(bars) >= 5 and bars == sorted(set(bars)), bars
    prefix = object_keys.work_key(batch_id, video["video_id"], "parts/")
    listed = local_cloud.client("s3").list_objects_v2(Bucket=local_cloud.media_bucket, Prefix=prefix)
    names = sorted(Path(o["Key"]).name for o in listed.get("Contents", []))
    pictures = [n for n in names if n.startswith("picture")]
    assert len(pictures) >= 4 and "sound0000.m4a" in names

    # the stitched output: exactly the kept frames, in order, every click on its own frame
    output = tmp_path / "output.mp4"
    ctx.storage.download(local_cloud.media_bucket, result["exporting"]["key"], output)
    kept = snap_to_frames([tuple(k) for k in keep], FPS, probe(str(gapped)).duration)
    numbers = [n for a, b in kept for n in range(round(a * FPS), round(b * FPS))]
    assert shown_numbers(output) == numbers
    log = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(output), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert log.returncode == 0 and log.stderr.strip() == ""
    assert np.allclose(np.diff(packet_times(output)), 1 / FPS, atol=1e-3)

    def sounding(n: int) -> bool:
        return n % CLICK_EVERY == 0 and not any(a <= n / FPS < b for a, b in SILENT)

    expected = [i / FPS for i, n in enumerate(numbers) if sounding(n)]
    heard = click_onsets(output)
    assert len(heard) == len(expected)
    assert max(abs(h - e) for h, e in zip(heard, expected, strict=True)) < 1 / FPS

    # a stitch handed fewer pieces than the plan has (a part lost on the way) refuses to publish
    rendered = [
        RenderedPart(kind="picture", index=int(name[7:11]), key=prefix + name, seconds=1.0)
        for name in pictures[:-1]
    ]
    ref = StitchInput(stage=STITCH, batch_id=batch_id, video_id=video["video_id"], rendered=rendered)
    with pytest.raises(PartsMissingError, match="not the"):
        stitch_parts(ctx, ref)

    # one picture part, as the Media function runs it: no download, a fraction of the source read by URL
    source = ctx.videos.get(video["video_id"])
    # parts of 1 s (of about 13 kept) show it better than the run's 3 s: 1 s and a keyframe's lead-in
    monkeypatch.setattr(ctx.config, "render_part_seconds", 1.0)
    part = RenderPartInput(batch_id=batch_id, video_id=video["video_id"], position=1, kind="picture", index=6)

    def downloaded(*_: object) -> Path:
        raise AssertionError("a part downloaded the whole source")

    monkeypatch.setattr(Workspace, "source", downloaded)
    # the video has completed, which would stop a part's ffmpeg at once: render it as if still processing
    monkeypatch.setattr(split_export, "video_stop_check", lambda *_: lambda: None)
    served = meter.served(local_cloud.ingest_bucket, source.s3_key)
    with acting_as(local_cloud.identities["Media"]), invocation_scratch():
        assert render_part(ctx, part).key == prefix + "picture0006.mp4"
    read = meter.served(local_cloud.ingest_bucket, source.s3_key) - served
    size = gapped.stat().st_size
    print(f"a 1-second part read {read} of the source's {size} bytes ({read / size:.2f})")
    # its second of picture and the 2 s from the keyframe before it (3/16 of the file), the header and
    # index, and at most a 64 KB range past each seek: 0.30 of the file, where a download reads it all
    assert 0 < read < size / 3

    # the source is pinned: a part of a replaced file fails with its reason, nothing rendered from it
    ctx.storage.put_bytes(local_cloud.ingest_bucket, source.s3_key, gapped.read_bytes()[:-1] + b"\0")
    media = acting_as(local_cloud.identities["Media"])
    with media, invocation_scratch(), pytest.raises(SourceChangedError, match="file changed after start"):
        render_part(ctx, part)
