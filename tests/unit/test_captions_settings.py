"""The settings for captions, cut lists and the removed-parts preview, and the `auto` language."""

import pytest
from pydantic import ValidationError

from functions.domain.enums import CaptionsMode, Language
from functions.domain.settings import BatchSettings


def test_defaults_keep_todays_outputs():
    settings = BatchSettings()
    assert settings.captions is CaptionsMode.OFF
    assert not settings.cut_lists and not settings.removed_parts_preview


def test_auto_language_and_every_caption_mode_are_accepted():
    assert BatchSettings(language="auto").language is Language.AUTO
    for mode in ("off", "sidecar", "burn", "soft"):
        assert BatchSettings(captions=mode).captions.value == mode
    with pytest.raises(ValidationError, match="captions"):
        BatchSettings(captions="hard")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"captions": "sidecar", "transcribe": False}, "captions are made from the transcript"),
        ({"removed_parts_preview": True, "remove_silence": False}, "set remove_silence to true"),
    ],
)
def test_combinations_that_cannot_work_are_rejected(fields, message):
    with pytest.raises(ValidationError, match=message):
        BatchSettings(**fields)
