"""The export side of the template: the export state machine (Lambda or the worker on Fargate), the
one-day lifecycle rule on exports/, the table's TTL attribute the export records carry, and grants."""

import json
import re

import pytest

from functions.adapters.keys import export_key
from functions.domain.exports import EXPORT_LIFETIME
from functions.domain.object_keys import Prefix
from tests.infra.test_stack import bucket_with, machine_properties, of_type, statements

pytestmark = pytest.mark.infra


def test_export_files_expire_after_one_day_and_records_through_the_table_ttl(resources):
    rules = bucket_with(resources, "StorageMediaBucket")["LifecycleConfiguration"]["Rules"]
    (exports,) = [r for r in rules if r.get("Prefix") == f"{Prefix.EXPORTS}/"]
    assert exports["Status"] == "Enabled" and exports["ExpirationInDays"] == EXPORT_LIFETIME.days == 1
    (table,) = of_type(resources, "AWS::DynamoDB::Table").values()
    ttl = table["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at_epoch", "Enabled": True}
    # tests/integration/test_export_api.py checks the export items carry it (= the record's ttl).


def test_the_export_state_machine_runs_the_export_function_or_the_worker_task(resources):
    props = machine_properties(resources, "ExportsExportStateMachine")
    definition = json.loads(props["DefinitionString"])
    assert set(re.findall(r"\$\{(\w+)\}", props["DefinitionString"])) == set(props["DefinitionSubstitutions"])
    choice = definition["States"]["Lambda or Fargate?"]["Choices"][0]
    assert choice == {"Variable": "$.runtime", "StringEquals": "fargate", "Next": "Export on Fargate"}
    fargate = definition["States"]["Export on Fargate"]
    assert fargate["Resource"] == "arn:aws:states:::ecs:runTask.waitForTaskToken"
    names = [e["Name"] for e in fargate["Parameters"]["Overrides"]["ContainerOverrides"][0]["Environment"]]
    assert names == ["REELFLOW_TASK_TOKEN", "REELFLOW_BATCH_ID", "REELFLOW_EXPORT_ID"]
    assert definition["States"]["Export in Lambda"]["Catch"][0]["Next"] == "Record failure"
    function = props["DefinitionSubstitutions"]["ExportFunctionArn"]["Fn::GetAtt"][0]
    assert function.startswith("FunctionsExport")
    exported = resources[function]["Properties"]
    assert exported["Timeout"] == 900 and exported["EphemeralStorage"] == {"Size": 10240}


def test_the_api_starts_exports_and_signs_their_downloads(resources):
    api = [s for name, s in statements(resources) if name.startswith("FunctionsApiRole")]
    starts = [s for s in api if s["Action"] == "states:StartExecution"]
    assert any("-export" in json.dumps(s["Resource"]) for s in starts)
    reads = json.dumps([s for s in api if "s3:GetObject" in json.dumps(s["Action"])])
    assert "/exports/*" in reads
    # A playlist is written when it is downloaded, its entries signed then (docs/exports.md).
    writes = json.dumps([s for s in api if "s3:PutObject" in json.dumps(s["Action"])])
    assert "/exports/*" in writes
    # A playlist with failed originals links them where they are, drop-folder ones included.
    assert "/dropbox/*" in reads and "/uploads/*" in reads


def test_export_items_live_in_the_batch_partition():
    assert export_key("b1", "e1") == {"PK": "BATCH#b1", "SK": "EXPORT#e1"}
