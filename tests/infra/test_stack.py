"""What the CDK app deploys, asserted on the synthesized template."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk.assertions import Match

from functions import deployment

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.infra


def of_type(resources, kind):
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def test_buckets_block_public_access_encrypt_and_require_tls(template, resources):
    buckets = of_type(resources, "AWS::S3::Bucket")
    assert len(buckets) == 4  # ingest, media, access logs, web app
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert (
            props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
                "ServerSideEncryptionByDefault"
            ]["SSEAlgorithm"]
            == "AES256"
        )
    policies = of_type(resources, "AWS::S3::BucketPolicy")
    assert len(policies) == 4
    for policy in policies.values():
        denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def bucket_with(resources, logical_prefix):
    return next(r["Properties"] for n, r in resources.items() if n.startswith(logical_prefix))


def test_lifecycles_expire_exports_clean_work_and_abort_uploads(resources):
    media = {
        r["Id"]: r for r in bucket_with(resources, "StorageMediaBucket")["LifecycleConfiguration"]["Rules"]
    }
    assert (
        media["expire-exports"]["Prefix"] == "exports/" and media["expire-exports"]["ExpirationInDays"] == 1
    )
    assert media["clean-work-files"]["Prefix"] == "work/"
    assert (
        media["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        == 1
    )
    ingest = bucket_with(resources, "StorageIngestBucket")
    assert (
        ingest["LifecycleConfiguration"]["Rules"][0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        == 1
    )
    cors = ingest["CorsConfiguration"]["CorsRules"][0]
    assert set(cors["AllowedMethods"]) == {"PUT", "POST", "GET"} and cors["ExposedHeaders"] == ["ETag"]


def test_table_keys_and_indexes_equal_the_runtime_definition(resources):
    spec = json.loads((ROOT / "functions" / "adapters" / "table.json").read_text())
    (table,) = of_type(resources, "AWS::DynamoDB::Table").values()
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": spec["partition_key"], "KeyType": "HASH"},
        {"AttributeName": spec["sort_key"], "KeyType": "RANGE"},
    ]
    gsis = {g["IndexName"]: g["KeySchema"] for g in props["GlobalSecondaryIndexes"]}
    assert gsis == {
        i["name"]: [
            {"AttributeName": i["partition_key"], "KeyType": "HASH"},
            {"AttributeName": i["sort_key"], "KeyType": "RANGE"},
        ]
        for i in spec["global_secondary_indexes"]
    }
    lsis = {i["IndexName"]: i["KeySchema"][1]["AttributeName"] for i in props["LocalSecondaryIndexes"]}
    assert lsis == {i["name"]: i["sort_key"] for i in spec["local_secondary_indexes"]}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert props["TimeToLiveSpecification"] == {"AttributeName": spec["ttl_attribute"], "Enabled": True}


def test_upload_rule_takes_put_and_multipart_and_matches_extensions_ignoring_case(resources):
    rules = [r["Properties"] for r in of_type(resources, "AWS::Events::Rule").values()]
    upload = next(r for r in rules if r["EventPattern"]["source"] == ["aws.s3"])
    detail = upload["EventPattern"]["detail"]
    assert {"PutObject", "CompleteMultipartUpload"} <= set(detail["reason"])
    suffixes = [k["suffix"]["equals-ignore-case"] for k in detail["object"]["key"] if "suffix" in k]
    assert suffixes == [".mp4", ".mov", ".avi", ".webm"]
    assert {"prefix": "dropbox/"} in detail["object"]["key"]
    assert upload["EventPattern"]["detail-type"] == ["Object Created"]
    (target,) = upload["Targets"]
    assert target["Arn"]["Fn::GetAtt"][0].startswith("FunctionsIngest")
    # Whisper (the default) starts no Amazon Transcribe job: no rule for their events (test_transcriber.py).
    assert not [r for r in rules if r.get("EventPattern", {}).get("source") == ["aws.transcribe"]]
    executions = next(r for r in rules if r["EventPattern"]["source"] == ["aws.states"])
    assert executions["EventPattern"]["detail"]["status"] == ["FAILED", "TIMED_OUT", "ABORTED"]


def test_ingest_bucket_sends_events_to_eventbridge(resources):
    (notifications,) = of_type(resources, "Custom::S3BucketNotifications").values()
    assert notifications["Properties"]["NotificationConfiguration"] == {"EventBridgeConfiguration": {}}


def test_every_http_route_but_health_and_docs_needs_the_jwt_authorizer(resources):
    apis = of_type(resources, "AWS::ApiGatewayV2::Api")
    http_api = next(n for n, a in apis.items() if a["Properties"]["ProtocolType"] == "HTTP")
    routes = [
        r["Properties"]
        for r in of_type(resources, "AWS::ApiGatewayV2::Route").values()
        if r["Properties"]["ApiId"] == {"Ref": http_api}
    ]
    keys = {r["RouteKey"]: r.get("AuthorizationType", "NONE") for r in routes}
    assert keys == {"ANY /api/{proxy+}": "JWT", "GET /api/health": "NONE", "GET /api/docs": "NONE"}
    (authorizer,) = [
        a["Properties"]
        for a in of_type(resources, "AWS::ApiGatewayV2::Authorizer").values()
        if a["Properties"]["AuthorizerType"] == "JWT"
    ]
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]


def test_websocket_api_routes_and_token_authorizer(resources):
    apis = of_type(resources, "AWS::ApiGatewayV2::Api")
    ws_api = next(n for n, a in apis.items() if a["Properties"]["ProtocolType"] == "WEBSOCKET")
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in of_type(resources, "AWS::ApiGatewayV2::Route").values()
        if r["Properties"]["ApiId"] == {"Ref": ws_api}
    }
    assert set(routes) == {"$connect", "$disconnect", "subscribe"}
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    (authorizer,) = [
        a["Properties"]
        for a in of_type(resources, "AWS::ApiGatewayV2::Authorizer").values()
        if a["Properties"]["AuthorizerType"] == "REQUEST"
    ]
    assert authorizer["IdentitySource"] == ["route.request.querystring.token"]


def machine_properties(resources, logical_prefix: str = "PipelineBatchStateMachine") -> dict:
    (machine,) = [
        m
        for n, m in of_type(resources, "AWS::StepFunctions::StateMachine").items()
        if n.startswith(logical_prefix)
    ]
    return machine["Properties"]


def resolved_definition(synthesized) -> str:
    """The inline definition with CloudFormation's DefinitionSubstitutions applied (tokens shown as <ref>)."""
    props = machine_properties(synthesized["json"]["Resources"])
    assert "DefinitionS3Location" not in props  # inline, so template tests and cfn-lint see it
    text = props["DefinitionString"]
    for name, value in props["DefinitionSubstitutions"].items():
        text = text.replace("${" + name + "}", value if isinstance(value, str) else "<ref>")
    return text


def test_state_machine_definition_is_inline_with_every_placeholder_substituted(synthesized, resources):
    props = machine_properties(resources)
    placeholders = set(re.findall(r"\$\{(\w+)\}", props["DefinitionString"]))
    assert placeholders == set(props["DefinitionSubstitutions"]) and len(placeholders) == 10
    assert props["DefinitionSubstitutions"]["ControlFunctionArn"] == {
        "Fn::GetAtt": [
            next(
                n
                for n in resources
                if n.startswith("FunctionsControl") and "Role" not in n and "Logs" not in n
            ),
            "Arn",
        ]
    }
    text = resolved_definition(synthesized)
    assert "${" not in text
    definition = json.loads(text)
    assert definition["TimeoutSeconds"] == 21600
    assert definition["StartAt"] == "Prepare batch"
    video = definition["States"]["Process videos"]["ItemProcessor"]["States"]
    payload = video["Handle video failure"]["Parameters"]["Payload"]
    assert payload["retry_delays_seconds.$"] == "States.StringToJson('[60, 300, 900]')"
    props = machine_properties(resources)
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"


def test_long_videos_route_to_a_fargate_task(synthesized, resources):
    video = json.loads(resolved_definition(synthesized))["States"]["Process videos"]["ItemProcessor"][
        "States"
    ]
    choice = video["Lambda or Fargate?"]["Choices"][0]
    assert choice == {"Variable": "$.probe.route", "StringEquals": "fargate", "Next": "Process on Fargate"}
    fargate = video["Process on Fargate"]
    assert fargate["Resource"] == "arn:aws:states:::ecs:runTask.waitForTaskToken"
    assert fargate["Parameters"]["LaunchType"] == "FARGATE"
    (task,) = of_type(resources, "AWS::ECS::TaskDefinition").values()
    container = task["Properties"]["ContainerDefinitions"][0]
    assert container["Name"] == "worker" and task["Properties"]["RequiresCompatibilities"] == ["FARGATE"]
    assert task["Properties"]["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    assert of_type(resources, "AWS::ECS::Cluster")
    assert not of_type(resources, "AWS::EC2::NatGateway")  # nothing costs money at rest


# Actions AWS offers no resource-level permission for; everything else must name its resources.
UNSCOPABLE = {
    "dynamodb:ListStreams",  # account-level: what a stream event source mapping needs
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "ecr:GetAuthorizationToken",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}
# Actions with no resource type that a condition key scopes instead: the statement must carry it.
SCOPED_BY_CONDITION = {"ecs:ListTasks": "ecs:cluster"}


def statements(resources):
    for name, policy in of_type(resources, "AWS::IAM::Policy").items():
        if name.startswith("CustomCDKBucketDeployment"):  # CDK's deploy-time copier (infra/web.py)
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            yield name, statement


def test_iam_statements_name_their_actions_and_resources(resources):
    for name, statement in statements(resources):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        targets = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for action in actions:
            assert "*" not in action or action.startswith("ecr:BatchGet") or action in UNSCOPABLE, (
                name,
                action,
            )
        if "*" in targets:
            conditioned = {
                action
                for action in actions
                if any(
                    SCOPED_BY_CONDITION.get(action) in keys
                    for keys in statement.get("Condition", {}).values()
                )
            }
            assert set(actions) - conditioned <= UNSCOPABLE, (name, actions)


def test_each_function_reads_and_writes_only_its_own_prefixes(resources):
    def grants_of(role_prefix):
        found = set()
        for name, statement in statements(resources):
            if not name.startswith(role_prefix):
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for target in (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            ):
                text = json.dumps(target)
                match = re.search(r'Storage(Ingest|Media)Bucket[^"]*"[^/]*/(\w+)/\*', text)
                if match:
                    found |= {(match.group(1), match.group(2), a) for a in actions}
        return found

    assert grants_of("FunctionsControlRole") == {("Media", "reports", "s3:PutObject")}
    assert grants_of("FunctionsIngestRole") == {
        ("Ingest", "uploads", "s3:GetObject"),
        ("Ingest", "dropbox", "s3:GetObject"),
    }
    assert grants_of("FunctionsDropSweepRole") == {("Ingest", "dropbox", "s3:GetObject")}
    assert ("Ingest", "dropbox", "s3:GetObject") in grants_of("FunctionsMediaRole")
    assert ("Ingest", "uploads", "s3:PutObject") in grants_of("FunctionsApiRole")
    # The API writes to the media bucket only the playlists it signs at download time (docs/exports.md).
    assert {
        (bucket, prefix)
        for bucket, prefix, action in grants_of("FunctionsApiRole")
        if action == "s3:PutObject"
    } == {("Ingest", "uploads"), ("Media", "exports")}
    assert grants_of("FunctionsWsConnectRole") == set()


def test_functions_share_one_runtime_and_architecture_with_ffmpeg_where_needed(resources):
    functions = {
        n: f["Properties"]
        for n, f in of_type(resources, "AWS::Lambda::Function").items()
        if n.startswith("Functions")
    }
    assert len(functions) == len(deployment.FUNCTIONS)
    assert {tuple(f["Architectures"]) for f in functions.values()} == {("arm64",)}
    # The Transcriber is a container image (test_transcriber.py); every other function is a zip.
    functions = {n: f for n, f in functions.items() if f.get("PackageType") != "Image"}
    assert len(functions) == len(deployment.FUNCTIONS) - 1
    assert {f["Runtime"] for f in functions.values()} == {"python3.14"}
    assert {tuple(f["Architectures"]) for f in functions.values()} == {("arm64",)}
    ffmpeg = next(n for n in resources if n.startswith("FunctionsFfmpegLayer"))
    for name, function in functions.items():
        has_ffmpeg = {"Ref": ffmpeg} in function["Layers"]
        assert has_ffmpeg == (
            name.startswith(("FunctionsMedia", "FunctionsIngest", "FunctionsExport", "FunctionsDropSweep"))
        ), name
        assert function["TracingConfig"] == {"Mode": "Active"}
    media = next(f for n, f in functions.items() if n.startswith("FunctionsMedia"))
    assert media["Timeout"] == 900 and media["EphemeralStorage"] == {"Size": 10240}
    for name, function in functions.items():  # each function's /tmp is the size it declares
        spec = next(s for s in deployment.FUNCTIONS if name.startswith(f"Functions{s.id}"))
        assert function["EphemeralStorage"] == {"Size": spec.ephemeral_mb}, name
        # the routing's byte limit: 0.8 of the media function's 10,240 MiB
        assert function["Environment"]["Variables"]["REELFLOW_LAMBDA_MAX_FILE_BYTES"] == str(8 * 1024**3)


def test_alarms_dashboard_and_outputs(resources, synthesized):
    alarms = [a["Properties"] for a in of_type(resources, "AWS::CloudWatch::Alarm").values()]
    assert {a.get("MetricName") for a in alarms} >= {"ExecutionsFailed", "ExecutionsTimedOut"}
    assert any(a.get("Metrics") for a in alarms)  # the failure-rate math expression
    assert all(a["AlarmActions"] for a in alarms)
    assert of_type(resources, "AWS::CloudWatch::Dashboard")
    outputs = synthesized["json"]["Outputs"]
    assert {
        "ApiUrl",
        "WebSocketUrl",
        "IngestBucketName",
        "MediaBucketName",
        "UserPoolId",
        "UserPoolClientId",
        "StateMachineArn",
    } <= set(outputs)


def test_every_cdk_nag_acknowledgement_has_a_reason(synthesized):
    import aws_cdk as cdk

    key = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    found: dict[str, str] = {}
    for node in synthesized["app"].node.find_all():
        for entry in node.node.metadata:
            if entry.type == key:
                found.update(entry.data)
    ours = {
        rule: reason for rule, reason in found.items() if not rule.startswith("CloudFormation-Validate::")
    }
    for rule, reason in ours.items():  # CDK's own acknowledgements aside
        assert rule.startswith("AwsSolutions::"), (
            f"{rule} is not a cdk-nag rule id, so it acknowledges nothing"
        )
        assert len(reason.strip()) > 20, (rule, reason)
    assert len(ours) > 10


def test_cfn_lint_reports_nothing_but_w3005(synthesized):
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "json", str(synthesized["template_file"])],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert {f["Rule"]["Id"] for f in findings} <= {"W3005"}, [
        f for f in findings if f["Rule"]["Id"] != "W3005"
    ]


def test_cognito_tier_is_readable_but_not_writable_by_users(resources):
    clients = of_type(resources, "AWS::Cognito::UserPoolClient").values()
    assert len(clients) == 2  # the web app's and the CLI's (drop folder)
    for client in clients:
        props = client["Properties"]
        assert "custom:tier" in props["ReadAttributes"]
        assert props["WriteAttributes"] == ["email"]
    (pool,) = of_type(resources, "AWS::Cognito::UserPool").values()
    assert {
        "Name": "tier",
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MinLength": "3", "MaxLength": "16"},
    } in pool["Properties"]["Schema"]


def test_template_matches_key_properties(template):
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "functions.handlers.api.handler"})
    template.has_resource_properties("AWS::EC2::FlowLog", {"TrafficType": "REJECT"})
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})


def test_the_drop_folder_sweep_runs_every_minute_and_lists_only_dropbox(resources):
    rules = of_type(resources, "AWS::Events::Rule")
    sweep = next(r["Properties"] for n, r in rules.items() if n.startswith("DropFolderDropFolderSweepRule"))
    assert sweep["ScheduleExpression"] == "rate(1 minute)"
    listing = [
        statement
        for name, statement in statements(resources)
        if name.startswith(("FunctionsDropSweepRole", "FunctionsIngestRole"))
        and "s3:ListBucketMultipartUploads" in statement["Action"]
    ]
    assert len(listing) == 2
    assert all(s["Condition"] == {"StringLike": {"s3:prefix": ["dropbox/*"]}} for s in listing)
