"""Drop-folder access for every creator: a Cognito identity pool that trusts the user pool, maps the
token's `sub` to the principal tag `user_id`, and gives signed-in users a role that may write only under
`dropbox/${aws:PrincipalTag/user_id}/` of the ingest bucket (functions/domain/drop_access.py)."""

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from functions.domain.drop_access import TOKEN_CLAIM, USER_ID_TAG, creator_policy, own_prefix
from infra.config import DeployConfig
from infra.functions import acknowledge

IDENTITY_SERVICE = "cognito-identity.amazonaws.com"


class DropIdentity(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: DeployConfig,
        user_pool: cognito.IUserPool,
        web_client: cognito.IUserPoolClient,
        ingest: s3.IBucket,
    ) -> None:
        """`web_client`: the web app's client (SRP); a second client lets `reelflow drop --aws` sign in
        with USER_PASSWORD_AUTH (the password goes to Cognito over TLS; no SRP code in the CLI)."""
        super().__init__(scope, construct_id)
        self.cli_client = cognito.UserPoolClient(
            self,
            "CliClient",
            user_pool=user_pool,
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,
            disable_o_auth=True,  # no hosted UI, no callback URLs: InitiateAuth only
            # Users may never write their plan (`custom:tier`): only e-mail, as on the web client.
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True)
            .with_custom_attributes("tier"),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True),
            id_token_validity=cdk.Duration.hours(1),
            prevent_user_existence_errors=True,
        )
        clients = [web_client, self.cli_client]
        provider = f"cognito-idp.{cdk.Stack.of(self).region}.amazonaws.com/{user_pool.user_pool_id}"
        self.identity_pool = cognito.CfnIdentityPool(
            self,
            "CreatorIdentities",
            identity_pool_name=f"{config.prefix.replace('-', '_')}_creators",
            allow_unauthenticated_identities=False,
            allow_classic_flow=False,
            cognito_identity_providers=[
                cognito.CfnIdentityPool.CognitoIdentityProviderProperty(
                    client_id=client.user_pool_client_id, provider_name=provider, server_side_token_check=True
                )
                for client in clients
            ],
        )
        # Attributes for access control: the token's `sub` becomes the session tag `user_id`.
        cognito.CfnIdentityPoolPrincipalTag(
            self,
            "UserIdTag",
            identity_pool_id=self.identity_pool.ref,
            identity_provider_name=provider,
            principal_tags={USER_ID_TAG: TOKEN_CLAIM},
            use_defaults=False,
        )
        self.creator_role = iam.Role(
            self,
            "CreatorRole",
            description="Signed-in creators: write only under dropbox/<their user_id>/ of the ingest bucket",
            assumed_by=iam.FederatedPrincipal(
                IDENTITY_SERVICE,
                conditions={
                    "StringEquals": {f"{IDENTITY_SERVICE}:aud": self.identity_pool.ref},
                    "ForAnyValue:StringLike": {f"{IDENTITY_SERVICE}:amr": "authenticated"},
                },
                assume_role_action="sts:AssumeRoleWithWebIdentity",
            ).with_session_tags(),
            max_session_duration=cdk.Duration.hours(1),
            inline_policies={"DropFolder": iam.PolicyDocument.from_json(creator_policy(ingest.bucket_arn))},
        )
        self.region = cdk.Stack.of(self).region
        cognito.CfnIdentityPoolRoleAttachment(
            self,
            "Roles",
            identity_pool_id=self.identity_pool.ref,
            roles={"authenticated": self.creator_role.role_arn},
        )
        bucket = ingest.node.default_child
        assert isinstance(bucket, cdk.CfnElement)
        logical = cdk.Stack.of(self).resolve(bucket.logical_id)
        acknowledge(
            self.creator_role,
            f"AwsSolutions-IAM5[Resource::<{logical}.Arn>/dropbox/<aws:PrincipalTag/{USER_ID_TAG}>/*]",
            "The resource is the caller's own drop folder, dropbox/${aws:PrincipalTag/user_id}/*: objects "
            "are named by the creator (folder and file names); the tag is set by the identity pool.",
        )

    def outputs(self) -> dict[str, tuple[str, str]]:
        """What a client needs to reach a drop folder (with UserPoolId and IngestBucketName)."""
        return {
            "CliClientId": (
                self.cli_client.user_pool_client_id,
                "Cognito app client of `reelflow drop --aws`",
            ),
            "IdentityPoolId": (self.identity_pool.ref, "Drop-folder credentials (Cognito identity pool)"),
            "DropFolderPrefix": (
                own_prefix("<user_id>"),
                "Where a creator may write; <user_id> is the token's sub",
            ),
            "Region": (self.region, "Region of the user pool, the identity pool and the buckets"),
        }
