"""Who may write where in the drop folder: the policy of the role creators get from the Cognito identity
pool. One home for it: the CDK app deploys it (infra/drop_identity.py), local mode's identity-pool
stand-in gives it to its creator role (reelflow/local/identity_pool.py), and docs/drop-folder.md shows it.

The caller's own id is the principal tag `user_id`, which the identity pool maps from the user pool
token's `sub` (the id the API uses); the caller cannot choose it. Without the tag nothing matches.
"""

from typing import Any

from pydantic import BaseModel, Field

from functions.domain.object_keys import Prefix

USER_ID_TAG = "user_id"
TOKEN_CLAIM = "sub"
OWN_ID = "${aws:PrincipalTag/" + USER_ID_TAG + "}"
# Multipart: CreateMultipartUpload, UploadPart and CompleteMultipartUpload are authorised as s3:PutObject.
WRITE_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")


def own_prefix(user_id: str = OWN_ID) -> str:
    """The drop folder a creator may write under: `dropbox/{user_id}/`."""
    return f"{Prefix.DROPBOX}/{user_id}/"


def creator_policy(bucket_arn: str) -> dict[str, Any]:
    """The creator role's policy on the ingest bucket, the caller's id left to the policy variable."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOwnDropFolder",
                "Effect": "Allow",
                "Action": list(WRITE_ACTIONS),
                "Resource": f"{bucket_arn}/{own_prefix()}*",
            },
            {
                "Sid": "ListOwnDropFolder",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
                "Condition": {"StringLike": {"s3:prefix": [f"{own_prefix()}*"]}},
            },
        ],
    }


class DropFolderAddress(BaseModel):
    """Where the caller's folders go to become batches, and how to put them there."""

    bucket: str = Field(description="The ingest bucket.")
    prefix: str = Field(description="dropbox/{your user id}/: the only place your credentials may write.")
    s3_uri: str = Field(examples=["s3://reelflow-ingest/dropbox/3f2c…/"])
    command: str = Field(description="The CLI command that uploads a folder DIR there (AWS mode).")

    @classmethod
    def of(cls, bucket: str, user_id: str) -> "DropFolderAddress":
        prefix = own_prefix(user_id)
        return cls(
            bucket=bucket,
            prefix=prefix,
            s3_uri=f"s3://{bucket}/{prefix}",
            command="reelflow drop DIR --aws --outputs outputs.json --start",
        )
