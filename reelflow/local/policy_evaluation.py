"""IAM's evaluation of identity-based policies: local mode's one evaluator. Every request the embedded
AWS checks, whoever signed it (a function's role, the Fargate worker, a creator's drop-folder role from
the identity pool), is decided here, against one request context.

- `Action`/`NotAction` (case-insensitive) and `Resource`/`NotResource` (case-sensitive), with IAM's `*`
  and `?` wildcards;
- policy variables (`${aws:PrincipalTag/user_id}`, `${s3:prefix}`, `${key, 'default'}`, and `${*}`,
  `${?}`, `${$}` for the characters themselves) in `Resource` and in condition values, resolved from
  the request context: the request's condition keys and the caller's principal tags. A variable the
  context lacks, with no default, makes its statement match nothing, as on AWS. Policies of version
  2008-10-17 take `${…}` literally (IAM added variables in 2012-10-17);
- the condition block: every operator and key must hold, any of a key's values may match; a key the
  request lacks fails the condition, except for the negated operators (and the `…IfExists` forms);
- an explicit Deny wins, then any Allow; otherwise the implicit deny.
"""

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from moto.iam.access_control import PermissionResult

VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = frozenset({"*", "?", "$"})


@dataclass(frozen=True)
class Access:
    """One IAM action on one resource, with the request context (condition keys, principal tags)."""

    action: str
    resource: str
    context: Mapping[str, str]


def principal_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """A session's tags as the request context names them (`aws:PrincipalTag/{key}`)."""
    return {f"aws:PrincipalTag/{key}": value for key, value in tags.items()}


@dataclass(frozen=True)
class Text:
    """A policy string with its variables resolved: `literal` for exact comparisons, `pattern` for
    wildcard ones (the policy's own `*` and `?` are wildcards, a variable's value never is)."""

    literal: str
    pattern: str

    def matches(self, value: str, ignore_case: bool = False) -> bool:
        return re.fullmatch(self.pattern, value, re.IGNORECASE if ignore_case else 0) is not None


def _wildcards(text: str) -> str:
    return re.escape(text).replace(r"\*", ".*").replace(r"\?", ".")


def resolve(text: str, context: Mapping[str, str], variables: bool = True) -> Text | None:
    """`text` with its policy variables taken from `context`; None when one is missing."""
    if not variables:
        return Text(text, _wildcards(text))
    literal, pattern, at = [], [], 0
    for match in _VARIABLE.finditer(text):
        literal.append(text[at : match.start()])
        pattern.append(_wildcards(text[at : match.start()]))
        name, _, default = (part.strip() for part in match.group(1).partition(","))
        value = name if name in _SPECIAL else context.get(name)
        if value is None:
            if not (len(default) >= 2 and default[0] == default[-1] == "'"):
                return None
            value = default[1:-1]
        literal.append(value)
        pattern.append(re.escape(value))
        at = match.end()
    literal.append(text[at:])
    pattern.append(_wildcards(text[at:]))
    return Text("".join(literal), "".join(pattern))


# Each operator's positive test; the negated operators hold when none of the values passes it.
_TESTS: dict[str, Callable[[Text, str], bool]] = {
    "StringEquals": lambda expected, actual: expected.literal == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.literal.lower() == actual.lower(),
    "StringLike": lambda expected, actual: expected.matches(actual),
    "ArnEquals": lambda expected, actual: expected.matches(actual),
    "ArnLike": lambda expected, actual: expected.matches(actual),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


class UnsupportedCondition(ValueError):
    pass


def conditions_hold(
    conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, str], variables: bool = True
) -> bool:
    """IAM's condition block against the request context."""
    for operator, pairs in conditions.items():
        base = operator.removesuffix("IfExists")
        negated = base in _NEGATED
        test = _TESTS.get(_NEGATED.get(base, base))
        if test is None:
            raise UnsupportedCondition(f"local mode cannot evaluate the condition operator {operator}")
        for key, expected in pairs.items():
            actual = context.get(key)
            if actual is None:
                if negated or operator.endswith("IfExists"):
                    continue
                return False
            values = [resolve(str(v), context, variables) for v in _listed(expected)]
            passed = any(value is not None and test(value, actual) for value in values)
            if passed == negated:
                return False
    return True


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _element_matches(
    patterns: Any, value: str, context: Mapping[str, str], variables: bool, ignore_case: bool
) -> bool:
    for pattern in _listed(patterns):
        text = resolve(str(pattern), context, variables)
        if text is not None and text.matches(value, ignore_case):
            return True
    return False


def _applies(statement: Mapping[str, Any], access: Access, variables: bool) -> bool:
    context = access.context
    if "NotAction" in statement:
        if _element_matches(statement["NotAction"], access.action, context, False, True):
            return False
    elif not _element_matches(statement.get("Action", []), access.action, context, False, True):
        return False
    if "NotResource" in statement:
        if _element_matches(statement["NotResource"], access.resource, context, variables, False):
            return False
    elif not _element_matches(statement.get("Resource", []), access.resource, context, variables, False):
        return False
    return conditions_hold(statement.get("Condition", {}), context, variables)


def _statements(policy: Any) -> Iterable[tuple[Mapping[str, Any], bool]]:
    document = json.loads(policy) if isinstance(policy, str) else policy
    variables = document.get("Version") == VARIABLES_VERSION
    statements = document["Statement"]
    for statement in statements if isinstance(statements, list) else [statements]:
        yield statement, variables


def evaluate(policies: Iterable[Any], access: Access) -> PermissionResult:
    """Explicit deny wins, then any allow; otherwise the implicit deny (NEUTRAL). `policies` are
    policy documents, as dicts or JSON."""
    permitted = False
    for policy in policies:
        for statement, variables in _statements(policy):
            if not _applies(statement, access, variables):
                continue
            if statement["Effect"] == "Deny":
                return PermissionResult.DENIED
            permitted = True
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL
