"""Captions in the render plan: a burn adds the subtitles filter to each part's graph (drawn at the part's
place on the output timeline), a soft track is muxed at the stitch with the container's subtitle codec;
without captions the arguments are unchanged."""

from pathlib import Path

from functions.domain.enums import ExportFormat, ExportQuality
from functions.domain.media_values import ProbeResult
from functions.media.render import part_args, plan_render
from functions.media.stitch import stitch_args
from functions.media.subtitles import SubtitleTrack

INFO = ProbeResult(
    duration=10.0,
    width=1280,
    height=720,
    video_codec="h264",
    audio_codec="aac",
    container="mov,mp4",
    frame_rate=25.0,
    size=1000,
)
KEEP = [(0.0, 4.0), (5.0, 10.0)]


def args_for(track: SubtitleTrack | None, export_format: ExportFormat = ExportFormat.MP4) -> list[str]:
    """The picture part's arguments (one input: the 1 s cut is decoded through), then the stitch's."""
    plan = plan_render("in.mp4", Path("out"), INFO, export_format, ExportQuality.Q720P, KEEP, track)
    (part,) = plan.parts()
    soft = track if track is not None and track.mode == "soft" else None
    return part_args(plan, part, Path("part")) + stitch_args(
        Path("list.txt"), Path("audio.m4a"), Path("out"), export_format, soft
    )


def test_without_captions_the_render_is_unchanged():
    plain = args_for(None)
    assert plain.count("-i") == 1 + 2 and "-c:s" not in plain and "subtitles=" not in " ".join(plain)


def test_a_burn_draws_after_scaling_in_the_same_graph():
    args = args_for(SubtitleTrack(Path("/work/it's.srt"), "burn"))
    graph = args[args.index("-filter_complex") + 1]
    # the file name escaped twice (option value, then graph): ' becomes \\\' and , becomes \,
    assert r",subtitles=filename=/work/it\\\'s.srt:force_style=FontName=DejaVu Sans\,Font" in graph
    assert "setpts=PTS-STARTPTS+0.000000/TB,subtitles=" in graph  # the part at its place in the output
    assert args.count("-i") == 1 + 2


def test_a_soft_track_uses_the_containers_text_codec():
    for export_format, codec in ((ExportFormat.MP4, "mov_text"), (ExportFormat.WEBM, "webvtt")):
        args = args_for(SubtitleTrack(Path("c.srt"), "soft", language="de"), export_format)
        stitching = args[args.index("concat") - 1 :]
        assert stitching[stitching.index("audio.m4a") + 1 : stitching.index("audio.m4a") + 3] == [
            "-i",
            "c.srt",
        ]
        assert stitching[stitching.index("-c:s") + 1] == codec
        assert "2:s:0" in stitching and "language=deu" in stitching


def test_captions_with_no_words_stay_files_and_keep_the_render_plain(tmp_path):
    from functions.domain.enums import CaptionsMode
    from functions.domain.media_values import Word
    from functions.media.export_extras import prepare_captions

    plan = plan_render("in.mp4", tmp_path / "out.mp4", INFO, ExportFormat.MP4, ExportQuality.Q720P, KEEP)
    for mode in (CaptionsMode.SOFT, CaptionsMode.BURN):
        same, captions = prepare_captions(plan, INFO.duration, [], mode, tmp_path, "silent")
        assert same == plan and captions is not None  # ffmpeg cannot read an empty subtitle file
        assert captions.mode is CaptionsMode.SIDECAR and captions.note and captions.files.srt.exists()
    spoken = [Word(word="Hello.", start=1.0, end=1.5)]
    with_track, captions = prepare_captions(plan, INFO.duration, spoken, CaptionsMode.SOFT, tmp_path, "talk")
    assert captions is not None and with_track.subtitles is not None
    assert with_track.subtitles.path == captions.files.srt
