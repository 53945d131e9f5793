"""Local mode's one IAM evaluator: policy variables resolved from the request context (principal tags
among it), conditions, and IAM's order of decisions, for the functions' roles and the drop folder's
creator role alike."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moto.iam.access_control import PermissionResult

from functions.domain.drop_access import creator_policy
from reelflow.local.policy_evaluation import Access, UnsupportedCondition, evaluate, principal_tags

BUCKET = "arn:aws:s3:::ingest"
PERMITTED, DENIED, NEUTRAL = PermissionResult.PERMITTED, PermissionResult.DENIED, PermissionResult.NEUTRAL


def creator(user_id: str | None) -> dict[str, str]:
    return principal_tags({"user_id": user_id}) if user_id is not None else {}


def allow(action: str, resource: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
        **({"Condition": condition} if condition else {}),
    }


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def test_the_creator_role_writes_under_the_callers_own_prefix_only() -> None:
    role = [creator_policy(BUCKET)]
    own = Access("s3:PutObject", f"{BUCKET}/dropbox/ana/trip/a.mp4", creator("ana"))
    assert evaluate(role, own) == PERMITTED
    assert evaluate(role, Access("s3:PutObject", f"{BUCKET}/dropbox/ben/a.mp4", creator("ana"))) == NEUTRAL
    assert evaluate(role, Access("s3:GetObject", own.resource, creator("ana"))) == NEUTRAL
    # Without the tag the statements match nothing (not even a literal `${aws:PrincipalTag/user_id}`).
    literal = f"{BUCKET}/dropbox/${{aws:PrincipalTag/user_id}}/a.mp4"
    assert evaluate(role, Access("s3:PutObject", literal, {})) == NEUTRAL
    assert evaluate(role, Access("s3:PutObject", own.resource, {})) == NEUTRAL


def test_the_creator_roles_listing_condition_is_resolved_from_the_same_tag() -> None:
    role = [creator_policy(BUCKET)]

    def listing(prefix: str | None, user_id: str | None = "ana") -> PermissionResult:
        context = {**creator(user_id), **({"s3:prefix": prefix} if prefix is not None else {})}
        return evaluate(role, Access("s3:ListBucket", BUCKET, context))

    assert listing("dropbox/ana/") == PERMITTED
    assert listing("dropbox/ana/trip/") == PERMITTED
    assert listing("dropbox/ben/") == NEUTRAL
    assert listing("dropbox/") == NEUTRAL
    assert listing(None) == NEUTRAL  # no prefix: the condition cannot hold
    assert listing("dropbox/ana/", user_id=None) == NEUTRAL


@given(st.text(alphabet="ab*?.$[]", min_size=1, max_size=6))
def test_a_variables_value_is_matched_literally_never_as_a_wildcard(user_id: str) -> None:
    role = [creator_policy(BUCKET)]
    assert (
        evaluate(role, Access("s3:PutObject", f"{BUCKET}/dropbox/{user_id}/x", creator(user_id))) == PERMITTED
    )
    if "*" in user_id or "?" in user_id:
        other = user_id.replace("*", "zz").replace("?", "q")
        assert (
            evaluate(role, Access("s3:PutObject", f"{BUCKET}/dropbox/{other}/x", creator(user_id))) == NEUTRAL
        )


def test_variables_have_defaults_and_escapes_and_only_2012_policies_have_them() -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'all'}/*")
    assert evaluate([policy(statement)], Access("s3:GetObject", "arn:aws:s3:::b/all/x", {})) == PERMITTED
    tagged = principal_tags({"team": "red"})
    assert evaluate([policy(statement)], Access("s3:GetObject", "arn:aws:s3:::b/red/x", tagged)) == PERMITTED
    assert evaluate([policy(statement)], Access("s3:GetObject", "arn:aws:s3:::b/all/x", tagged)) == NEUTRAL
    star = allow("s3:GetObject", "arn:aws:s3:::b/${*}")
    assert evaluate([policy(star)], Access("s3:GetObject", "arn:aws:s3:::b/*", {})) == PERMITTED
    assert evaluate([policy(star)], Access("s3:GetObject", "arn:aws:s3:::b/x", {})) == NEUTRAL
    old = policy(statement, version="2008-10-17")
    assert evaluate([old], Access("s3:GetObject", "arn:aws:s3:::b/all/x", {})) == NEUTRAL


def test_a_principal_tag_is_a_condition_key_too() -> None:
    statement = allow("states:StartExecution", "*", {"StringEquals": {"aws:PrincipalTag/team": "red"}})
    access = Access(
        "states:StartExecution", "arn:aws:states:::stateMachine:x", principal_tags({"team": "red"})
    )
    assert evaluate([policy(statement)], access) == PERMITTED
    assert evaluate([policy(statement)], Access(access.action, access.resource, {})) == NEUTRAL


def test_negated_operators_hold_when_the_key_is_absent_and_refuse_every_listed_value() -> None:
    statement = allow("s3:ListBucket", BUCKET, {"StringNotLike": {"s3:prefix": ["private/*", "secret/*"]}})

    def listing(context: dict[str, str]) -> PermissionResult:
        return evaluate([policy(statement)], Access("s3:ListBucket", BUCKET, context))

    assert listing({}) == PERMITTED
    assert listing({"s3:prefix": "public/"}) == PERMITTED
    assert listing({"s3:prefix": "private/x"}) == NEUTRAL
    assert listing({"s3:prefix": "secret/x"}) == NEUTRAL


def test_an_explicit_deny_wins_and_actions_match_whatever_their_case() -> None:
    puts = allow("S3:put*", f"{BUCKET}/*")
    deny = {"Effect": "Deny", "Action": "s3:PutObject", "NotResource": f"{BUCKET}/dropbox/*"}
    assert evaluate([policy(puts)], Access("s3:PutObject", f"{BUCKET}/uploads/x", {})) == PERMITTED
    assert evaluate([policy(puts, deny)], Access("s3:PutObject", f"{BUCKET}/uploads/x", {})) == DENIED
    assert evaluate([policy(puts, deny)], Access("s3:PutObject", f"{BUCKET}/dropbox/x", {})) == PERMITTED
    assert evaluate([policy(puts)], Access("s3:PutObject", "arn:aws:s3:::ingestX/x", {})) == NEUTRAL


def test_an_operator_local_mode_cannot_evaluate_is_refused_loudly() -> None:
    statement = allow("s3:GetObject", "*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    with pytest.raises(UnsupportedCondition):
        evaluate(
            [policy(statement)], Access("s3:GetObject", "arn:aws:s3:::b/x", {"aws:SourceIp": "10.1.1.1"})
        )
