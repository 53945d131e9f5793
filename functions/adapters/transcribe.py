"""Amazon Transcribe: start a job whose result lands in our bucket; its completion arrives as an event
(Lambda path) or is awaited with botocore's `transcription_job_completed` waiter (Fargate path)."""

from typing import Any

from botocore.exceptions import WaiterError

from functions.adapters import aws
from functions.domain.languages import AMAZON_LANGUAGE_CODES, AUTO


def language_parameters(language: str) -> dict[str, Any]:
    """`auto`: let Amazon identify the language among the five; otherwise the language's code."""
    if language == AUTO:
        return {"IdentifyLanguage": True, "LanguageOptions": list(AMAZON_LANGUAGE_CODES.values())}
    return {"LanguageCode": AMAZON_LANGUAGE_CODES[language]}


class AmazonTranscribe:
    def __init__(self) -> None:
        self.client = aws.client("transcribe")

    def start(
        self, job_name: str, media_uri: str, language: str, output_bucket: str, output_key: str
    ) -> None:
        self.client.start_transcription_job(
            TranscriptionJobName=job_name,
            **language_parameters(language),
            MediaFormat="flac",
            Media={"MediaFileUri": media_uri},
            OutputBucketName=output_bucket,
            OutputKey=output_key,
        )

    def job(self, job_name: str) -> dict[str, Any]:
        response: dict[str, Any] = self.client.get_transcription_job(TranscriptionJobName=job_name)
        return dict(response["TranscriptionJob"])

    def wait(self, job_name: str, delay_seconds: int, max_attempts: int) -> dict[str, Any]:
        """The job once it ended; a FAILED job is returned too (the caller reads FailureReason)."""
        waiter = self.client.get_waiter("transcription_job_completed")
        try:
            waiter.wait(
                TranscriptionJobName=job_name,
                WaiterConfig={"Delay": delay_seconds, "MaxAttempts": max_attempts},
            )
        except WaiterError as error:
            last: dict[str, Any] = dict(error.last_response or {})
            if last.get("TranscriptionJob", {}).get("TranscriptionJobStatus") != "FAILED":
                raise
        return self.job(job_name)
