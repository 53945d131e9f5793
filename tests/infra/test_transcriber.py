"""The transcription engine is a deploy-time setting: faster-whisper on Lambda (a container image
function, the default) or Amazon Transcribe (`-c reelflow:transcription=transcribe`), each with only its
own grants."""

import json
from typing import Any

import pytest

from functions import deployment
from infra.transcriber import DOCKERFILE


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {n: r for n, r in resources.items() if r["Type"] == kind}


def function_id(resources: dict[str, Any], construct_id: str) -> str:
    (name,) = [
        n for n in of_type(resources, "AWS::Lambda::Function") if n.startswith(f"Functions{construct_id}")
    ]
    return name


def actions(resources: dict[str, Any], role_prefix: str = "") -> set[str]:
    found: set[str] = set()
    for name, policy in of_type(resources, "AWS::IAM::Policy").items():
        if not name.startswith(role_prefix):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            action = statement["Action"]
            found.update(action if isinstance(action, list) else [action])
    return found


def transcribe_target(resources: dict[str, Any]) -> Any:
    (machine,) = [
        m
        for n, m in of_type(resources, "AWS::StepFunctions::StateMachine").items()
        if n.startswith("PipelineBatchStateMachine")
    ]
    return machine["Properties"]["DefinitionSubstitutions"]["TranscribeFunctionArn"]


def test_the_default_transcriber_is_an_image_function_sized_for_speech(synthesized: dict[str, Any]) -> None:
    resources = synthesized["json"]["Resources"]
    images = {n: r["Properties"] for n, r in of_type(resources, "AWS::Lambda::Function").items()}
    images = {n: p for n, p in images.items() if p.get("PackageType") == "Image"}
    ((name, props),) = images.items()
    assert name.startswith("FunctionsTranscriber")
    assert props["FunctionName"] == deployment.TRANSCRIBER.name("reelflow-dev")
    assert props["MemorySize"] == 3538  # two vCPUs
    assert props["Timeout"] == 900
    assert props["EphemeralStorage"] == {"Size": 10240}
    assert props["Architectures"] == ["arm64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert "ImageUri" in props["Code"] and "Handler" not in props and "Layers" not in props
    assert props["ImageConfig"]["Command"] == [deployment.TRANSCRIBER.handler]
    variables = props["Environment"]["Variables"]
    assert variables["REELFLOW_TRANSCRIPTION_ENGINE"] == "local"
    for field in deployment.TRANSCRIBER.needs:
        assert variables.get(deployment.ENV_PREFIX + field.upper()), field


def test_the_default_state_machine_transcribes_with_the_transcriber(synthesized: dict[str, Any]) -> None:
    resources = synthesized["json"]["Resources"]
    transcriber = function_id(resources, "Transcriber")
    assert transcribe_target(resources) == {"Fn::GetAtt": [transcriber, "Arn"]}
    invoke = [
        statement
        for name, policy in of_type(resources, "AWS::IAM::Policy").items()
        if name.startswith("PipelineBatchStateMachineRole")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "lambda:InvokeFunction"
    ]
    assert any({"Fn::GetAtt": [transcriber, "Arn"]} in s["Resource"] for s in invoke)
    # The Transcriber answers the task token, and reads only what transcribing touches.
    granted = actions(resources, "FunctionsTranscriberRole")
    assert "states:SendTaskSuccess" in granted
    assert not {a for a in granted if a.startswith("s3:Put") and a != "s3:PutObject"}


def test_the_default_stack_grants_no_amazon_transcribe_action(synthesized: dict[str, Any]) -> None:
    resources = synthesized["json"]["Resources"]
    assert not {a for a in actions(resources) if a.startswith("transcribe:")}
    rules = [
        r["Properties"].get("EventPattern", {}).get("source")
        for r in of_type(resources, "AWS::Events::Rule").values()
    ]
    assert ["aws.transcribe"] not in rules


def test_synth_stages_the_image_without_building_it(synthesized: dict[str, Any]) -> None:
    outdir = synthesized["outdir"]
    stack = synthesized["stack"].stack_name
    images = json.loads((outdir / f"{stack}.assets.json").read_text())["dockerImages"]
    (image,) = [i for i in images.values() if i["source"]["dockerFile"] == DOCKERFILE]
    assert image["source"]["platform"] == "linux/arm64"
    context = outdir / image["source"]["directory"]
    staged = {p.name for p in context.iterdir()}
    assert staged == {"functions", "infra", "pyproject.toml", "uv.lock", "README.md"}
    assert {p.name for p in (context / "infra").iterdir()} == {"__init__.py", "transcriber.Dockerfile"}
    dockerfile = (context / DOCKERFILE).read_text()
    assert "public.ecr.aws/lambda/python" in dockerfile
    assert "functions.handlers.pipeline.transcriber_handler" in dockerfile
    assert deployment.TRANSCRIBER.handler == "functions.handlers.pipeline.transcriber_handler"


def test_the_transcribe_setting_keeps_amazon_transcribe_and_its_grants(
    synthesized_transcribe: dict[str, Any],
) -> None:
    resources = synthesized_transcribe["json"]["Resources"]
    assert not [
        r for r in of_type(resources, "AWS::Lambda::Function").values() if r["Properties"].get("PackageType")
    ]
    assert not [n for n in resources if n.startswith("FunctionsTranscriber")]
    assert transcribe_target(resources) == {"Fn::GetAtt": [function_id(resources, "Media"), "Arn"]}
    assert "transcribe:StartTranscriptionJob" in actions(resources, "FunctionsMediaRole")
    assert "transcribe:GetTranscriptionJob" in actions(resources, "FunctionsTranscriptionRole")
    worker = [
        n
        for n, r in resources.items()
        if r["Type"] == "AWS::IAM::Role" and n.startswith("PipelineWorkerTaskTaskRole")
    ]
    assert worker and {"transcribe:StartTranscriptionJob", "transcribe:GetTranscriptionJob"} <= actions(
        resources, "PipelineWorkerTaskTaskRole"
    )
    rules = [r["Properties"] for r in of_type(resources, "AWS::Events::Rule").values()]
    transcribe = next(r for r in rules if r.get("EventPattern", {}).get("source") == ["aws.transcribe"])
    assert transcribe["EventPattern"]["detail"]["TranscriptionJobStatus"] == ["COMPLETED", "FAILED"]
    variables = resources[function_id(resources, "Media")]["Properties"]["Environment"]["Variables"]
    assert variables["REELFLOW_TRANSCRIPTION_ENGINE"] == "aws"


def test_an_unknown_transcription_setting_is_refused() -> None:
    import aws_cdk as cdk

    from infra.config import DeployConfig

    with pytest.raises(ValueError, match="whisper"):
        DeployConfig.from_app(cdk.App(context={"reelflow:transcription": "sphinx"}))
    assert DeployConfig.from_app(cdk.App()).transcription_engine == "local"


def work_prefix_actions(resources: dict[str, Any], role_prefix: str, prefix: str = "work/*") -> set[str]:
    """The S3 actions `role_prefix`'s policies allow on objects under `prefix`."""
    found: set[str] = set()
    for name, policy in of_type(resources, "AWS::IAM::Policy").items():
        if not name.startswith(role_prefix):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if prefix in json.dumps(statement["Resource"]):
                action = statement["Action"]
                found.update(action if isinstance(action, list) else [action])
    return found


def test_the_default_stack_lets_the_split_tasks_use_the_work_prefix(synthesized: dict[str, Any]) -> None:
    """The Transcriber keeps a long video's audio, plan and groups there; the media function the parts
    of a split render: neither needs Amazon Transcribe for it."""
    resources = synthesized["json"]["Resources"]
    for role in ("FunctionsTranscriberRole", "FunctionsMediaRole"):
        assert {"s3:GetObject", "s3:PutObject"} <= work_prefix_actions(resources, role), role


def test_the_transcriber_reads_the_videos_a_drop_folder_batch_holds(synthesized: dict[str, Any]) -> None:
    """A drop-folder batch's videos stay under dropbox/: the Transcriber hears them there as it does the
    uploads (local mode's IAM enforcement refused it: transcription failed every drop-folder video)."""
    resources = synthesized["json"]["Resources"]
    for prefix in ("uploads/*", "dropbox/*"):
        assert "s3:GetObject" in work_prefix_actions(resources, "FunctionsTranscriberRole", prefix), prefix
