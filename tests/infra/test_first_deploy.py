"""What a first deploy on a new account needs, and what `stage=prod` keeps on teardown."""

from pathlib import Path
from typing import Any

import pytest

from functions import deployment

pytestmark = pytest.mark.infra


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`cdk synth -c reelflow:stage=prod -c reelflow:api_gateway_account_role=create
    -c reelflow:sweep_reserved_concurrency=2` (cdk-nag runs as in every synthesis)."""
    import json

    import aws_cdk as cdk

    from infra.app import build_app

    context = {
        "aws:cdk:bundling-stacks": [],
        "reelflow:stage": "prod",
        "reelflow:api_gateway_account_role": "create",
        "reelflow:sweep_reserved_concurrency": "2",
    }
    app = cdk.App(context=context, outdir=str(tmp_path_factory.mktemp("cdk.out.prod")))
    app, stack = build_app(app)
    assembly = app.synth()
    template = json.loads((Path(assembly.directory) / f"{stack.stack_name}.template.json").read_text())
    return dict(template["Resources"])


DATA_STORES = ("AWS::DynamoDB::Table", "AWS::Cognito::UserPool", "AWS::S3::Bucket")


def data_stores(resources: dict[str, Any]) -> dict[str, Any]:
    stores = {n: r for kind in DATA_STORES for n, r in of_type(resources, kind).items()}
    return {n: r for n, r in stores.items() if not n.startswith("WebAssets")}  # the build, not data


def test_prod_retains_the_table_the_user_pool_and_every_data_bucket_with_deletion_protection(prod):
    stores = data_stores(prod)
    assert len(stores) == 5, sorted(stores)  # table, user pool, ingest, media, access logs
    for name, resource in stores.items():
        assert resource["DeletionPolicy"] == "Retain", name
        assert resource["UpdateReplacePolicy"] == "Retain", name
    (table,) = of_type(prod, "AWS::DynamoDB::Table").values()
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    (pool,) = of_type(prod, "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"
    # Nothing empties a retained bucket on teardown (only the web app's build is emptied).
    emptied = [
        r["Properties"]["BucketName"]["Ref"] for r in of_type(prod, "Custom::S3AutoDeleteObjects").values()
    ]
    assert not set(emptied) & set(stores)


def test_dev_deletes_its_data_on_teardown_without_deletion_protection(resources):
    for name, resource in data_stores(resources).items():
        assert resource["DeletionPolicy"] == "Delete", name
    (table,) = of_type(resources, "AWS::DynamoDB::Table").values()
    assert not table["Properties"].get("DeletionProtectionEnabled")


def websocket_stage(resources: dict[str, Any]) -> dict[str, Any]:
    (stage,) = [
        r
        for r in of_type(resources, "AWS::ApiGatewayV2::Stage").values()
        if r["Properties"]["StageName"] == "live"
    ]
    return stage


def test_the_default_websocket_stage_logs_nothing_so_an_account_without_the_role_deploys(resources):
    assert "AccessLogSettings" not in websocket_stage(resources)["Properties"]
    assert not of_type(resources, "AWS::ApiGateway::Account")


def test_with_the_account_role_created_the_websocket_stage_logs_after_the_role_is_set(prod):
    stage = websocket_stage(prod)
    assert "DestinationArn" in stage["Properties"]["AccessLogSettings"]
    ((account_id, account),) = of_type(prod, "AWS::ApiGateway::Account").items()
    assert account_id in stage["DependsOn"]
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    role = prod[role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"
    }


def test_sweep_reserved_concurrency_is_set_only_when_asked(prod):
    sweep = next(
        f
        for f in of_type(prod, "AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == deployment.SWEEP.handler
    )
    assert sweep["Properties"]["ReservedConcurrentExecutions"] == 2
