"""IAM policy evaluation, as the IAM User Guide's policy evaluation logic describes it:
an explicit Deny wins, then an Allow is needed; Action/NotAction match case-insensitively with
`*` and `?`; Resource/NotResource match the resource ARN; Principal/NotPrincipal match the caller
in resource-based policies; every Condition operator of a statement must hold (IAM JSON policy
elements reference: Condition operators, `...IfExists`, `ForAnyValue:`/`ForAllValues:`, `Null`).

A condition on a context key the request does not carry evaluates as AWS evaluates a missing
key: false for positive operators, true for negated ones and for `...IfExists`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

ALLOW, DENY, NEUTRAL = "allow", "deny", "neutral"


@dataclass
class Caller:
    """Who signs a request: an account's root, an IAM user, a role session or a service."""

    account: str
    arn: str  # the identity ARN used in messages (assumed-role session ARN for roles)
    principal_arns: list[str] = field(default_factory=list)  # ARNs a Principal element may name
    service: str | None = None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool) -> bool:
    regex = "^" + "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
    ) + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _arn_like(pattern: str, value: str) -> bool:
    """ArnLike: each of the six colon-separated parts matches on its own."""
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return _wildcard(pattern, value, False)
    return all(_wildcard(p, v, False) for p, v in zip(p_parts, v_parts))


def _match_operator(op: str, expected: list[str], actual: list[str]) -> bool:
    base = op
    negated = base.startswith(("StringNot", "ArnNot", "NumericNot"))

    def one(v: str) -> bool:
        if base in ("StringEquals", "StringNotEquals"):
            hit = v in expected
        elif base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
            hit = v.lower() in [e.lower() for e in expected]
        elif base in ("StringLike", "StringNotLike"):
            hit = any(_wildcard(e, v, False) for e in expected)
        elif base in ("ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"):
            hit = any(_arn_like(e, v) for e in expected)
        elif base == "Bool":
            hit = v.lower() in [str(e).lower() for e in expected]
        else:
            raise ValueError(f"condition operator {op} is not supported by the stand-in")
        return not hit if negated else hit

    if negated:
        return all(one(v) for v in actual)
    return any(one(v) for v in actual)


def conditions_hold(conditions: dict[str, Any], context: dict[str, list[str]]) -> bool:
    lowered = {k.lower(): v for k, v in context.items()}
    for raw_op, keys in conditions.items():
        op = raw_op
        qualifier = None
        if ":" in op:
            qualifier, op = op.split(":", 1)
        if_exists = op.endswith("IfExists")
        if if_exists:
            op = op[: -len("IfExists")]
        for key, expected_raw in keys.items():
            expected = [str(e) for e in _as_list(expected_raw)]
            actual = lowered.get(key.lower())
            if op == "Null":
                want_null = expected[0].lower() == "true"
                if (actual is None) != want_null:
                    return False
                continue
            if actual is None:
                negated = op.startswith(("StringNot", "ArnNot", "NumericNot"))
                if if_exists or negated or qualifier == "ForAllValues":
                    continue
                return False
            if qualifier == "ForAllValues":
                ok = all(_match_operator(op, expected, [a]) for a in actual)
            else:
                ok = _match_operator(op, expected, actual)
            if not ok:
                return False
    return True


def _principal_matches(element: Any, caller: Caller) -> bool:
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    for kind, values in element.items():
        for value in _as_list(values):
            if kind == "AWS":
                if value == "*":
                    return True
                if value == caller.account or value == f"arn:aws:iam::{caller.account}:root":
                    return caller.service is None
                if value in caller.principal_arns:
                    return True
            elif kind == "Service" and caller.service == value:
                return True
    return False


@dataclass
class Decision:
    effect: str
    explicit_principal: bool = False  # an Allow named the caller's own ARN, not its account


def evaluate(
    policies: Iterable[Any],
    action: str,
    resource: str,
    context: dict[str, list[str]],
    caller: Caller | None = None,
) -> Decision:
    """One set of policies (identity or resource-based) for one action on one resource."""
    allowed = False
    explicit = False
    for policy in policies:
        doc = json.loads(policy) if isinstance(policy, str) else policy
        for st in _as_list(doc.get("Statement")):
            if "Action" in st:
                if not any(_wildcard(a, action, True) for a in _as_list(st["Action"])):
                    continue
            elif "NotAction" in st:
                if any(_wildcard(a, action, True) for a in _as_list(st["NotAction"])):
                    continue
            else:
                continue
            if "Resource" in st:
                if not any(_wildcard(r, resource, False) for r in _as_list(st["Resource"])):
                    continue
            elif "NotResource" in st:
                if any(_wildcard(r, resource, False) for r in _as_list(st["NotResource"])):
                    continue
            if caller is not None and ("Principal" in st or "NotPrincipal" in st):
                if "Principal" in st and not _principal_matches(st["Principal"], caller):
                    continue
                if "NotPrincipal" in st and _principal_matches(st["NotPrincipal"], caller):
                    continue
            if not conditions_hold(st.get("Condition") or {}, context):
                continue
            if st.get("Effect") == "Deny":
                return Decision(DENY)
            if st.get("Effect") == "Allow":
                allowed = True
                if caller is not None and isinstance(st.get("Principal"), dict):
                    named = _as_list(st["Principal"].get("AWS"))
                    explicit = explicit or any(n in caller.principal_arns for n in named)
    return Decision(ALLOW if allowed else NEUTRAL, explicit)
