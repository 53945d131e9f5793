"""Amazon Transcribe jobs waiting for their completion event."""

from functions.adapters.dynamo_codec import item_to_model, model_to_attributes
from functions.adapters.dynamo_table import DynamoTable
from functions.adapters.keys import transcription_key
from functions.domain.models import TranscriptionJob


class DynamoTranscriptionJobStore(DynamoTable):
    def park(self, job: TranscriptionJob) -> None:
        self.table.put_item(
            Item={
                **transcription_key(job.job_name),
                "type": "transcription_job",
                "expires_at_epoch": int(job.expires_at.timestamp()),
                **model_to_attributes(job),
            }
        )

    def get(self, job_name: str) -> TranscriptionJob | None:
        item = self.table.get_item(Key=transcription_key(job_name), ConsistentRead=True).get("Item")
        return item_to_model(item, TranscriptionJob) if item else None

    def remove(self, job_name: str) -> None:
        self.table.delete_item(Key=transcription_key(job_name))
