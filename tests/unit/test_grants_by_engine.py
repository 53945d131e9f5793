"""Local mode enforces the grants of the one deployment that runs its transcription engine, not the
union of both: a grant only the `transcribe` deployment has is refused while the whisper engine runs
(reelflow/local/grants.py `for_engine`; the evaluator is reelflow/local/policy_evaluation.py)."""

import pytest
from moto.iam.access_control import PermissionResult

from reelflow.local import grants
from reelflow.local.policy_evaluation import Access, evaluate

ACCOUNT, REGION, PREFIX = "123456789012", "us-east-1", "reelflow-local"
MEDIA_BUCKET = "arn:aws:s3:::reelflow-local-media"
VALUES = {
    "Partition": "aws",
    "Region": REGION,
    "AccountId": ACCOUNT,
    "Prefix": PREFIX,
    "MediaBucket.Arn": MEDIA_BUCKET,
    "IngestBucket.Arn": "arn:aws:s3:::reelflow-local-ingest",
}
JOB = f"arn:aws:transcribe:{REGION}:{ACCOUNT}:transcription-job/reelflow-b1-v1-1"

# Statements only the `transcribe` deployment grants (infra/pipeline.py): with whisper no job is started.
TRANSCRIBE_ONLY = [
    ("Media", "transcribe:StartTranscriptionJob", JOB),
    ("Media", "s3:PutObject", f"{MEDIA_BUCKET}/transcripts/b1/v1/job.json"),
    ("Transcription", "transcribe:GetTranscriptionJob", JOB),
    ("Worker", "transcribe:StartTranscriptionJob", JOB),
    ("Worker", "s3:PutObject", f"{MEDIA_BUCKET}/work/b1/v1/audio.flac"),
]


def decision(engine: str, principal: str, action: str, resource: str) -> PermissionResult:
    statements = grants.render(grants.for_engine(engine).get(principal, []), VALUES)
    return evaluate([{"Version": "2012-10-17", "Statement": statements}], Access(action, resource, {}))


@pytest.mark.parametrize(("principal", "action", "resource"), TRANSCRIBE_ONLY)
def test_a_transcribe_only_grant_is_refused_with_whisper_and_allowed_with_transcribe(
    principal: str, action: str, resource: str
) -> None:
    assert decision("local", principal, action, resource) == PermissionResult.NEUTRAL
    assert decision("aws", principal, action, resource) == PermissionResult.PERMITTED


def test_the_transcriber_exists_in_the_whisper_deployment_only() -> None:
    upload = "arn:aws:s3:::reelflow-local-ingest/uploads/u/b1/v1/source.mp4"
    assert decision("local", "Transcriber", "s3:GetObject", upload) == PermissionResult.PERMITTED
    assert "Transcriber" not in grants.for_engine("aws")
    assert decision("aws", "Transcriber", "s3:GetObject", upload) == PermissionResult.NEUTRAL


def test_each_deployments_grants_are_kept_apart() -> None:
    by_deployment = grants.load()
    assert set(by_deployment) == set(grants.DEPLOYMENT_OF_ENGINE.values())
    assert grants.for_engine("local") == by_deployment["whisper"]
    assert grants.for_engine("aws") == by_deployment["transcribe"]


def test_an_engine_no_deployment_runs_is_refused() -> None:
    with pytest.raises(grants.GrantsError, match="sphinx"):
        grants.for_engine("sphinx")
