"""One synthesis per session (bundling skipped: template tests need no layer contents)."""

import json
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return synthesize(tmp_path_factory)


@pytest.fixture(scope="session")
def synthesized_transcribe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The stack deployed with `-c reelflow:transcription=transcribe` (Amazon Transcribe)."""
    return synthesize(tmp_path_factory, {"reelflow:transcription": "transcribe"})


def synthesize(
    tmp_path_factory: pytest.TempPathFactory, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context={"aws:cdk:bundling-stacks": [], **(context or {})}, outdir=str(outdir))
    app, stack = build_app(app)
    assembly = app.synth()  # raises if cdk-nag reports an unacknowledged finding
    template_file = Path(assembly.directory) / f"{stack.stack_name}.template.json"
    return {
        "app": app,
        "stack": stack,
        "template": Template.from_stack(stack),
        "json": json.loads(template_file.read_text()),
        "template_file": template_file,
        "outdir": Path(assembly.directory),
    }


@pytest.fixture(scope="session")
def template(synthesized):
    return synthesized["template"]


@pytest.fixture(scope="session")
def resources(synthesized) -> dict[str, Any]:
    return synthesized["json"]["Resources"]
