"""Local mode enforces the grants of the synthesized template: reelflow/local/grants.json must be them."""

from typing import Any

from reelflow.local import grants


def test_local_grants_are_the_synthesized_templates(
    synthesized: dict[str, Any], synthesized_transcribe: dict[str, Any]
) -> None:
    extracted = grants.merge(
        *(grants.extract(t["json"], t["stack"].config.prefix) for t in (synthesized, synthesized_transcribe))
    )
    assert extracted == grants.load(), (
        "reelflow/local/grants.json differs from the template: run `python -m reelflow.local.grants`"
    )


def test_every_function_and_the_worker_have_a_principal(synthesized: dict[str, Any]) -> None:
    from functions.deployment import FUNCTIONS

    extracted = grants.extract(synthesized["json"], synthesized["stack"].config.prefix)
    assert {spec.id for spec in FUNCTIONS} | {grants.WORKER} <= set(extracted)
    assert all(
        "${" not in text or text.count("${") == text.count("}")
        for statements in extracted.values()
        for statement in statements
        for text in statement["Resource"]
    )


def test_merge_keeps_each_statement_once_in_order() -> None:
    a = {"Action": ["s3:GetObject"], "Effect": "Allow", "Resource": ["x"]}
    b = {"Action": ["transcribe:StartTranscriptionJob"], "Effect": "Allow", "Resource": ["*"]}
    merged = grants.merge({"Media": [a], "Worker": []}, {"Media": [a, b], "Transcription": [b]})
    assert merged == {"Media": [a, b], "Transcription": [b], "Worker": []}
