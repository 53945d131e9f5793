"""Local mode's stream poller on its own table of the session's embedded AWS: records in order, the
mapping's filter applied, and a batch that reports an item failure resent from that record on."""

import json
import time
import uuid
from typing import Any

import pytest
from moto.dynamodb.models import dynamodb_backends

from functions.deployment import FunctionSpec
from reelflow.local import stream_mapping
from reelflow.local.cloud import ACCOUNT, REGION
from reelflow.local.provisioning import create_function

pytestmark = pytest.mark.usefixtures("local_cloud")
CALLS: list[list[str]] = []


def flaky_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Fails the second record of the first call only."""
    records = event["Records"]
    CALLS.append([r["dynamodb"]["Keys"]["SK"]["S"] for r in records])
    if len(CALLS) == 1:
        return {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}
    return {"batchItemFailures": []}


def test_records_are_delivered_in_order_filtered_and_resent_from_the_first_failure(local_cloud):
    CALLS.clear()
    name = f"poller-{uuid.uuid4().hex[:8]}"
    dynamodb = local_cloud.client("dynamodb")
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    role = local_cloud.client("iam").get_role(RoleName="reelflow-local")["Role"]["Arn"]
    spec = FunctionSpec("FlakyPoller", f"{__name__}.flaky_handler", "test")
    function_arn = create_function(local_cloud, spec, name, role, {})
    stream_arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    local_cloud.client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn,
        FunctionName=function_arn,
        StartingPosition="TRIM_HORIZON",
        FunctionResponseTypes=["ReportBatchItemFailures"],
        FilterCriteria={
            "Filters": [{"Pattern": json.dumps({"dynamodb": {"Keys": {"SK": {"S": [{"prefix": "K"}]}}}})}]
        },
    )
    for sk in ("K1", "SEQ", "K2", "K3"):
        dynamodb.put_item(TableName=name, Item={"PK": {"S": "p"}, "SK": {"S": sk}})

    table = dynamodb_backends[ACCOUNT][REGION].get_table(name)
    assert table.stream_shard is not None
    poller = stream_mapping.Poller(
        table=table,
        mapping=table.lambda_event_source_mappings[function_arn],
        account_id=ACCOUNT,
        region=REGION,
        position=table.stream_shard.starting_sequence_number,
    )
    poller.thread.start()
    try:
        for _ in range(200):
            if poller.idle() and len(CALLS) >= 2:
                break
            time.sleep(0.05)
    finally:
        poller.stop()
    assert CALLS == [["K1", "K2", "K3"], ["K2", "K3"]]  # SEQ filtered out; resent from the failed K2


SIZES: list[int] = []


def measuring_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    SIZES.append(len(event["Records"]))
    return {"batchItemFailures": []}


def test_a_batch_holds_what_fits_lambdas_request_limit(local_cloud):
    """60 records of ~200 KB (new and old images) pass Lambda's 6 MB together: Lambda's poller hands them
    over in several batches, each under the limit, and none is dropped (one batch of 60 would be refused
    before the function ran, retried and dropped)."""
    SIZES.clear()
    name = f"poller-{uuid.uuid4().hex[:8]}"
    dynamodb = local_cloud.client("dynamodb")
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    role = local_cloud.client("iam").get_role(RoleName="reelflow-local")["Role"]["Arn"]
    spec = FunctionSpec("MeasuringPoller", f"{__name__}.measuring_handler", "test")
    function_arn = create_function(local_cloud, spec, name, role, {})
    stream_arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    local_cloud.client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=function_arn, StartingPosition="TRIM_HORIZON", BatchSize=100
    )
    table = dynamodb_backends[ACCOUNT][REGION].get_table(name)
    assert table.stream_shard is not None
    poller = stream_mapping.Poller(
        table=table,
        mapping=table.lambda_event_source_mappings[function_arn],
        account_id=ACCOUNT,
        region=REGION,
        position=table.stream_shard.starting_sequence_number,
    )
    for n in range(60):
        dynamodb.put_item(
            TableName=name, Item={"PK": {"S": "p"}, "SK": {"S": f"{n:02d}"}, "v": {"S": "a" * 100_000}}
        )
        dynamodb.put_item(
            TableName=name, Item={"PK": {"S": "p"}, "SK": {"S": f"{n:02d}"}, "v": {"S": "b" * 100_000}}
        )
    poller.thread.start()
    try:
        for _ in range(600):
            if poller.idle() and sum(SIZES) >= 120:
                break
            time.sleep(0.05)
    finally:
        poller.stop()
    assert sum(SIZES) == 120 and len(SIZES) > 1
