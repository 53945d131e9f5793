"""The demo turns on sidecar captions, cut lists and vertical highlight clips, unless a flag or the
settings file chose otherwise."""

import json

from reelflow.cli import build_parser, demo_extras, settings_from_args


def extras_for(*argv: str) -> dict[str, object]:
    args = build_parser().parse_args(["demo", *argv])
    return demo_extras(args, settings_from_args(args))


def test_by_default_the_demo_publishes_captions_cut_lists_and_highlight_clips():
    assert extras_for() == {"captions": "sidecar", "cut_lists": True, "highlight_clips": "vertical"}


def test_flags_and_the_settings_file_win(tmp_path):
    assert extras_for("--captions", "soft", "--no-cut-lists", "--highlight-clips", "off") == {}
    chosen = tmp_path / "settings.json"
    chosen.write_text(json.dumps({"captions": "off", "highlight_clips": "square"}))
    assert extras_for("--settings", str(chosen)) == {"cut_lists": True}
    clips = {"highlight_clips": "vertical"}
    assert extras_for("--no-transcribe") == {"cut_lists": True, **clips}  # captions need a transcript
    assert extras_for("--no-detect-highlights") == {"captions": "sidecar", "cut_lists": True}
