"""The project's moto fixes (reelflow/local/patches/): a transaction costs what it touches, and still
rolls back every item."""

import copy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from reelflow.local.patches import fast_reads, stream_records

TABLE = "local-moto-fixes"

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def dynamodb(local_cloud: Any) -> Iterator[Any]:
    """A table of its own on the session's embedded AWS (whose fixes are installed); moto's
    process-wide backends are never reset under the other tests."""
    client = local_cloud.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    yield client
    client.delete_table(TableName=TABLE)


def _fill(client: Any, count: int) -> None:
    for n in range(count):
        client.put_item(
            TableName=TABLE, Item={"pk": {"S": f"filler#{n}"}, "sk": {"S": "x"}, "n": {"N": str(n)}}
        )


def _put(pk: str) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {"pk": {"S": pk}, "sk": {"S": "x"}}}}


def _copies_during(monkeypatch: pytest.MonkeyPatch, work: Any) -> list[str]:
    copied: list[str] = []
    original = copy.deepcopy

    def counting(value: Any, memo: Any = None, _nil: Any = ()) -> Any:
        copied.append(type(value).__name__)
        return original(value, memo)

    monkeypatch.setattr(copy, "deepcopy", counting)
    try:
        work()
    finally:
        monkeypatch.setattr(copy, "deepcopy", original)
    return copied


def test_a_transaction_never_copies_a_table_and_its_cost_does_not_grow_with_it(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [_put(f"new#{n}") for n in range(20)]
    _fill(dynamodb, 10)
    small = _copies_during(monkeypatch, lambda: dynamodb.transact_write_items(TransactItems=items))
    _fill(dynamodb, 1000)
    again = [_put(f"again#{n}") for n in range(20)]
    large = _copies_during(monkeypatch, lambda: dynamodb.transact_write_items(TransactItems=again))
    assert Table.__name__ not in small + large
    # Copies per item touched, not per item stored (a copy of the 1,000-item table would be thousands);
    # a few copies may come from other requests the shared embedded AWS serves meanwhile.
    assert len(large) <= len(small) + 20


def test_a_failed_condition_rolls_back_every_item_and_its_stream_records(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "counter"}, "sk": {"S": "x"}, "n": {"N": "1"}})
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "gone"}, "sk": {"S": "x"}})
    stream = moto_table().stream_shard
    assert stream is not None
    records_before = len(stream.items)
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "counter"}, "sk": {"S": "x"}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                _put("fresh"),
                {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "gone"}, "sk": {"S": "x"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "missing"}, "sk": {"S": "x"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    counter = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "counter"}, "sk": {"S": "x"}})["Item"]
    assert counter["n"] == {"N": "1"}
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "fresh"}, "sk": {"S": "x"}})
    assert "Item" in dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "gone"}, "sk": {"S": "x"}})
    assert len(stream.items) == records_before


def test_a_failed_transaction_is_never_seen_by_a_read_or_the_stream(dynamodb: Any) -> None:
    """The admission's shape: the batch's update first, then a counter whose condition fails."""
    dynamodb.put_item(TableName=TABLE, Item={**_key("batch"), "status": {"S": "queued"}})
    dynamodb.put_item(TableName=TABLE, Item={**_key("slots"), "running": {"N": "5"}})
    backend, table = _backend(), moto_table()
    recorded: list[Any] = []

    def record(changed: Table) -> None:
        if changed is table:
            recorded.append(changed)

    seen: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(backend.get_item(TABLE, _key("batch")).to_json()["Attributes"]["status"]["S"])

    admit = [
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("batch"),
                "UpdateExpression": "SET #s = :p",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":p": {"S": "processing"}},
            }
        },
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("slots"),
                "UpdateExpression": "ADD running :one",
                "ConditionExpression": "running < :cap",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":cap": {"N": "5"}},
            }
        },
    ]
    stream_records.stream_listeners.append(record)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(200):
            with pytest.raises(TransactionCanceledException):
                backend.transact_write_items(admit)
    finally:
        done.set()
        reader.join(timeout=60)
        stream_records.stream_listeners.remove(record)
    assert recorded == []  # moto added the batch's record, then took it back (after a poller could read it)
    assert seen and set(seen) == {"queued"}


def test_a_successful_transaction_writes_every_item(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[_put("a"), _put("b")])
    scanned = dynamodb.scan(TableName=TABLE)["Items"]
    assert sorted(i["pk"]["S"] for i in scanned) == ["a", "b"]


def test_two_operations_on_one_item_are_refused(dynamodb: Any) -> None:
    with pytest.raises(ClientError, match="multiple operations"):
        dynamodb.transact_write_items(TransactItems=[_put("a"), _put("a")])
    assert dynamodb.scan(TableName=TABLE)["Items"] == []


def moto_table() -> Table:
    from moto.dynamodb.models import dynamodb_backends

    table: Table = dynamodb_backends[ACCOUNT][REGION].get_table(TABLE)
    return table


def test_stream_records_are_bounded_and_keep_their_sequence_numbers(dynamodb: Any) -> None:
    kept = stream_records.STREAM_RECORDS_KEPT
    _fill(dynamodb, kept + 200)
    stream = moto_table().stream_shard
    assert stream is not None and len(stream.items) == kept
    newest = stream.get(stream.starting_sequence_number + kept - 1, 1)[0]
    assert newest["dynamodb"]["NewImage"]["n"] == {"N": str(kept + 199)}


def test_a_query_reads_its_partition_and_answers_as_before(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "mine"}, "sk": {"S": f"v#{4 - n}"}})
    _fill(dynamodb, 300)
    examined: list[int] = []
    installed = Table.all_items

    def recording(self: Table) -> Any:
        items = installed(self)
        if self.name == TABLE:  # only this test's table: other tests' threads may read theirs
            examined.append(len(items))
        return items

    monkeypatch.setattr(Table, "all_items", recording)

    def query(**extra: Any) -> list[str]:
        answer = dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :v)",
            ExpressionAttributeValues={":pk": {"S": "mine"}, ":v": {"S": "v#"}},
            **extra,
        )
        return [item["sk"]["S"] for item in answer["Items"]]

    assert query() == [f"v#{n}" for n in range(5)]
    assert query(ScanIndexForward=False, Limit=2) == ["v#4", "v#3"]
    assert examined and max(examined) == 5  # the partition, not the 305 items of the table
    assert len(dynamodb.scan(TableName=TABLE)["Items"]) == 305  # a scan still sees everything


EVERY_TYPE = {
    "pk": {"S": "types"},
    "sk": {"S": "one"},
    "text": {"S": 'ünï 🎬 "quoted" \\ \n'},
    "whole": {"N": "12345678901234567890"},
    "fraction": {"N": "-0.125"},
    "yes": {"BOOL": True},
    "nothing": {"NULL": True},
    "map": {"M": {"inner": {"L": [{"S": "a"}, {"N": "1"}, {"M": {}}]}}},
    "strings": {"SS": ["x", "y"]},
    "numbers": {"NS": ["1", "2.5"]},
    "blob": {"B": b"\x00\xff binary"},
}


def test_reads_answer_every_attribute_type_as_the_generic_serializer_does(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dynamodb.put_item(TableName=TABLE, Item=EVERY_TYPE)
    key = {"pk": EVERY_TYPE["pk"], "sk": EVERY_TYPE["sk"]}

    def reads() -> list[Any]:
        answers = [
            dynamodb.get_item(TableName=TABLE, Key=key)["Item"],
            dynamodb.query(
                TableName=TABLE,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": EVERY_TYPE["pk"]},
                Limit=1,
            ),
            dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key]}})["Responses"][TABLE][0],
        ]
        answers[1].pop("ResponseMetadata")
        return answers

    fast = reads()

    def normal(item: dict[str, Any]) -> dict[str, Any]:  # sets come back in any order
        return {n: {t: sorted(v) if t in ("SS", "NS") else v for t, v in a.items()} for n, a in item.items()}

    for read in fast[0], fast[1]["Items"][0], fast[2]:
        assert normal(read) == normal(EVERY_TYPE)
    assert fast[1]["Count"] == fast[1]["ScannedCount"] == 1
    monkeypatch.setattr(fast_reads, "FAST_READS", frozenset())  # moto's own serializer
    assert reads() == fast


def test_an_item_is_measured_once_and_the_400_kb_limit_still_holds(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: list[int] = []
    size = DynamoType.size

    def counting(self: Any) -> int:
        # Only this item's values ("v"): other requests of the shared embedded AWS run meanwhile.
        if getattr(self, "value", None) == "v":
            measured.append(1)
        return int(size(self))

    monkeypatch.setattr(DynamoType, "size", counting)
    wide = {"pk": {"S": "wide"}, "sk": {"S": "x"}, **{f"a{n}": {"S": "v"} for n in range(40)}}
    dynamodb.put_item(TableName=TABLE, Item=wide)
    assert len(measured) < 3 * len(wide)  # moto measured every attribute again for each one: ~ n² / 2
    monkeypatch.undo()
    big = {"pk": {"S": "big"}, "sk": {"S": "x"}, "a": {"S": "x" * 200_000}, "b": {"S": "y" * 210_000}}
    with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
        dynamodb.put_item(TableName=TABLE, Item=big)
    dynamodb.put_item(TableName=TABLE, Item={**big, "b": {"S": "y" * 190_000}})


def _backend() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION]


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "x"}}


def _tagged(tag: str) -> dict[str, Any]:
    """An update whose three attributes all carry `tag`: an item read half-updated mixes two tags."""
    summary = {"tag": {"S": tag}, **{f"k{n}": {"M": {"n": {"N": str(n)}}} for n in range(60)}}
    return {
        "update_expression": "SET #s = :s, #m = :m, #o = :o",
        "expression_attribute_names": {"#s": "status", "#m": "summary", "#o": "other"},
        "expression_attribute_values": {":s": {"S": tag}, ":m": {"M": summary}, ":o": {"S": tag}},
    }


def test_a_read_sees_an_update_whole_or_not_at_all(dynamodb: Any) -> None:
    backend = _backend()
    backend.update_item(TABLE, _key("whole"), **_tagged("a"))
    mixed: list[tuple[Any, ...]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            attrs = backend.get_item(TABLE, _key("whole")).to_json()["Attributes"]
            tags = (attrs["status"]["S"], attrs["summary"]["M"]["tag"]["S"], attrs["other"]["S"])
            if len(set(tags)) > 1:
                mixed.append(tags)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(400):  # moto applied each action in place: about a third of the reads mixed
            backend.update_item(TABLE, _key("whole"), **_tagged("ab"[n % 2]))
    finally:
        done.set()
        reader.join(timeout=60)
    assert mixed == []


def test_two_conditional_writes_to_one_item_never_both_pass(dynamodb: Any) -> None:
    backend = _backend()
    claims: list[tuple[int, str]] = []

    def claim(rounds: int, who: str) -> None:
        for n in range(rounds):
            try:
                backend.update_item(
                    TABLE,
                    _key(f"slot#{n}"),
                    update_expression="SET #o = :me",
                    expression_attribute_names={"#o": "owner"},
                    expression_attribute_values={":me": {"S": who}},
                    condition_expression="attribute_not_exists(#o)",
                )
            except Exception:  # moto's ConditionalCheckFailed: another thread has it
                continue
            claims.append((n, who))

    threads = [threading.Thread(target=claim, args=(150, f"t{i}")) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    slots = [n for n, _ in claims]
    assert sorted(slots) == list(range(150))  # each slot claimed exactly once
    for n, who in claims:
        assert backend.get_item(TABLE, _key(f"slot#{n}")).to_json()["Attributes"]["owner"]["S"] == who


def test_an_update_that_fails_partway_leaves_the_item_as_it_was(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**_key("partway"), "a": {"S": "before"}})
    with pytest.raises(ClientError, match="maximum allowed size"):
        dynamodb.update_item(
            TableName=TABLE,
            Key=_key("partway"),
            UpdateExpression="SET a = :a, b = :b",
            ExpressionAttributeValues={":a": {"S": "after"}, ":b": {"S": "y" * 420_000}},
        )
    item = dynamodb.get_item(TableName=TABLE, Key=_key("partway"), ConsistentRead=True)["Item"]
    assert item == {**_key("partway"), "a": {"S": "before"}}


def test_scans_and_index_queries_hold_while_other_threads_add_items(local_cloud: Any) -> None:
    client, name = local_cloud.client("dynamodb"), f"snapshots-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    backend = _backend()
    try:
        for n in range(1000):
            backend.put_item(
                name, {"pk": {"S": f"p{n}"}, "sk": {"S": "x"}, "g": {"S": "b" if n % 50 else "a"}}
            )
        errors: list[str] = []
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                try:
                    found = client.query(
                        TableName=name,
                        IndexName="GSI",
                        KeyConditionExpression="g = :a",
                        ExpressionAttributeValues={":a": {"S": "a"}},
                    )
                    assert found["Count"] == 20
                except Exception as error:  # moto: "dictionary changed size during iteration", a 500
                    errors.append(repr(error))

        def scan() -> None:  # what a Scan, a global index's listing and DescribeTable's count loop over
            table = backend.get_table(name)
            while not done.is_set():
                try:
                    table.all_items(), table.has_idx_items("GSI"), len(table)
                except Exception as error:
                    errors.append(repr(error))

        readers = [threading.Thread(target=read), threading.Thread(target=scan)]
        for reader in readers:
            reader.start()
        try:
            for n in range(3000):  # a new partition each, and a read of a missing one (moto adds it too)
                backend.put_item(name, {"pk": {"S": f"new{n}"}, "sk": {"S": "x"}, "g": {"S": "c"}})
                backend.get_item(name, {"pk": {"S": f"missing{n}"}, "sk": {"S": "x"}})
        finally:
            done.set()
            for reader in readers:
                reader.join(timeout=60)
        assert errors == []
    finally:
        client.delete_table(TableName=name)


def test_items_moto_let_go_of_are_freed(dynamodb: Any, local_cloud: Any) -> None:
    from moto.dynamodb.models.dynamo_type import Item
    from moto.s3.models import FakeKey

    backend = _backend()
    backend.put_item(TABLE, {**_key("counter"), "n": {"N": "0"}})
    tracked = len(Item.instances_tracked)
    for n in range(200):  # each write copies its item (the stream's old image, the undo copy)
        backend.update_item(TABLE, _key("counter"), "SET n = :n", {}, {":n": {"N": str(n)}})
    assert len(Item.instances_tracked) == tracked  # moto kept two more per write, for ever: 400 here
    s3 = local_cloud.client("s3")
    bucket = f"tracked-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    keys = len(FakeKey.instances_tracked)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert len(FakeKey.instances_tracked) == keys + 1  # S3's keys still are: moto's reset closes them
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_an_execution_stopped_while_its_definition_is_parsed_ends_aborted(
    local_cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto 5.2.5 answered such a stop with a 500 (its environment did not exist yet): a cancel racing
    an admission met it. The parse is held open until the stop has arrived, on any machine."""
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    parsing, release = threading.Event(), threading.Event()
    original = ExecutionWorker._get_evaluation_entrypoint

    def held_parse(worker: ExecutionWorker) -> Any:
        parsing.set()
        release.wait(timeout=60)
        return original(worker)

    monkeypatch.setattr(ExecutionWorker, "_get_evaluation_entrypoint", held_parse)
    sfn = local_cloud.client("stepfunctions")
    definition = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 30, "End": True}}}
    machine = sfn.create_state_machine(
        name=f"stop-while-parsing-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/stop-while-parsing",
    )["stateMachineArn"]
    try:
        execution = sfn.start_execution(stateMachineArn=machine, name="run1", input="{}")["executionArn"]
        assert parsing.wait(timeout=60)
        threading.Timer(0.5, release.set).start()  # the stop below waits for the program to begin
        sfn.stop_execution(executionArn=execution, error="BatchCancelled", cause="Cancelled by the user")
        assert release.is_set()
        status = sfn.describe_execution(executionArn=execution)["status"]
        for _ in range(600):
            if status != "RUNNING":
                break
            time.sleep(0.1)
            status = sfn.describe_execution(executionArn=execution)["status"]
        assert status == "ABORTED"
        events = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
        assert "WaitStateExited" not in events and "ExecutionSucceeded" not in events
    finally:
        release.set()
        sfn.delete_state_machine(stateMachineArn=machine)


class _CountingBody:
    """An object's body that counts the bytes read from it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.read_bytes = inner, 0

    def seek(self, *args: Any) -> int:
        return int(self.inner.seek(*args))

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.inner.read(size)
        self.read_bytes += len(data)
        return data


def test_a_ranged_get_answers_its_range_and_reads_only_that(local_cloud: Any) -> None:
    from moto.s3.models import s3_backends

    s3, bucket, key = local_cloud.client("s3"), local_cloud.ingest_bucket, f"ranged/{uuid.uuid4().hex}.bin"
    body = bytes(range(256)) * 4096  # 1 MiB
    etag = s3.put_object(Bucket=bucket, Key=key, Body=body)["ETag"]
    stored = s3_backends[ACCOUNT]["global"].get_bucket(bucket).keys[key]
    counting = _CountingBody(stored._value_buffer)
    stored._value_buffer = counting

    def ranged(spec: str, **extra: Any) -> Any:
        return s3.get_object(Bucket=bucket, Key=key, Range=spec, **extra)

    answer = ranged("bytes=1000-1999")
    assert answer["Body"].read() == body[1000:2000]
    assert answer["ContentRange"] == f"bytes 1000-1999/{len(body)}"
    assert counting.read_bytes == 1000  # moto read the whole MiB for every range
    assert ranged(f"bytes={len(body) - 10}-")["Body"].read() == body[-10:]
    assert ranged("bytes=-16")["Body"].read() == body[-16:]  # a suffix range
    assert ranged(f"bytes=5-{len(body) * 2}", IfMatch=etag)["Body"].read() == body[5:]  # cut to the end
    with pytest.raises(ClientError) as refused:
        ranged(f"bytes={len(body)}-")
    assert refused.value.response["Error"]["Code"] == "InvalidRange"
    with pytest.raises(ClientError) as changed:
        ranged("bytes=0-9", IfMatch='"0000"')
    assert changed.value.response["Error"]["Code"] == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body  # a plain GET, whole, as before


def oversized_handler(event: dict[str, Any], context: object) -> dict[str, str]:
    """A Lambda answer past Step Functions' 256 KiB (well under Lambda's 6 MB)."""
    return {"text": "x" * (256 * 1024)}


@pytest.fixture
def oversized_function(local_cloud: Any) -> str:
    from functions.deployment import FunctionSpec
    from reelflow.local.provisioning import create_function

    role = local_cloud.client("iam").get_role(RoleName="reelflow-local")["Role"]["Arn"]
    spec = FunctionSpec("Oversized", f"{__name__}.oversized_handler", "test")
    return str(create_function(local_cloud, spec, f"oversized-{uuid.uuid4().hex[:8]}", role, {}))


def _run_to_end(local_cloud: Any, definition: dict[str, Any], function_arn: str) -> dict[str, Any]:
    """Runs `definition` once on the embedded Step Functions, as a role that may invoke `function_arn`
    (IAM is enforced, as for the deployment's machines): its DescribeExecution when it ends."""
    from reelflow.local import access_control, roles

    iam, sfn = local_cloud.client("iam"), local_cloud.client("stepfunctions")
    name = f"terminal-errors-{uuid.uuid4().hex[:8]}"
    grant: Any = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": function_arn}
    identity = access_control.credentials_for_role(iam, local_cloud.client("sts"), name, [grant])
    machine = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=identity.role_arn
    )["stateMachineArn"]
    roles.state_machines[machine] = identity
    try:
        execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        described = sfn.describe_execution(executionArn=execution)
        for _ in range(600):
            if described["status"] != "RUNNING":
                break
            time.sleep(0.1)
            described = sfn.describe_execution(executionArn=execution)
        return dict(described)
    finally:
        roles.state_machines.pop(machine, None)
        sfn.delete_state_machine(stateMachineArn=machine)


def _guarded(task: dict[str, Any], error_equals: list[str], retry: bool = False) -> dict[str, Any]:
    """`task` with a Catch (and, with `retry`, a Retry) on `error_equals`."""
    catch = [{"ErrorEquals": error_equals, "Next": "Caught"}]
    guarded: dict[str, Any] = {**task, "Catch": catch, "End": True}
    if retry:
        guarded["Retry"] = [{"ErrorEquals": error_equals, "MaxAttempts": 2, "IntervalSeconds": 1}]
    return {"StartAt": "Task", "States": {"Task": guarded, "Caught": {"Type": "Pass", "End": True}}}


def _task(function_arn: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function_arn, "Payload": payload or {}},
        "OutputPath": "$.Payload",
    }


# the answer passes 256 KiB; a path in Parameters finds nothing
CASES = [({}, "States.DataLimitExceeded"), ({"missing.$": "$.missing"}, "States.Runtime")]


@pytest.mark.parametrize(("payload", "error"), CASES)
@pytest.mark.parametrize("retry", [False, True])
def test_states_all_catches_neither_a_data_limit_nor_a_runtime_error(
    local_cloud: Any, oversized_function: str, payload: dict[str, Any], error: str, retry: bool
) -> None:
    """As on AWS: the execution fails with the error, though a Catch (and a Retry) on States.ALL
    guards the task (moto caught it and ended the execution SUCCEEDED through `Caught`)."""
    definition = _guarded(_task(oversized_function, payload), ["States.ALL"], retry)
    described = _run_to_end(local_cloud, definition, oversized_function)
    assert (described["status"], described.get("error")) == ("FAILED", error)


@pytest.mark.parametrize(("payload", "error"), CASES)
def test_a_catch_that_names_the_error_still_catches_it(
    local_cloud: Any, oversized_function: str, payload: dict[str, Any], error: str
) -> None:
    definition = _guarded(_task(oversized_function, payload), [error])
    assert _run_to_end(local_cloud, definition, oversized_function)["status"] == "SUCCEEDED"


def test_states_all_still_catches_other_errors(local_cloud: Any, oversized_function: str) -> None:
    """Any other error (here the role may not invoke the function named) is caught as before."""
    task = {**_task(oversized_function), "Parameters": {"FunctionName": oversized_function + "-other"}}
    described = _run_to_end(local_cloud, _guarded(task, ["States.ALL"]), oversized_function)
    assert described["status"] == "SUCCEEDED"


def test_an_invoke_past_lambdas_request_limit_is_a_413(local_cloud: Any, oversized_function: str) -> None:
    """Lambda's Invoke refuses a request over 6 MB before the function runs (moto passed any size)."""
    from reelflow.local.invoker import REQUEST_LIMIT_BYTES

    payload = json.dumps({"text": "x" * REQUEST_LIMIT_BYTES}).encode()
    with pytest.raises(ClientError) as refused:
        local_cloud.client("lambda").invoke(FunctionName=oversized_function, Payload=payload)
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestEntityTooLargeException"
