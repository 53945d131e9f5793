"""Identity (Cognito), the HTTP API with its JWT authorizer, and the WebSocket API."""

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw_v1
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions import deployment
from functions.domain.object_keys import Prefix
from infra.access import READ, WRITE, object_access, start_on_alias, table_access
from infra.config import DeployConfig
from infra.functions import FunctionFactory, acknowledge
from infra.storage import Storage

ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
    '"path":"$context.path","routeKey":"$context.routeKey","status":"$context.status",'
    '"latency":"$context.integrationLatency","error":"$context.error.message","user":"$context.authorizer.claims.sub"}'
)
WS_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","routeKey":"$context.routeKey",'
    '"status":"$context.status","connectionId":"$context.connectionId","error":"$context.error.message"}'
)
PUBLIC_ROUTES = ("/api/health", "/api/docs")


class Identity(Construct):
    """Users sign in with Cognito; their plan is the `custom:tier` attribute, which only admins set."""

    def __init__(self, scope: Construct, construct_id: str, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=f"{config.prefix}-users",
            self_sign_up_enabled=config.self_sign_up,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            custom_attributes={"tier": cognito.StringAttribute(min_len=3, max_len=16, mutable=True)},
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=config.data_removal_policy,
            deletion_protection=config.retains_data,
        )
        standard = cognito.ClientAttributes().with_standard_attributes(email=True)
        self.client = self.user_pool.add_client(
            "WebClient",
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True, user_password=False),
            read_attributes=standard.with_custom_attributes("tier"),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True
            ),  # tier: admins only
            id_token_validity=cdk.Duration.hours(1),
            prevent_user_existence_errors=True,
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is optional (TOTP) so creators can sign up quickly; teams that need it can require it.",
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG3",
            "Threat protection (Plus feature plan) costs per active user; enable it per deployment.",
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG8",
            "The Essentials feature plan is enough for a JWT authorizer; Plus costs per active user.",
        )

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{cdk.Stack.of(self).region}.amazonaws.com/{self.user_pool.user_pool_id}"


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: DeployConfig,
        identity: Identity,
        storage: Storage,
        factory: FunctionFactory,
        state_machine_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = factory.create(deployment.API, memory_mb=config.api_memory_mb)
        table_access(self.function, storage.table)
        # Presigned URLs act with the signer's permissions: the API signs uploads and downloads.
        object_access(self.function, storage.ingest, Prefix.UPLOADS, WRITE, "presigned upload URLs.")
        object_access(  # multipart uploads (abort, resume), and the ETag check before a batch starts
            self.function,
            storage.ingest,
            Prefix.UPLOADS,
            [*READ, "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            "multipart uploads and the check that a file did not change after probing.",
        )
        object_access(
            self.function, storage.media, Prefix.OUTPUTS, READ, "presigned download URLs of outputs."
        )
        object_access(self.function, storage.media, Prefix.RESULTS, READ, "presigned URLs of stage data.")
        start_on_alias(self.function, state_machine_arn)

        authorizer = authorizers.HttpUserPoolAuthorizer(
            "CognitoAuthorizer", identity.user_pool, user_pool_clients=[identity.client]
        )
        self.http_api = apigw.HttpApi(
            self,
            "HttpApi",
            api_name=f"{config.prefix}-api",
            description="reelflow batch API",
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=list(config.cors_origins),
                allow_methods=[apigw.CorsHttpMethod.ANY],
                allow_headers=["authorization", "content-type"],
                max_age=cdk.Duration.hours(1),
            ),
        )
        integration = integrations.HttpLambdaIntegration("ApiIntegration", self.function)
        self.http_api.add_routes(
            path="/api/{proxy+}",
            methods=[apigw.HttpMethod.ANY],
            integration=integration,
            authorizer=authorizer,
        )
        for path in PUBLIC_ROUTES:
            routes = self.http_api.add_routes(
                path=path, methods=[apigw.HttpMethod.GET], integration=integration
            )
            for route in routes:
                acknowledge(
                    route,
                    "AwsSolutions-APIG4",
                    f"{path} is public on purpose: a health check / the API docs.",
                )
        _access_logs(self, "HttpApiAccessLogs", self.http_api.default_stage, ACCESS_LOG_FORMAT)

        self.ws_authorizer_function = factory.create(deployment.WS_AUTHORIZER)
        self.ws_functions: dict[str, lambda_.Function] = {
            route: factory.create(spec)
            for route, spec in (
                ("$connect", deployment.WS_CONNECT),
                ("$disconnect", deployment.WS_DISCONNECT),
                ("subscribe", deployment.WS_SUBSCRIBE),
            )
        }
        for function in self.ws_functions.values():
            table_access(function, storage.table)
        ws_authorizer = authorizers.WebSocketLambdaAuthorizer(
            "TokenAuthorizer",
            self.ws_authorizer_function,
            identity_source=["route.request.querystring.token"],
        )
        self.websocket_api = apigw.WebSocketApi(
            self,
            "WebSocketApi",
            api_name=f"{config.prefix}-progress",
            description="reelflow live progress",
            connect_route_options=apigw.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Connect", self.ws_functions["$connect"]),
                authorizer=ws_authorizer,
            ),
            disconnect_route_options=apigw.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration(
                    "Disconnect", self.ws_functions["$disconnect"]
                )
            ),
        )
        self.websocket_api.add_route(
            "subscribe",
            integration=integrations.WebSocketLambdaIntegration("Subscribe", self.ws_functions["subscribe"]),
        )
        self.websocket_stage = apigw.WebSocketStage(
            self, "LiveStage", web_socket_api=self.websocket_api, stage_name="live", auto_deploy=True
        )
        self._websocket_access_logs(config)
        for route_id in ("$disconnect-Route", "subscribe-Route"):
            acknowledge(
                self.websocket_api.node.find_child(route_id),
                "AwsSolutions-APIG4",
                "Only $connect can carry an authorizer; later messages run on the authorized connection.",
            )

    def _websocket_access_logs(self, config: DeployConfig) -> None:
        """WebSocket stages log through the account's API Gateway CloudWatch role; without it the first
        deploy fails, so logs are on only when the role exists or this stack creates it."""
        if config.api_gateway_account_role == "none":
            acknowledge(
                self.websocket_stage,
                "AwsSolutions-APIG1",
                "WebSocket access logs need the account's API Gateway CloudWatch role; deploy with "
                "-c reelflow:api_gateway_account_role=existing (or =create) to turn them on.",
            )
            return
        _access_logs(self, "WebSocketAccessLogs", self.websocket_stage, WS_ACCESS_LOG_FORMAT)
        if config.api_gateway_account_role == "create":
            role = iam.Role(
                self,
                "ApiGatewayCloudWatchRole",
                assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
                managed_policies=[
                    iam.ManagedPolicy.from_aws_managed_policy_name(
                        "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                    )
                ],
            )
            acknowledge(
                role,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                "The AWS-managed policy API Gateway documents for its account logging role.",
            )
            account = apigw_v1.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
            account.apply_removal_policy(cdk.RemovalPolicy.RETAIN)  # an account setting outlives the stack
            self.websocket_stage.node.add_dependency(account)

    @property
    def api_url(self) -> str:
        return self.http_api.api_endpoint

    @property
    def websocket_url(self) -> str:
        return self.websocket_stage.url


def _access_logs(scope: Construct, construct_id: str, stage: apigw.IStage | None, log_format: str) -> None:
    assert stage is not None
    group = logs.LogGroup(
        scope, construct_id, retention=logs.RetentionDays.ONE_MONTH, removal_policy=cdk.RemovalPolicy.DESTROY
    )
    cfn_stage = stage.node.default_child
    assert isinstance(cfn_stage, apigw.CfnStage)
    cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
        destination_arn=group.log_group_arn, format=log_format
    )
