"""Drop-folder access for every creator, asserted on the synthesized template: the identity pool, its
principal-tag mapping, the creator role scoped to the caller's own prefix, and the outputs a client needs."""

import pytest

from functions.domain.drop_access import creator_policy

pytestmark = pytest.mark.infra
OWN = "${aws:PrincipalTag/user_id}"


def one(resources, kind):
    (found,) = [(name, r["Properties"]) for name, r in resources.items() if r["Type"] == kind]
    return found


def ref_name(value):
    return value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]


def test_the_identity_pool_admits_signed_in_users_of_the_user_pool_only(resources):
    _, pool = one(resources, "AWS::Cognito::IdentityPool")
    assert pool["AllowUnauthenticatedIdentities"] is False and pool["AllowClassicFlow"] is False
    providers = pool["CognitoIdentityProviders"]
    clients = {ref_name(p["ClientId"]) for p in providers}
    user_pool = next(n for n, r in resources.items() if r["Type"] == "AWS::Cognito::UserPool")
    assert {resources[c]["Properties"]["UserPoolId"]["Ref"] for c in clients} == {user_pool}
    assert len(clients) == 2 and all(p["ServerSideTokenCheck"] for p in providers)
    # The CLI's client signs in with a password (USER_PASSWORD_AUTH); the web client keeps SRP only.
    flows = {c: resources[c]["Properties"]["ExplicitAuthFlows"] for c in clients}
    assert sum("ALLOW_USER_PASSWORD_AUTH" in f for f in flows.values()) == 1


def test_the_token_sub_becomes_the_principal_tag_user_id(resources):
    pool_name, _ = one(resources, "AWS::Cognito::IdentityPool")
    _, tags = one(resources, "AWS::Cognito::IdentityPoolPrincipalTag")
    assert tags["PrincipalTags"] == {"user_id": "sub"} and tags["UseDefaults"] is False
    assert tags["IdentityPoolId"] == {"Ref": pool_name}
    _, pool = one(resources, "AWS::Cognito::IdentityPool")
    assert tags["IdentityProviderName"] == pool["CognitoIdentityProviders"][0]["ProviderName"]


def creator_role(resources):
    _, attachment = one(resources, "AWS::Cognito::IdentityPoolRoleAttachment")
    assert set(attachment["Roles"]) == {"authenticated"}  # no role for unauthenticated identities
    name = attachment["Roles"]["authenticated"]["Fn::GetAtt"][0]
    return name, resources[name]["Properties"]


def test_the_creator_role_is_assumed_by_the_pool_with_session_tags(resources):
    pool_name, _ = one(resources, "AWS::Cognito::IdentityPool")
    _, role = creator_role(resources)
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert sorted(trust["Action"]) == ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    assert trust["Condition"] == {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": pool_name}},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
    }


def test_the_creator_role_writes_only_under_its_own_drop_folder(resources):
    role_name, role = creator_role(resources)
    assert "ManagedPolicyArns" not in role
    (policy,) = role["Policies"]
    write, listing = policy["PolicyDocument"]["Statement"]
    ingest = next(
        n
        for n in resources
        if n.startswith("StorageIngestBucket") and resources[n]["Type"] == "AWS::S3::Bucket"
    )
    assert sorted(write["Action"]) == [
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
    ]
    assert write["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [ingest, "Arn"]}, f"/dropbox/{OWN}/*"]]}
    assert listing["Action"] == "s3:ListBucket" and listing["Resource"] == {"Fn::GetAtt": [ingest, "Arn"]}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"dropbox/{OWN}/*"]}}
    # Nothing else grants the creator role anything.
    attached = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_name} in r["Properties"]["Roles"]
    ]
    assert attached == []
    # The documented policy (docs/drop-folder.md) is this one.
    assert creator_policy("arn:aws:s3:::INGEST_BUCKET")["Statement"][0]["Resource"] == (
        f"arn:aws:s3:::INGEST_BUCKET/dropbox/{OWN}/*"
    )


def test_the_stack_outputs_what_a_drop_folder_client_needs(synthesized):
    outputs = synthesized["json"]["Outputs"]
    needed = {"IdentityPoolId", "UserPoolId", "CliClientId", "UserPoolClientId", "IngestBucketName", "Region"}
    assert needed <= set(outputs)
    pool_name, _ = one(synthesized["json"]["Resources"], "AWS::Cognito::IdentityPool")
    assert outputs["IdentityPoolId"]["Value"] == {"Ref": pool_name}
    assert outputs["Region"]["Value"] == {"Ref": "AWS::Region"}
    assert outputs["DropFolderPrefix"]["Value"] == "dropbox/<user_id>/"
