import pytest

from functions.domain.errors import InvalidMediaError
from functions.media.probe import parse_probe

VIDEO = {
    "codec_type": "video",
    "codec_name": "h264",
    "width": 1280,
    "height": 720,
    "avg_frame_rate": "30000/1001",
}
AUDIO = {"codec_type": "audio", "codec_name": "aac"}


def test_parse_reads_size_codecs_and_rate():
    result = parse_probe(
        {"streams": [VIDEO, AUDIO], "format": {"duration": "12.5", "format_name": "mov,mp4", "size": "100"}}
    )
    assert (result.width, result.height, result.video_codec, result.audio_codec) == (1280, 720, "h264", "aac")
    assert result.frame_rate == 29.97 and result.duration == 12.5 and result.size == 100


def test_audio_only_files_are_not_videos():
    with pytest.raises(InvalidMediaError, match="no video stream"):
        parse_probe({"streams": [AUDIO], "format": {"duration": "3"}})


def test_cover_art_is_not_a_video_stream():
    art = {**VIDEO, "disposition": {"attached_pic": 1}}
    with pytest.raises(InvalidMediaError, match="no video stream"):
        parse_probe({"streams": [AUDIO, art], "format": {"duration": "3"}})


def test_zero_duration_is_an_incomplete_upload():
    with pytest.raises(InvalidMediaError, match="no duration"):
        parse_probe({"streams": [VIDEO], "format": {}})
