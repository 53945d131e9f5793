"""The CDK app deploys exactly the functions, environment and substitutions that functions/deployment.py
declares (local mode provisions the same declaration: tests/integration/test_local_deployment.py)."""

from dataclasses import fields
from typing import Any

import pytest

from functions import deployment
from functions.config import RuntimeConfig


def _functions(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The project's functions by handler (CDK's own custom-resource handlers left out)."""
    found = {}
    for resource in resources.values():
        props = resource.get("Properties", {})
        # A container image function (the Transcriber) names its handler as the image's command.
        handler = str(props.get("Handler") or props.get("ImageConfig", {}).get("Command", [""])[0])
        if resource["Type"] == "AWS::Lambda::Function" and handler.startswith("functions."):
            found[handler] = props
    return found


def test_the_template_holds_every_declared_function_and_no_other(synthesized, resources):
    deployed = _functions(resources)
    assert set(deployed) == {spec.handler for spec in deployment.FUNCTIONS}
    prefix = synthesized["stack"].config.prefix
    for spec in deployment.FUNCTIONS:
        props = deployed[spec.handler]
        assert props["FunctionName"] == spec.name(prefix)
        assert props["Timeout"] == spec.timeout_seconds
        assert props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == spec.service_name
        if spec not in (deployment.API, deployment.MEDIA, deployment.TRANSCRIBER):  # deploy config overrides
            assert props["MemorySize"] == spec.memory_mb


def test_every_reelflow_variable_is_a_runtime_config_field(resources):
    known = {deployment.ENV_PREFIX + name.upper() for name in RuntimeConfig.model_fields}
    for props in _functions(resources).values():
        variables = props["Environment"]["Variables"]
        assert {name for name in variables if name.startswith(deployment.ENV_PREFIX)} <= known


def _worker() -> deployment.WorkerPlacement:
    return deployment.WorkerPlacement(*(f.name for f in fields(deployment.WorkerPlacement)))


def test_substitutions_are_exactly_the_placeholders_of_the_state_machine_file():
    names = {f.name: f.name for f in fields(deployment.StateMachineSubstitutions)}
    substitutions = deployment.StateMachineSubstitutions(
        **{**names, "retry_delays_seconds": (60, 300), "worker": _worker()}
    )
    declared = set(substitutions.as_dict())
    assert substitutions.as_dict()["RetryDelaysSeconds"] == "[60, 300]"  # States.StringToJson reads it
    assert deployment.placeholders(deployment.STATE_MACHINE_FILE.read_text()) == declared
    assert set(deployment.STATE_MACHINE_FUNCTIONS) <= declared


def test_the_template_substitutes_what_the_declaration_names(resources):
    (machine,) = [
        r
        for n, r in resources.items()
        if r["Type"] == "AWS::StepFunctions::StateMachine" and n.startswith("PipelineBatchStateMachine")
    ]
    substituted = set(machine["Properties"]["DefinitionSubstitutions"])
    assert substituted == deployment.placeholders(deployment.STATE_MACHINE_FILE.read_text())


def test_runtime_environment_refuses_a_name_the_code_never_reads():
    assert deployment.runtime_environment(table_name="t") == {"REELFLOW_TABLE_NAME": "t"}
    with pytest.raises(ValueError, match="tabel_name"):
        deployment.runtime_environment(tabel_name="t")


def test_export_substitutions_are_exactly_the_placeholders_of_the_export_state_machine_file(resources):
    declared = set(deployment.ExportStateMachineSubstitutions("export_function_arn", _worker()).as_dict())
    assert deployment.placeholders(deployment.EXPORT_STATE_MACHINE_FILE.read_text()) == declared
    assert set(deployment.EXPORT_STATE_MACHINE_FUNCTIONS) <= declared
    (machine,) = [
        r
        for n, r in resources.items()
        if r["Type"] == "AWS::StepFunctions::StateMachine" and n.startswith("ExportsExportStateMachine")
    ]
    assert set(machine["Properties"]["DefinitionSubstitutions"]) == declared


def test_caps_set_in_context_reach_the_functions_and_unset_ones_stay_derived():
    from functions.domain.capacity import DEFAULT_CAPACITY
    from functions.services.capacity import deployed_capacity
    from infra.config import DeployConfig

    config = DeployConfig(capacity_videos_in_flight=400, capacity_fargate_tasks=50)
    environment = deployment.runtime_environment(**config.capacity_environment)
    assert environment == {
        "REELFLOW_CAPACITY_VIDEOS_IN_FLIGHT": "400",
        "REELFLOW_CAPACITY_FARGATE_TASKS": "50",
    }
    runtime = RuntimeConfig(**{k.removeprefix("REELFLOW_").lower(): v for k, v in environment.items()})
    caps = deployed_capacity(runtime)
    assert (caps.videos_in_flight, caps.fargate_tasks) == (400, 50)
    assert caps.running_batches == DEFAULT_CAPACITY.running_batches
    assert DeployConfig().capacity_environment == {}


def test_every_function_is_deployed_with_the_environment_it_declares_it_needs(resources):
    """What functions/startup.py checks at cold start is what the template sets."""
    by_handler = {
        handler: props.get("Environment", {}).get("Variables", {})
        for handler, props in _functions(resources).items()
    }
    for spec in deployment.FUNCTIONS:
        variables = by_handler[spec.handler]
        for field in spec.needs:
            assert variables.get(deployment.ENV_PREFIX + field.upper()), f"{spec.id} lacks {field}"


def test_the_routing_byte_limit_follows_the_media_functions_tmp() -> None:
    from infra.config import DeployConfig

    mib = 1024 * 1024
    assert DeployConfig().lambda_max_file_bytes == 8 * 1024**3
    assert RuntimeConfig.model_fields["lambda_max_file_bytes"].default == DeployConfig().lambda_max_file_bytes
    assert DeployConfig(media_ephemeral_mb=2048).lambda_max_file_bytes == int(2048 * mib * 0.8)
    # the Transcriber reads the source by URL: its /tmp holds the 16 kHz WAV, not the video
    assert DeployConfig(transcriber_ephemeral_mb=1024).lambda_max_file_bytes == 8 * 1024**3
