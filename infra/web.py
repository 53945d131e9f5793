"""The web app on AWS: a private S3 bucket behind CloudFront (origin access control, SPA fallback, security
headers, HTTPS only), the built `frontend/dist` deployed by a BucketDeployment, Cognito's hosted UI for
sign-in, and `/config.json` written by the same deployment with the API and WebSocket URLs and the
Cognito ids (tokens resolved at deploy time), which the web app reads when it starts.

Synthesis needs neither Docker nor a built web app: without `frontend/dist` only `config.json` is
deployed (and a warning says to build first); `./dev web` or `npm run build` makes the assets.
"""

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct, IConstruct

from infra.api import Identity
from infra.config import DeployConfig
from infra.functions import acknowledge

DEFAULT_DIST = Path(__file__).resolve().parents[1] / "frontend" / "dist"
CONFIG_FILE = "config.json"
AUTH_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE]
# The app calls the API, the WebSocket, S3 (presigned uploads and downloads) and Cognito's token endpoint.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Radix positions popovers with inline styles
        "img-src 'self' data: blob: https://*.amazonaws.com",
        "media-src 'self' blob: https://*.amazonaws.com",
        "connect-src 'self' https://*.amazonaws.com wss://*.amazonaws.com https://*.amazoncognito.com",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self' https://*.amazoncognito.com",
        "object-src 'none'",
    ]
)


def runtime_config(
    *,
    api_url: str,
    websocket_url: str,
    region: str,
    user_pool_id: str,
    client_id: str,
    auth_domain: str,
) -> dict[str, Any]:
    """What the web app reads from /config.json on AWS (see frontend/src/lib/runtimeConfig.ts)."""
    return {
        "auth": "cognito",
        "apiUrl": api_url,
        "webSocketUrl": websocket_url,
        "cognito": {
            "region": region,
            "userPoolId": user_pool_id,
            "clientId": client_id,
            "domain": auth_domain,
            "scopes": [scope.scope_name for scope in AUTH_SCOPES],
        },
    }


class WebHosting(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: DeployConfig,
        *,
        identity: Identity,
        access_logs: s3.IBucket,
        api_url: str,
        websocket_url: str,
        dist: Path = DEFAULT_DIST,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        removal = cdk.RemovalPolicy.RETAIN if config.retain_data else cdk.RemovalPolicy.DESTROY
        self.bucket = s3.Bucket(
            self,
            "Assets",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web/",
            removal_policy=removal,
            auto_delete_objects=not config.retain_data,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="reelflow web app: CSP, HSTS, no framing, no sniffing",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365),
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(
                    protection=True, mode_block=True, override=True
                ),
            ),
        )
        origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{config.prefix} web app",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            additional_behaviors={
                # index.html and config.json change on every deployment: never cached at the edge.
                f"/{CONFIG_FILE}": cloudfront.BehaviorOptions(
                    origin=origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    response_headers_policy=headers,
                    compress=True,
                ),
                "/index.html": cloudfront.BehaviorOptions(
                    origin=origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    response_headers_policy=headers,
                    compress=True,
                ),
            },
            # Client-side routes (/batches/…) are not objects: S3 answers 403 through OAC; serve the app.
            error_responses=[
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=200,
                    response_page_path="/index.html",
                    ttl=cdk.Duration.seconds(0),
                )
                for status in (403, 404)
            ],
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "Creators upload from anywhere; a geo restriction is a per-deployment business decision.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "Static assets only (the API has its own throttling); WAF costs per rule and request.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The default *.cloudfront.net certificate allows TLSv1 at the viewer; a custom domain with "
            "its own certificate enforces TLS 1.2 (minimum_protocol_version is already set for it).",
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"

        # Cognito's hosted UI: authorization code + PKCE on the app client the API's authorizer trusts.
        self.auth_domain = identity.user_pool.add_domain(
            "HostedUi",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=f"{config.prefix}-{stack.account}"),
        )
        client = identity.client.node.default_child
        assert isinstance(client, cognito.CfnUserPoolClient)
        client.allowed_o_auth_flows = ["code"]
        client.allowed_o_auth_flows_user_pool_client = True
        client.allowed_o_auth_scopes = [scope.scope_name for scope in AUTH_SCOPES]
        client.callback_ur_ls = [f"{self.url}/"]
        client.logout_ur_ls = [f"{self.url}/"]
        client.supported_identity_providers = ["COGNITO"]

        self.config_values = runtime_config(
            api_url=api_url,
            websocket_url=websocket_url,
            region=stack.region,
            user_pool_id=identity.user_pool.user_pool_id,
            client_id=identity.client.user_pool_client_id,
            auth_domain=f"{self.auth_domain.domain_name}.auth.{stack.region}.amazoncognito.com",
        )
        sources = [s3deploy.Source.json_data(CONFIG_FILE, self.config_values)]
        if (dist / "index.html").is_file():
            # The build's .br/.gz siblings are for `reelflow serve`; CloudFront compresses by itself.
            sources.insert(0, s3deploy.Source.asset(str(dist), exclude=["*.br", "*.gz"]))
        else:
            cdk.Annotations.of(self).add_warning_v2(
                "reelflow:web-not-built",
                f"No built web app in {dist}: only {CONFIG_FILE} is deployed. Run ./dev web first.",
            )
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deploy",
            sources=sources,
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/index.html", f"/{CONFIG_FILE}"],
            memory_limit=512,
            prune=False,  # hashed assets of the previous build stay for tabs still open on it
        )
        for child in stack.node.children:  # the deployment's handler is one Lambda per stack, at its root
            if child.node.id.startswith("Custom::CDKBucketDeployment"):
                acknowledge_deployment_handler(child, self.bucket)


def acknowledge_deployment_handler(handler: IConstruct, bucket: s3.Bucket) -> None:
    stack = cdk.Stack.of(bucket)
    bucket_id = stack.resolve(stack.get_logical_id(bucket.node.default_child))  # type: ignore[arg-type]
    acknowledge(
        handler,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]",
        "CDK's BucketDeployment handler (runs only during deployments) writes its logs with this policy.",
    )
    wildcards = {
        "Action::s3:GetObject*": "reads the build from CDK's asset bucket",
        "Action::s3:GetBucket*": "reads the build from CDK's asset bucket",
        "Action::s3:List*": "lists the asset and web buckets to copy and prune",
        "Action::s3:DeleteObject*": "replaces objects in the web bucket",
        "Action::s3:Abort*": "aborts its own multipart copies into the web bucket",
        "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*": (
            "the build's zip is one object of CDK's bootstrap asset bucket"
        ),
        f"Resource::<{bucket_id}.Arn>/*": "writes the objects of the web bucket",
        "Resource::*": "cloudfront:CreateInvalidation takes no resource narrower than the account",
    }
    for finding, reason in wildcards.items():
        acknowledge(
            handler,
            f"AwsSolutions-IAM5[{finding}]",
            f"CDK's BucketDeployment handler (deployments only) {reason}.",
        )
    acknowledge(
        handler,
        "AwsSolutions-L1",
        "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib, not by reelflow.",
    )
