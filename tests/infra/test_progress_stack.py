"""The live-progress part of the CDK app: the stream mapping, the progress function's grants (this
WebSocket API's connections only, the default bus, the notification topic) and the SNS topic."""

import json
from typing import Any

import pytest

from functions import deployment
from tests.infra.test_stack import of_type, statements

pytestmark = pytest.mark.infra


def _progress_function(resources: dict[str, Any]) -> str:
    [name] = [
        name
        for name, r in of_type(resources, "AWS::Lambda::Function").items()
        if r["Properties"].get("Handler") == deployment.PROGRESS_STREAM.handler
    ]
    return name


def _grants(resources: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    return [s for name, s in statements(resources) if name.startswith(role_prefix)]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def test_the_table_stream_maps_to_the_progress_function_filtered_in_order(resources):
    [mapping] = of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["FunctionName"] == {"Ref": _progress_function(resources)}
    table = next(iter(of_type(resources, "AWS::DynamoDB::Table")))
    assert props["EventSourceArn"] == {"Fn::GetAtt": [table, "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is False  # order matters: never split a batch
    assert props["StartingPosition"] == "LATEST"
    assert props["MaximumRetryAttempts"] == deployment.PROGRESS_MAPPING.retry_attempts
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert patterns == deployment.PROGRESS_MAPPING.filter_patterns()
    keys = patterns[0]["dynamodb"]["Keys"]
    assert "SEQ" not in json.dumps(keys)  # the handler's own sequence items do not come back to it
    failures = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    queue = resources[failures]
    assert queue["Type"] == "AWS::SQS::Queue" and queue["Properties"]["SqsManagedSseEnabled"] is True


def test_progress_posts_only_to_this_websocket_apis_connections(resources):
    apis = {
        n
        for n, r in of_type(resources, "AWS::ApiGatewayV2::Api").items()
        if r["Properties"].get("ProtocolType") == "WEBSOCKET"
    }
    [api] = apis
    for role_prefix in ("FunctionsProgressStreamRole", "FunctionsWsSubscribeRole"):
        manage = [
            s for s in _grants(resources, role_prefix) if "execute-api:ManageConnections" in _actions(s)
        ]
        assert len(manage) == 1, role_prefix
        resource = json.dumps(manage[0]["Resource"])
        assert json.dumps({"Ref": api}) in resource and "/live/*/@connections/*" in resource
    everyone_else = [
        name
        for name, s in statements(resources)
        if "execute-api:ManageConnections" in _actions(s)
        and not name.startswith(("FunctionsProgressStreamRole", "FunctionsWsSubscribeRole"))
    ]
    assert everyone_else == []


def test_progress_puts_events_on_the_default_bus_and_publishes_to_the_topic(resources):
    grants = _grants(resources, "FunctionsProgressStreamRole")
    [put] = [s for s in grants if "events:PutEvents" in _actions(s)]
    assert "event-bus/default" in json.dumps(put["Resource"])
    [topic] = of_type(resources, "AWS::SNS::Topic").keys() - {
        n for n in of_type(resources, "AWS::SNS::Topic") if n.startswith("Observability")
    }
    [publish] = [s for s in grants if "sns:Publish" in _actions(s)]
    assert publish["Resource"] == {"Ref": topic}
    props = resources[_progress_function(resources)]["Properties"]["Environment"]["Variables"]
    assert props["REELFLOW_NOTIFICATION_TOPIC_ARN"] == {"Ref": topic}
    assert "REELFLOW_WEBSOCKET_ENDPOINT" in props
    policies = [
        r
        for r in of_type(resources, "AWS::SNS::TopicPolicy").values()
        if {"Ref": topic} in r["Properties"]["Topics"]
    ]
    assert policies and "aws:SecureTransport" in json.dumps(policies)  # TLS only
    assert "alias/aws/sns" in json.dumps(resources[topic]["Properties"]["KmsMasterKeyId"])


def test_the_api_may_subscribe_addresses_to_the_notification_topic_only(resources):
    topics = {n for n in of_type(resources, "AWS::SNS::Topic") if not n.startswith("Observability")}
    [topic] = topics
    [subscribe] = [s for s in _grants(resources, "FunctionsApiRole") if "sns:Subscribe" in _actions(s)]
    assert subscribe["Resource"] == {"Ref": topic}
    api = next(
        r
        for r in of_type(resources, "AWS::Lambda::Function").values()
        if r["Properties"].get("Handler") == deployment.API.handler
    )
    assert api["Properties"]["Environment"]["Variables"]["REELFLOW_NOTIFICATION_TOPIC_ARN"] == {"Ref": topic}
