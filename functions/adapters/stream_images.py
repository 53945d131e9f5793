"""Item images of the table's change stream → the entities they hold (batches and their videos only)."""

from collections.abc import Mapping
from typing import Any

from functions.adapters.dynamo_codec import item_to_model
from functions.adapters.keys import BATCH_SK, batch_pk, batch_video_sk
from functions.domain.models import BatchJob, BatchVideo


def decode_image(image: Mapping[str, Any] | None) -> BatchJob | BatchVideo | None:
    """The BatchJob or BatchVideo an image holds, told apart by the key layout; None for any other item.

    `image` is a deserialised item (as Powertools' DynamoDBRecord.new_image gives it: Decimal numbers).
    """
    if not image:
        return None
    pk, sk = str(image.get("PK", "")), str(image.get("SK", ""))
    if not pk.startswith(batch_pk("")):
        return None
    if sk == BATCH_SK:
        return item_to_model(dict(image), BatchJob)
    if sk.startswith(batch_video_sk("")):
        return item_to_model(dict(image), BatchVideo)
    return None
