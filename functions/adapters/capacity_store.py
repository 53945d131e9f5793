"""The service's global caps: one config item, read by every admission, written at first read or by an
operator (`reelflow capacity`)."""

from functions.adapters.dynamo_codec import item_to_model, model_to_attributes
from functions.adapters.dynamo_table import DynamoTable
from functions.adapters.keys import capacity_key
from functions.domain.capacity import CapacitySetting


class DynamoCapacityStore(DynamoTable):
    def get(self) -> CapacitySetting | None:
        item = self.get_item(capacity_key())
        return item_to_model(item, CapacitySetting) if item else None

    def put(self, setting: CapacitySetting) -> None:
        self.table.put_item(Item={**capacity_key(), "type": "capacity", **model_to_attributes(setting)})
