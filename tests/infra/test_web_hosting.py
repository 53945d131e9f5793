"""The web app's hosting: private bucket behind CloudFront with OAC, SPA fallback, security headers, HTTPS,
the build and /config.json deployed by a BucketDeployment, and Cognito's hosted UI on the API's client."""

import json
from pathlib import Path

import pytest

from tests.infra.test_stack import of_type

pytestmark = pytest.mark.infra


def only(resources, kind):
    found = of_type(resources, kind)
    assert len(found) == 1, (kind, list(found))
    return next(iter(found.items()))


def test_the_distribution_serves_the_private_bucket_through_oac_over_https(resources):
    bucket_id, bucket = next(
        (name, r) for name, r in of_type(resources, "AWS::S3::Bucket").items() if name.startswith("WebAssets")
    )
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "LoggingConfiguration" in bucket["Properties"]
    oac_id, oac = only(resources, "AWS::CloudFront::OriginAccessControl")
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    distribution_id, distribution = only(resources, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""  # OAC, not the legacy OAI
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b["ViewerProtocolPolicy"] for b in behaviors} <= {"redirect-to-https", "https-only"}
    assert config["DefaultRootObject"] == "index.html"
    fallback = {
        e["ErrorCode"]: (e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]
    }
    assert fallback == {403: (200, "/index.html"), 404: (200, "/index.html")}
    assert config["Logging"]["Prefix"] == "cloudfront/"
    # Only CloudFront, for this distribution, may read the bucket.
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(resources, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    (reads,) = [s for s in policies[0] if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert reads["Action"] == "s3:GetObject"
    assert distribution_id in json.dumps(reads["Condition"]["StringEquals"]["AWS:SourceArn"])


def test_config_json_and_index_are_never_cached_and_every_response_carries_security_headers(resources):
    _, distribution = only(resources, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    uncached = {b["PathPattern"]: b["CachePolicyId"] for b in config["CacheBehaviors"]}
    caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS managed CachingDisabled
    assert uncached == {"/config.json": caching_disabled, "/index.html": caching_disabled}
    policy_id, policy = only(resources, "AWS::CloudFront::ResponseHeadersPolicy")
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": policy_id} for b in behaviors)
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "wss://" in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True


def test_every_behavior_sends_compressed_responses(resources):
    _, distribution = only(resources, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert [b.get("Compress") for b in behaviors] == [True] * len(behaviors)


def test_the_deployment_writes_config_json_with_the_deploy_time_urls_and_cognito_ids(resources):
    _, deployment = only(resources, "Custom::CDKBucketDeployment")
    props = deployment["Properties"]
    assert props["DestinationBucketName"]["Ref"].startswith("WebAssets")
    assert set(props["DistributionPaths"]) == {"/index.html", "/config.json"}
    markers = json.dumps(props["SourceMarkers"])
    for referenced in (
        "ApiHttpApi",
        "ApiWebSocketApi",
        "IdentityUsers",
        "IdentityUsersWebClient",
        "HostedUi",
    ):
        assert referenced in markers, referenced


def test_the_hosted_ui_signs_in_on_the_client_the_api_trusts_and_returns_to_the_distribution(resources):
    _, domain = only(resources, "AWS::Cognito::UserPoolDomain")
    assert "reelflow-dev-" in json.dumps(domain["Properties"]["Domain"])
    (client,) = [
        c
        for c in of_type(resources, "AWS::Cognito::UserPoolClient").values()
        if "AllowedOAuthFlows" in c["Properties"]
    ]  # the web app's (the CLI's client signs in with a password, docs/drop-folder.md)
    props = client["Properties"]
    assert props["AllowedOAuthFlows"] == ["code"] and "openid" in props["AllowedOAuthScopes"]
    assert "GenerateSecret" not in props  # a public client: the browser holds no secret (PKCE instead)
    assert "WebDistribution" in json.dumps(props["CallbackURLs"])
    assert "custom:tier" not in props["WriteAttributes"]


def test_the_build_is_deployed_when_it_exists_and_config_alone_when_it_does_not(tmp_path: Path):
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from aws_cdk.assertions import Annotations, Match, Template

    from infra.api import Identity
    from infra.config import DeployConfig
    from infra.web import WebHosting

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>reelflow</title>")
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    counts = {}
    for name, folder in (("Built", dist), ("NotBuilt", tmp_path / "missing")):
        app = cdk.App(outdir=str(tmp_path / f"out-{name}"))
        stack = cdk.Stack(app, name)
        identity = Identity(stack, "Identity", DeployConfig())
        logs = s3.Bucket(stack, "Logs", object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED)
        WebHosting(
            stack,
            "Web",
            DeployConfig(),
            identity=identity,
            access_logs=logs,
            api_url="https://api.example",
            websocket_url="wss://ws.example/live",
            dist=folder,
        )
        deployments = Template.from_stack(stack).find_resources("Custom::CDKBucketDeployment")
        (deployment,) = deployments.values()
        counts[name] = len(deployment["Properties"]["SourceObjectKeys"])
        warnings = Annotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp("No built web app")
        )
        assert bool(warnings) is (name == "NotBuilt")
    assert counts == {"Built": 2, "NotBuilt": 1}
