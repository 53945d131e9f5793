"""The docs describe what the code does: settings, quick start, CI entry, OpenAPI."""

import json
import re
from pathlib import Path

from functions.domain.settings import BatchSettings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_documents_every_setting_with_its_default():
    for name, info in BatchSettings.model_fields.items():
        row = next((line for line in README.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"README does not document setting {name}"
        default = info.get_default(call_default_factory=True)
        shown = {True: "`true`", False: "`false`"}.get(default) if isinstance(default, bool) else None
        if shown:
            assert shown in row


def test_quick_start_is_exactly_two_commands():
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["./dev demo", "./dev test"]


def test_ci_runs_the_readme_test_command():
    assert "./dev test" in (ROOT / ".ci" / "run").read_text()


def test_committed_openapi_matches_the_code():
    from functions.handlers.api import app

    generated = json.loads(app.get_openapi_json_schema(title="reelflow API", version="1.0.0"))
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())
    assert committed == generated, "docs/openapi.json is stale: run ./dev openapi"
