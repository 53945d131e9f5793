"""Local mode runs each function with its role's statements (reelflow/local/grants.json, the
synthesized template's) and refuses every call they do not allow, as AWS does."""

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from reelflow.local import grants, roles
from reelflow.local.access_control import acting_as, enforcement
from reelflow.local.cloud import ACCOUNT, REGION
from tests.helpers import api, files_payload


def _env() -> roles.Environment:
    return roles.Environment(ACCOUNT, REGION)


@contextmanager
def declared_without(cloud: Any, principal: str, action: str) -> Iterator[None]:
    """The declaration with `action` taken out of `principal`'s statements, for the block."""
    engine = cloud.settings.transcription_engine
    declared = copy.deepcopy(grants.for_engine(engine))
    for statement in declared[principal]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    declared[principal] = [s for s in declared[principal] if s["Action"]]
    cloud.identities = roles.enforce(cloud, _env(), engine, declared)
    try:
        yield
    finally:
        cloud.identities = roles.enforce(cloud, _env(), engine)


def _client(cloud: Any, principal: str, service: str) -> Any:
    return _signed_client(cloud, cloud.identities[principal], service)


def _signed_client(cloud: Any, identity: Any, service: str) -> Any:
    session = boto3.Session(
        aws_access_key_id=identity.access_key,
        aws_secret_access_key=identity.secret_key,
        aws_session_token=identity.token,
        region_name=REGION,
    )
    return session.client(service, endpoint_url=cloud.endpoint)  # type: ignore[call-overload]


def _denied(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_enforcement_is_on_in_the_session_cloud(local_cloud: Any) -> None:
    assert enforcement.enabled
    assert set(local_cloud.identities) >= {"Api", "Ingest", "Control", "Media", "Export", "Worker"}


def test_a_function_may_do_what_its_role_allows_and_nothing_else(local_cloud: Any, user_id: str) -> None:
    api_s3 = _client(local_cloud, "Api", "s3")
    api_s3.put_object(Bucket=local_cloud.ingest_bucket, Key=f"uploads/{user_id}/x", Body=b"1")
    with pytest.raises(ClientError) as refused:
        api_s3.put_object(Bucket=local_cloud.media_bucket, Key=f"outputs/{user_id}/x", Body=b"1")
    assert _denied(refused) == "AccessDenied"
    media_s3 = _client(local_cloud, "Media", "s3")
    with pytest.raises(ClientError) as refused:
        media_s3.delete_object(Bucket=local_cloud.ingest_bucket, Key=f"uploads/{user_id}/x")
    assert _denied(refused) == "AccessDenied"
    sfn = _client(local_cloud, "Media", "stepfunctions")
    with pytest.raises(ClientError) as refused:
        sfn.start_execution(stateMachineArn=local_cloud.state_machine_arn, name=user_id, input="{}")
    assert _denied(refused) == "AccessDeniedException"
    assert "states:StartExecution" in refused.value.response["Error"]["Message"]


def test_conditions_are_evaluated_list_bucket_only_under_the_granted_prefixes(local_cloud: Any) -> None:
    api_s3 = _client(local_cloud, "Api", "s3")
    api_s3.list_objects_v2(Bucket=local_cloud.ingest_bucket, Prefix="uploads/someone/")
    with pytest.raises(ClientError) as refused:
        api_s3.list_objects_v2(Bucket=local_cloud.ingest_bucket, Prefix="dropbox/")
    assert _denied(refused) == "AccessDenied"
    with pytest.raises(ClientError):  # no prefix: the s3:prefix condition cannot hold
        api_s3.list_objects_v2(Bucket=local_cloud.ingest_bucket)


def test_code_running_as_a_function_signs_with_its_role_on_threads_it_starts(local_cloud: Any) -> None:
    from functions.adapters import aws

    outcome: list[str] = []

    def write_report() -> None:
        try:
            aws.s3().put_object(Bucket=local_cloud.media_bucket, Key="reports/x.json", Body=b"{}")
            outcome.append("written")
        except ClientError as error:
            outcome.append(str(error.response["Error"]["Code"]))

    with acting_as(local_cloud.identities["Api"]):  # the Api role may not write reports
        thread = threading.Thread(target=write_report)
        thread.start()
        thread.join(30)
    with acting_as(local_cloud.identities["Control"]):  # the Control role may
        write_report()
    assert outcome == ["AccessDenied", "written"]


def test_taking_batch_get_item_out_of_the_declaration_fails_the_batched_video_read(
    local_cloud: Any, ctx: Any, user_id: str
) -> None:
    status, body = api("POST", "/api/batch-jobs", {"name": "b", "video_count": 2}, user=user_id)
    assert status == 201, body
    ids = [u["video_id"] for u in body["uploads"]]
    with acting_as(local_cloud.identities["Api"]):
        assert set(ctx.videos.get_many(ids)) == set(ids)
    with (
        declared_without(local_cloud, "Api", "dynamodb:BatchGetItem"),
        acting_as(local_cloud.identities["Api"]),
        pytest.raises(ClientError) as refused,
    ):
        ctx.videos.get_many(ids)
    assert _denied(refused) == "AccessDeniedException"
    assert "dynamodb:BatchGetItem" in refused.value.response["Error"]["Message"]


def test_taking_the_upload_grant_out_refuses_the_presigned_upload(
    local_cloud: Any, user_id: str, clips: dict[str, Path]
) -> None:
    """A presigned URL carries its signer's permissions: the Api role must be allowed to PutObject."""
    clip = clips[".mp4"]
    payload = {"name": "b", "files": files_payload([clip])}
    with declared_without(local_cloud, "Api", "s3:PutObject"):
        status, body = api("POST", "/api/batch-jobs", payload, user=user_id)
        assert status == 201, body
        target = body["uploads"][0]
        refused = requests.put(target["url"], data=clip.read_bytes(), headers=target["headers"], timeout=60)
    assert refused.status_code == 403 and "AccessDenied" in refused.text
    status, body = api("POST", "/api/batch-jobs", payload, user=user_id)
    target = body["uploads"][0]
    accepted = requests.put(target["url"], data=clip.read_bytes(), headers=target["headers"], timeout=60)
    assert accepted.status_code == 200, accepted.text


def _start_job(cloud: Any, principal: str, name: str) -> None:
    _client(cloud, principal, "transcribe").start_transcription_job(
        TranscriptionJobName=name,
        LanguageCode="en-US",
        MediaFormat="flac",
        Media={"MediaFileUri": f"s3://{cloud.media_bucket}/work/b/v/audio.flac"},
        OutputBucketName=cloud.media_bucket,
        OutputKey=f"transcripts/b/v/{name}.json",
    )


def test_the_cloud_enforces_the_grants_of_the_deployment_that_runs_its_engine(
    local_cloud: Any, user_id: str
) -> None:
    """Only the `transcribe` deployment lets the media function start an Amazon Transcribe job: local
    mode refuses it while it runs faster-whisper, and allows it while it runs Amazon Transcribe."""
    assert local_cloud.settings.transcription_engine == "local"
    with pytest.raises(ClientError) as refused:
        _start_job(local_cloud, "Media", f"reelflow-{user_id}-1")
    assert _denied(refused) == "AccessDeniedException"
    assert "transcribe:StartTranscriptionJob" in refused.value.response["Error"]["Message"]
    local_cloud.use_transcription_engine("aws")
    try:
        _start_job(local_cloud, "Media", f"reelflow-{user_id}-2")
        with pytest.raises(ClientError) as refused:  # no Transcriber in that deployment: no grant at all
            _client(local_cloud, "Transcriber", "s3").get_object(
                Bucket=local_cloud.media_bucket, Key=f"results/{user_id}/x"
            )
        assert _denied(refused) == "AccessDenied"
    finally:
        local_cloud.use_transcription_engine("local")
    with pytest.raises(ClientError) as refused:
        _start_job(local_cloud, "Media", f"reelflow-{user_id}-3")
    assert _denied(refused) == "AccessDeniedException"


def test_the_transcribe_state_invokes_the_function_of_the_engines_deployment(local_cloud: Any) -> None:
    from functions import deployment

    def transcribe_target() -> str:
        sfn = local_cloud.client("stepfunctions")
        alias = sfn.describe_state_machine_alias(
            stateMachineAliasArn=f"{local_cloud.state_machine_arn}:{deployment.STATE_MACHINE_ALIAS}"
        )
        (route,) = alias["routingConfiguration"]
        definition = sfn.describe_state_machine(stateMachineArn=route["stateMachineVersionArn"])["definition"]
        states = json.loads(definition)["States"]["Process videos"]["ItemProcessor"]["States"]
        return str(states["Transcribe"]["Parameters"]["FunctionName"])

    assert transcribe_target() == local_cloud.function_arns[deployment.TRANSCRIBER.id]
    local_cloud.use_transcription_engine("aws")
    try:
        assert transcribe_target() == local_cloud.function_arns[deployment.MEDIA.id]
    finally:
        local_cloud.use_transcription_engine("local")
    assert transcribe_target() == local_cloud.function_arns[deployment.TRANSCRIBER.id]


def _run_worker_task(cloud: Any, **overrides: str) -> None:
    """Runs the worker task as the batch machine's role (no task token: no container starts), then
    stops it as root."""
    ecs = _signed_client(cloud, roles.state_machines[cloud.state_machine_arn], "ecs")
    tasks = ecs.run_task(
        cluster=cloud.cluster_arn,
        taskDefinition=cloud.worker_task_definition_arn,
        launchType="FARGATE",
        overrides={"containerOverrides": [], **overrides},
    )["tasks"]
    for task in tasks:
        cloud.client("ecs").stop_task(cluster=cloud.cluster_arn, task=task["taskArn"])


def test_running_the_worker_task_needs_iam_pass_role_on_the_roles_it_hands_the_task(local_cloud: Any) -> None:
    """ECS checks iam:PassRole on the task definition's task and execution roles (and on an override's)
    for whoever runs the task: the batch machine's role holds it for the worker's two roles only."""
    task_definition = local_cloud.client("ecs").describe_task_definition(
        taskDefinition=local_cloud.worker_task_definition_arn
    )["taskDefinition"]
    assert task_definition["taskRoleArn"] == local_cloud.identities["Worker"].role_arn
    assert task_definition["executionRoleArn"].endswith("/reelflow-local-WorkerExecution")
    _run_worker_task(local_cloud)  # allowed as deployed

    with (
        declared_without(local_cloud, "StateMachine:batch", "iam:PassRole"),
        pytest.raises(ClientError) as refused,
    ):
        _run_worker_task(local_cloud)
    assert _denied(refused) == "AccessDeniedException"
    assert "iam:PassRole" in refused.value.response["Error"]["Message"]
    assert local_cloud.identities["Worker"].role_arn in refused.value.response["Error"]["Message"]

    with pytest.raises(ClientError) as refused:  # another role than the worker's: not granted
        _run_worker_task(local_cloud, taskRoleArn=local_cloud.identities["Api"].role_arn)
    assert "iam:PassRole" in refused.value.response["Error"]["Message"]
