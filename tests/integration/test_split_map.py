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
from functions.domain.pipeline_contract import STITCH, RenderedPart, StitchInput
from functions.media.binaries import ffmpeg
from functions.media.probe import probe
from functions.media.render import snap_to_frames
from functions.services.capacity import change_capacity, current_setting
from functions.services.stages import split_export
from functions.services.stages.split_export import PartsMissingError, stitch_parts
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
    settings = {"transcribe": False, "detect_highlights": False, "export_quality": "720p"}
    batch_id, execution_arn, _ = start_batch(user_id, [gapped], settings)
    batch = wait_for_batch(batch_id, user_id, timeout=480)
    video = batch["videos"][0]
    assert video["status"] == "completed", video["error_message"]

    # the video and each of its parts are child executions: none of their states are the batch's
    entered = batch_states(local_cloud.client("stepfunctions"), execution_arn)
    assert entered == ["Prepare batch", "Process videos", "Complete batch"]
    assert shares == [1]  # one Lambda slot per admitted video: its parts rendered one at a time
    result = video["processing_result"]
    keep = (
        result["removing_silence"]["keep"]
        or ctx.storage.get_json(local_cloud.media_bucket, result["removing_silence"]["artifact_key"])["keep"]
    )
    assert 3 <= len(keep) <= 4  # the two silences were cut
    assert result["timings"]["rendering_parts"] > 0 and result["timings"]["exporting"] > 0
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
