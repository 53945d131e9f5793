"""Local mode enforces the grants of the synthesized templates: reelflow/local/grants.json must be them,
each deployment's apart."""

from typing import Any

from reelflow.local import grants


def test_local_grants_are_the_synthesized_templates(
    synthesized: dict[str, Any], synthesized_transcribe: dict[str, Any]
) -> None:
    extracted = {
        name: grants.extract(t["json"], t["stack"].config.prefix)
        for name, t in (("whisper", synthesized), ("transcribe", synthesized_transcribe))
    }
    assert extracted == grants.load(), (
        "reelflow/local/grants.json differs from the templates: run `python -m reelflow.local.grants`"
    )


def test_each_engine_is_run_by_the_deployment_whose_grants_it_gets() -> None:
    import aws_cdk as cdk

    from infra.config import DeployConfig

    for engine, transcription in grants.DEPLOYMENT_OF_ENGINE.items():
        config = DeployConfig.from_app(cdk.App(context={"reelflow:transcription": transcription}))
        assert config.transcription_engine == engine


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
