"""The demo turns on sidecar captions and cut lists, unless a flag or the settings file chose otherwise."""

import json

from reelflow.cli import build_parser, demo_extras, settings_from_args


def extras_for(*argv: str) -> dict[str, object]:
    args = build_parser().parse_args(["demo", *argv])
    return demo_extras(args, settings_from_args(args))


def test_by_default_the_demo_publishes_captions_and_cut_lists():
    assert extras_for() == {"captions": "sidecar", "cut_lists": True}


def test_flags_and_the_settings_file_win(tmp_path):
    assert extras_for("--captions", "soft", "--no-cut-lists") == {}
    chosen = tmp_path / "settings.json"
    chosen.write_text(json.dumps({"captions": "off"}))
    assert extras_for("--settings", str(chosen)) == {"cut_lists": True}
    assert extras_for("--no-transcribe") == {"cut_lists": True}  # captions need a transcript
