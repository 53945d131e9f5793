"""Amazon Transcribe: start a job whose result lands in our bucket; its completion arrives as an event."""

from typing import Any

from functions.adapters import aws

LANGUAGE_CODES = {"en": "en-US", "es": "es-ES", "ru": "ru-RU", "de": "de-DE", "fr": "fr-FR"}


class AmazonTranscribe:
    def __init__(self) -> None:
        self.client = aws.client("transcribe")

    def start(
        self, job_name: str, media_uri: str, language: str, output_bucket: str, output_key: str
    ) -> None:
        self.client.start_transcription_job(
            TranscriptionJobName=job_name,
            LanguageCode=LANGUAGE_CODES[language],
            MediaFormat="flac",
            Media={"MediaFileUri": media_uri},
            OutputBucketName=output_bucket,
            OutputKey=output_key,
        )

    def job(self, job_name: str) -> dict[str, Any]:
        response: dict[str, Any] = self.client.get_transcription_job(TranscriptionJobName=job_name)
        return dict(response["TranscriptionJob"])
