import pytest
from pydantic import ValidationError

from functions.domain.enums import ExportFormat, ExportQuality, HighlightSensitivity, Language
from functions.domain.settings import BatchSettings


def test_defaults_are_a_sensible_talk_edit():
    settings = BatchSettings()
    assert settings.transcribe and settings.remove_silence and settings.detect_highlights
    assert settings.language is Language.EN
    assert settings.silence_threshold == -35.0
    assert settings.min_silence_duration == 1.0
    assert settings.margin == 0.2
    assert settings.highlight_sensitivity is HighlightSensitivity.MEDIUM
    assert settings.export_format is ExportFormat.MP4
    assert settings.export_quality is ExportQuality.Q1080P
    assert settings.keywords == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("silence_threshold", -61),
        ("silence_threshold", -19.9),
        ("min_silence_duration", 0.4),
        ("min_silence_duration", 5.1),
        ("margin", -0.1),
        ("language", "it"),
        ("export_format", "avi"),
        ("export_quality", "480p"),
        ("highlight_sensitivity", "extreme"),
    ],
)
def test_out_of_range_values_are_rejected(field, value):
    with pytest.raises(ValidationError) as error:
        BatchSettings(**{field: value})
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("silence_threshold", -60),
        ("silence_threshold", -20),
        ("min_silence_duration", 0.5),
        ("min_silence_duration", 5),
    ],
)
def test_range_bounds_are_inclusive(field, value):
    assert getattr(BatchSettings(**{field: value}), field) == value


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError, match="extra"):
        BatchSettings(remove_silences=True)


def test_keywords_accept_a_comma_string_and_are_normalised():
    settings = BatchSettings(keywords=" Important, amazing,,important ")
    assert settings.keywords == ["important", "amazing"]


def test_keywords_without_highlights_are_an_invalid_combination():
    with pytest.raises(ValidationError, match="detect_highlights"):
        BatchSettings(detect_highlights=False, keywords=["wow"])


def test_keywords_without_transcription_are_an_invalid_combination():
    with pytest.raises(ValidationError, match="transcribe"):
        BatchSettings(transcribe=False, keywords=["wow"])


def test_margin_that_swallows_every_silence_is_rejected_with_advice():
    with pytest.raises(ValidationError, match=r"lower margin below 0\.5 s"):
        BatchSettings(margin=0.5, min_silence_duration=1.0)
    # Without silence removal the margin is irrelevant, so the same values are fine.
    assert BatchSettings(margin=0.5, min_silence_duration=1.0, remove_silence=False).margin == 0.5
