"""Local mode's stream poller on its own table of the session's embedded AWS: records in order, the
mapping's filter applied, a batch that reports an item failure resent from that record on, and batches
held to what fits Lambda's request limit."""

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from moto.dynamodb.models import dynamodb_backends

from functions.deployment import FunctionSpec
from reelflow.local import stream_mapping
from reelflow.local.cloud import ACCOUNT, REGION
from reelflow.local.provisioning import create_function
from tests.helpers import create_stream_table

pytestmark = pytest.mark.usefixtures("local_cloud")
CALLS: list[list[str]] = []


def flaky_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Fails the second record of the first call only."""
    records = event["Records"]
    CALLS.append([r["dynamodb"]["Keys"]["SK"]["S"] for r in records])
    if len(CALLS) == 1:
        return {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}
    return {"batchItemFailures": []}


def _poller(local_cloud: Any, handler: str, **mapping: Any) -> tuple[str, stream_mapping.Poller]:
    """A table with its stream mapped to the function `handler` of this module (`mapping`: the event
    source mapping's settings), and a poller for it, not started yet: the table's name and the poller."""
    name = f"poller-{uuid.uuid4().hex[:8]}"
    dynamodb = local_cloud.client("dynamodb")
    create_stream_table(dynamodb, name)
    role = local_cloud.client("iam").get_role(RoleName="reelflow-local")["Role"]["Arn"]
    spec = FunctionSpec(handler.title().replace("_", ""), f"{__name__}.{handler}", "test")
    function_arn = create_function(local_cloud, spec, name, role, {})
    stream_arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    local_cloud.client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=function_arn, StartingPosition="TRIM_HORIZON", **mapping
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
    return name, poller


def _run_until(poller: stream_mapping.Poller, done: Callable[[], bool], timeout: float = 30) -> None:
    poller.thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not (poller.idle() and done()) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.stop()


def test_records_are_delivered_in_order_filtered_and_resent_from_the_first_failure(local_cloud):
    CALLS.clear()
    name, poller = _poller(
        local_cloud,
        "flaky_handler",
        FunctionResponseTypes=["ReportBatchItemFailures"],
        FilterCriteria={
            "Filters": [{"Pattern": json.dumps({"dynamodb": {"Keys": {"SK": {"S": [{"prefix": "K"}]}}}})}]
        },
    )
    for sk in ("K1", "SEQ", "K2", "K3"):
        local_cloud.client("dynamodb").put_item(TableName=name, Item={"PK": {"S": "p"}, "SK": {"S": sk}})
    _run_until(poller, lambda: len(CALLS) >= 2)
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
    name, poller = _poller(local_cloud, "measuring_handler", BatchSize=100)
    dynamodb = local_cloud.client("dynamodb")
    for n in range(60):
        for value in ("a", "b"):
            item = {"PK": {"S": "p"}, "SK": {"S": f"{n:02d}"}, "v": {"S": value * 100_000}}
            dynamodb.put_item(TableName=name, Item=item)
    _run_until(poller, lambda: sum(SIZES) >= 120)
    assert sum(SIZES) == 120 and len(SIZES) > 1
