"""Handlers read their events with Powertools' event classes; keys are URL-decoded exactly once."""

from functions.domain.batch_control import batch_id_of_execution as batch_id_of
from functions.handlers.ingest import objects_in
from functions.services.ingestion import ObjectCreated


def test_eventbridge_and_s3_notifications_name_the_same_object():
    bridge = {
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "in"}, "object": {"key": "uploads/u/v/my+clip%25.mp4", "size": 7}},
    }
    notification = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": "in"}, "object": {"key": "uploads/u/v/my+clip%25.mp4", "size": 7}},
            },
            {
                "eventName": "ObjectRemoved:Delete",
                "s3": {"bucket": {"name": "in"}, "object": {"key": "gone"}},
            },
        ]
    }
    expected = [ObjectCreated("in", "uploads/u/v/my clip%.mp4", 7)]
    assert objects_in(bridge) == expected
    assert objects_in(notification) == expected
    assert objects_in({"Records": []}) == []


def test_an_execution_name_maps_back_to_its_batch():
    assert batch_id_of("b-1") == "b-1"
    assert batch_id_of("b-1-run3") == "b-1"
