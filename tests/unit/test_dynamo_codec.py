"""dynamo_codec does what its docstring says: datetimes, None, floats and models in; plain numbers out."""

from datetime import UTC, datetime
from decimal import Decimal

from functions.adapters.dynamo_codec import from_dynamo, item_to_model, model_to_attributes, to_dynamo
from functions.domain.enums import VideoStatus
from functions.domain.models import BatchVideo


def test_values_going_in():
    moment = datetime(2026, 11, 23, 12, 0, 1, 500, tzinfo=UTC)
    assert to_dynamo(moment) == "2026-11-23T12:00:01.000500Z"
    assert to_dynamo({"a": 1.5, "b": None, "c": [moment, 2], "d": VideoStatus.FAILED}) == {
        "a": Decimal("1.5"),
        "c": ["2026-11-23T12:00:01.000500Z", 2],
        "d": "failed",
    }
    assert to_dynamo(0.1) == Decimal("0.1")


def test_a_model_round_trips(now):
    video = BatchVideo(
        batch_job_id="b", video_id="v", position=1, duration=2.5, created_at=now, updated_at=now
    )
    attributes = model_to_attributes(video)
    assert "error_message" not in attributes and attributes["duration"] == Decimal("2.5")
    assert attributes["created_at"] == to_dynamo(now) == "2026-11-23T12:00:00Z"
    assert item_to_model(attributes, BatchVideo) == video
    assert from_dynamo({"n": Decimal(3), "f": Decimal("0.5"), "s": {1, 2}}) == {"n": 3, "f": 0.5, "s": [1, 2]}
