"""Files published beside an output video share its key's stem, so they sort and download together."""

from pathlib import Path

import pytest

from functions.domain import object_keys
from functions.media.export_extras import content_type


def test_extras_are_named_like_the_output_video():
    video = object_keys.output_key("b1", 3, "My talk.final.mov", "mp4")
    poster = object_keys.output_extra_key("b1", 3, "My talk.final.mov", ".poster.jpg")
    assert video == "outputs/b1/003_My talk.final.mp4"
    assert poster == "outputs/b1/003_My talk.final.poster.jpg"
    assert poster.removesuffix(".poster.jpg") == video.removesuffix(".mp4")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("output.srt", "application/x-subrip"),
        ("output.vtt", "text/vtt"),
        ("output.thumb.jpg", "image/jpeg"),
        ("output.fcpxml", "application/xml"),
        ("output.edl", "text/plain"),
        ("output.removed.webm", "video/webm"),
    ],
)
def test_each_published_file_has_its_content_type(name, expected):
    assert content_type(Path(name)) == expected
