"""Key policies as KMS accepts them on CreateKey and PutKeyPolicy, which moto stores unread.

botocore, CreateKeyRequest.Policy and PutKeyPolicyRequest.Policy: "The key policy must allow the
calling principal to make a subsequent PutKeyPolicy request on the KMS key. This reduces the risk
that the KMS key becomes unmanageable. ... (To omit this condition, set
BypassPolicyLockoutSafetyCheck to true.)" and "Each statement in the key policy must contain one
or more principals. The principals in the key policy must exist and be visible to KMS." Both are
refused as MalformedPolicyDocumentException ("The request was rejected because the specified
policy is not syntactically or semantically correct"), with the messages KMS answers: "Policy
contains a statement with one or more invalid principals." and "The new key policy will not allow
you to update the key policy in the future."

Which principals must exist: the IAM roles and users named by ARN (their account's IAM, as the
stand-in holds it). A principal named only in a condition (`aws:PrincipalArn`) is no principal,
and an account (its id or `:root`), `*` or a service principal is not looked up.

The lockout check evaluates the new policy for the caller's kms:PutKeyPolicy on the key: an
explicit Deny refuses; an Allow naming the caller (its user, role or session) passes; an Allow
naming the caller's account passes when the caller's identity-based policies (within its
permissions boundary and session policy) allow kms:PutKeyPolicy too, since otherwise the caller
could not make that request ("Key policies in AWS KMS": "Unless the key policy explicitly allows
it, you cannot use IAM policies to allow access to a KMS key"); the account's root user needs no
IAM policy. Without IAM enforcement the caller is not known, and only the principals are checked.
"""

from __future__ import annotations

import json
from typing import Any

from . import events, iam, policy
from .errors import JsonError

INVALID_PRINCIPALS = "Policy contains a statement with one or more invalid principals."
LOCKOUT = "The new key policy will not allow you to update the key policy in the future."

def _malformed(message: str) -> JsonError:
    return JsonError("MalformedPolicyDocumentException", message, 400)


def principals_refusal(document: Any) -> str | None:
    """INVALID_PRINCIPALS when a statement has no principal or names an IAM role or user that
    does not exist; None otherwise."""
    for st in iam.statements_of(document):
        if not isinstance(st, dict) or not st.get("Principal", st.get("NotPrincipal")):
            return INVALID_PRINCIPALS
        for value in iam.aws_principals(st):
            if not isinstance(value, str) or not iam.identity_exists(value):
                return INVALID_PRINCIPALS
    return None


def _caller(account: str) -> tuple[policy.Caller, list[Any]] | None:
    """Who signs the request: the session iam.check() identified, or the account's root user
    (whose requests iam.check() lets through without naming them); None without enforcement."""
    if not iam.SETTINGS["enforce"]:
        return None
    caller = getattr(events.CURRENT, "caller", None)
    if caller is None:
        root = f"arn:aws:iam::{account}:root"
        return policy.Caller(account=account, arn=root, principal_arns=[root], kind="Account"), []
    return caller, list(getattr(events.CURRENT, "identity", None) or [])


def lockout_refusal(document: Any, key_arn: str, account: str, region: str) -> str | None:
    """LOCKOUT when the caller could not make a PutKeyPolicy request on the key under `document`."""
    found = _caller(account)
    if found is None:
        return None
    caller, identity = found
    action = "kms:PutKeyPolicy"
    ctx = iam._context(caller, key_arn, region)
    decision = policy.evaluate([document], action, key_arn, ctx, caller)
    if decision.effect != policy.ALLOW:
        return LOCKOUT
    if caller.kind == "Account":
        return None
    effect, _, guarded = iam._identity_decision(caller, identity, action, key_arn, ctx)
    if effect == policy.DENY:
        return LOCKOUT
    direct = caller.arn in decision.named or (
        bool(caller.role_arn) and caller.role_arn in decision.named and guarded
    )
    if direct or (effect == policy.ALLOW and guarded):
        return None
    return LOCKOUT


def _document(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        raise _malformed("The policy is not valid JSON.") from None


def install() -> None:
    from moto.kms.responses import KmsResponse

    original_create = KmsResponse.create_key
    original_put = KmsResponse.put_key_policy

    def create_key(self: Any) -> str:
        document = _document(self._get_param("Policy"))
        if document is not None:
            why = principals_refusal(document)
            if why:
                raise _malformed(why)
        out = original_create(self)
        if document is not None and not self._get_param("BypassPolicyLockoutSafetyCheck"):
            metadata = json.loads(out)["KeyMetadata"]
            why = lockout_refusal(document, metadata["Arn"], self.current_account, self.region)
            if why:
                # Refused: the key the original created is not kept.
                self.kms_backend.keys.pop(metadata["KeyId"], None)
                raise _malformed(why)
        return out

    def put_key_policy(self: Any) -> str:
        document = _document(self._get_param("Policy"))
        if document is not None:
            why = principals_refusal(document)
            if why is None and not self._get_param("BypassPolicyLockoutSafetyCheck"):
                key = self.kms_backend.describe_key(self._get_param("KeyId"))
                why = lockout_refusal(document, key.arn, self.current_account, self.region)
            if why:
                raise _malformed(why)
        return original_put(self)

    KmsResponse.create_key = create_key  # type: ignore[method-assign]
    KmsResponse.put_key_policy = put_key_policy  # type: ignore[method-assign]
