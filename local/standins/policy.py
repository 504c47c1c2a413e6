"""IAM policy evaluation, as the IAM User Guide's policy evaluation logic describes it:
an explicit Deny wins, then an Allow is needed; Action/NotAction match case-insensitively with
`*` and `?`; Resource/NotResource match the resource ARN; Principal/NotPrincipal match the caller
in resource-based policies; every Condition operator of a statement must hold (IAM JSON policy
elements reference: Condition operators, `...IfExists`, `ForAnyValue:`/`ForAllValues:`, `Null`).

A condition on a context key the request does not carry evaluates as AWS evaluates a missing
key: false for positive operators, true for negated ones and for `...IfExists`.

Numeric and Date operators compare numbers and ISO 8601 or epoch times (IAM JSON policy elements:
Condition operators, "Numeric condition operators", "Date condition operators").

Policy variables (IAM policy elements: Variables and tags): in a `2012-10-17` policy,
`${key}` in a Resource or a condition value is replaced by the request context's value of `key`,
`${key, 'default'}` by the default when the key is absent, and `${*}`, `${?}`, `${$}` by the
literal characters; "If there is no value" for a variable without a default, the element it is
in matches nothing. A `2008-10-17` policy reads them as plain text ("Version ... policy
variables ... are not supported" in it).
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
    # aws:PrincipalType: Account (root), User, AssumedRole (global condition context keys).
    kind: str = ""
    # The IAM role of a session (its principal_arns[0]); empty for users and root.
    role_arn: str = ""
    # aws:username (IAM users only) and aws:userid.
    username: str | None = None
    userid: str | None = None
    # Policies that only limit: the role's permissions boundary and the session policy, as
    # (what it is, document). "The effective permissions are the intersection" of these and the
    # identity-based policies (IAM User Guide, "Permissions boundaries for IAM entities";
    # "Session policies").
    guards: list[tuple[str, Any]] = field(default_factory=list)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# Stand-ins for a literal `*`, `?` and `$` produced by a policy variable (`${*}`, or a value
# holding one): matched as themselves, never as wildcards.
_LITERAL = {"\x00": "*", "\x01": "?", "\x02": "$"}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _escape_literal(value: str) -> str:
    return value.replace("*", "\x00").replace("?", "\x01").replace("$", "\x02")


def substitute(text: str, context: dict[str, list[str]]) -> str | None:
    """`text` with its policy variables replaced from `context`; None when one has no value."""
    lowered = {k.lower(): v for k, v in context.items()}
    missing = False

    def one(m: re.Match[str]) -> str:
        nonlocal missing
        inner = m.group(1).strip()
        if inner in ("*", "?", "$"):
            return _escape_literal(inner)
        key, _, default = inner.partition(",")
        values = lowered.get(key.strip().lower())
        if values and len(values) == 1:
            return _escape_literal(values[0])
        default = default.strip()
        if len(default) >= 2 and default[0] == default[-1] == "'":
            return _escape_literal(default[1:-1])
        missing = True
        return ""

    out = _VARIABLE.sub(one, text)
    return None if missing else out


def _literal(text: str) -> str:
    for k, v in _LITERAL.items():
        text = text.replace(k, v)
    return text


def _wildcard(pattern: str, value: str, ignore_case: bool) -> bool:
    regex = "^" + "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(_LITERAL.get(c, c)) for c in pattern
    ) + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _arn_like(pattern: str, value: str) -> bool:
    """ArnLike: each of the six colon-separated parts matches on its own."""
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return _wildcard(pattern, value, False)
    return all(_wildcard(p, v, False) for p, v in zip(p_parts, v_parts))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _time(text: str) -> float | None:
    """Seconds since the epoch, from an epoch number or an ISO 8601 date or date-time."""
    from datetime import datetime, timezone

    as_number = _number(text)
    if as_number is not None:
        return as_number
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


_COMPARE = {
    "Equals": lambda a, b: a == b,
    "NotEquals": lambda a, b: a != b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}


def _ordered(op: str, expected: list[str], v: str) -> bool:
    kind, comparison = ("Numeric", op[len("Numeric"):]) if op.startswith("Numeric") else ("Date", op[len("Date"):])
    read = _number if kind == "Numeric" else _time
    actual = read(v)
    if actual is None:
        return False
    if comparison == "NotEquals":
        # "NumericNotEquals: Negated matching": true when it equals none of the values.
        return all(read(e) is not None and actual != read(e) for e in expected)
    test = _COMPARE.get(comparison)
    if test is None:
        raise ValueError(f"condition operator {op} is not supported by the stand-in")
    return any((e_value := read(e)) is not None and test(actual, e_value) for e in expected)


def _match_operator(op: str, expected: list[str], actual: list[str]) -> bool:
    base = op
    if base.startswith(("Numeric", "Date")):
        return any(_ordered(base, expected, v) for v in actual)
    negated = base.startswith(("StringNot", "ArnNot"))

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


def conditions_hold(
    conditions: dict[str, Any], context: dict[str, list[str]], variables: bool = False
) -> bool:
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
            if variables:
                resolved = [substitute(e, context) for e in expected]
                expected = [_literal(e) for e in resolved if e is not None]
            actual = lowered.get(key.lower())
            if op == "Null":
                want_null = expected[0].lower() == "true"
                if (actual is None) != want_null:
                    return False
                continue
            if actual is None:
                negated = op.startswith(("StringNot", "ArnNot", "NumericNot", "DateNot"))
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
    # Which of the caller's ARNs an Allow named (its user or session ARN, or its role's ARN).
    named: set[str] = field(default_factory=set)
    # What kind of policy an explicit Deny came from, for the message.
    denied_by: str = ""
    # An Allow named every principal ("Principal": "*" or {"AWS": "*"}), the caller among them.
    anyone: bool = False


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
    anyone = False
    named: set[str] = set()
    for policy in policies:
        doc = json.loads(policy) if isinstance(policy, str) else policy
        variables = doc.get("Version") == "2012-10-17"

        def resources(element: Any) -> list[str]:
            out = []
            for r in _as_list(element):
                resolved = substitute(r, context) if variables else r
                if resolved is not None:
                    out.append(resolved)
            return out

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
                if not any(_wildcard(r, resource, False) for r in resources(st["Resource"])):
                    continue
            elif "NotResource" in st:
                if any(_wildcard(r, resource, False) for r in resources(st["NotResource"])):
                    continue
            if caller is not None and ("Principal" in st or "NotPrincipal" in st):
                if "Principal" in st and not _principal_matches(st["Principal"], caller):
                    continue
                if "NotPrincipal" in st and _principal_matches(st["NotPrincipal"], caller):
                    continue
            if not conditions_hold(st.get("Condition") or {}, context, variables):
                continue
            if st.get("Effect") == "Deny":
                return Decision(DENY)
            if st.get("Effect") == "Allow":
                allowed = True
                if caller is not None and isinstance(st.get("Principal"), dict):
                    hits = {n for n in _as_list(st["Principal"].get("AWS")) if n in caller.principal_arns}
                    named |= hits
                    explicit = explicit or bool(hits)
                if caller is not None and caller.service is None:
                    element = st.get("Principal")
                    anyone = anyone or element == "*" or (
                        isinstance(element, dict) and "*" in _as_list(element.get("AWS"))
                    )
    return Decision(ALLOW if allowed else NEUTRAL, explicit, named, anyone=anyone)
