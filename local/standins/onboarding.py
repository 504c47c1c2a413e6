"""The organization's one-time steps (contracts/prerequisites.ts) and the read-only calls that
check them (`logwarden preflight`), where moto 5.2 lacks them or is lenient about them.

Each rule below is AWS's, as botocore's models (`service-2.json`: operations, shapes, errors)
and the API references state it:

Organizations
- EnableAllFeatures: "This operation is required only for organizations that were created
  explicitly with only the consolidated billing features enabled. Calling this operation sends a
  handshake to every invited account [...] After all invited member accounts accept the
  handshake, you finalize the feature set change by accepting the handshake that contains
  "Action": "ENABLE_ALL_FEATURES" [...] This operation can be called only from the organization's
  management account." Handshake.Action ENABLE_ALL_FEATURES: "Created accounts do not receive this
  because those accounts were created by the organization's management account and approval is
  inferred"; the stand-in's accounts are all created, so the handshake is OPEN at once ("all
  recipients have responded, allowing the originator to complete the handshake action").
  A second request: HandshakeConstraintViolationException ORGANIZATION_ALREADY_HAS_ALL_FEATURES.
- AcceptHandshake: "Enable all features final confirmation handshake: only a principal from the
  management account."
- EnableAWSServiceAccess: "only if the organization has enabled all features"; so is every
  delegation (ConstraintViolationException, reason ORGANIZATION_NOT_IN_ALL_FEATURES_MODE).
- RegisterDelegatedAdministrator only once the service's trusted access is enabled
  (ConstraintViolationException, reason SERVICE_ACCESS_NOT_ENABLED: "You attempted to register a
  delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API
  first."); moto checks nothing. For StackSets that access comes from CloudFormation's
  ActivateOrganizationsAccess, below.
- PutResourcePolicy: "You can only call this operation from the organization's management
  account." DescribeResourcePolicy: "called only from the organization's management account or by
  a member account that is a delegated administrator"; without a policy,
  ResourcePolicyNotFoundException. DeleteResourcePolicy likewise management only. A
  resource-based delegation policy lets the accounts it names call the Organizations read-only
  actions it allows (Organizations User Guide, "it's possible to delegate any Organizations
  read-only action using this policy").

CloudFormation (StackSets)
- ActivateOrganizationsAccess: "Activate trusted access with Organizations" (trusted access for
  member.org.stacksets.cloudformation.amazonaws.com). DescribeOrganizationsAccess: "can be called
  either by the management account or the delegated administrator by using the CallAs parameter.
  This API can also be called without the CallAs parameter by the management account." Status
  ENABLED | DISABLED. Errors: InvalidOperationException.

CloudTrail
- RegisterOrganizationDelegatedAdmin (errors from the model): NotOrganizationManagementAccount,
  OrganizationNotInAllFeaturesMode, CloudTrailAccessNotEnabled ("trusted access has not been
  enabled between CloudTrail and Organizations"), CannotDelegateManagementAccount,
  AccountNotFound, AccountRegistered. CloudTrail User Guide, "Organization delegated
  administrator": the first registration through CloudTrail creates the service-linked role in
  the management account; "When you add a delegated administrator using the AWS Organizations CLI
  or API operation, the service-linked role doesn't get created".

GuardDuty
- ListOrganizationAdminAccounts: "Only the organization's management account can run this API
  operation." EnableOrganizationAdminAccount "enables GuardDuty as a trusted service in AWS
  Organizations" (GuardDuty User Guide, "Permissions required to designate a delegated GuardDuty
  administrator account", which lists organizations:EnableAWSServiceAccess and
  organizations:RegisterDelegatedAdministrator for it).
"""

from __future__ import annotations

import json
import random
import string
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.guardduty.responses import GuardDutyResponse
from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends
from moto.organizations.responses import OrganizationsResponse

from . import guardduty as gd, iam, organization as org
from .errors import JsonError, protocol_error

STACKSETS = "member.org.stacksets.cloudformation.amazonaws.com"
CLOUDTRAIL = "cloudtrail.amazonaws.com"
GUARDDUTY = "guardduty.amazonaws.com"
CLOUDTRAIL_ROLE = "AWSServiceRoleForCloudTrail"


class OrgError(JsonError):
    """An Organizations error; ConstraintViolation and HandshakeConstraintViolation carry a Reason."""

    def __init__(self, code: str, message: str, reason: str | None = None):
        super().__init__(code, message)
        body: dict[str, str] = {"__type": code, "Message": message}
        if reason:
            body["Reason"] = reason
        self.description = json.dumps(body)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _backend(caller: str) -> Any:
    """The management account's Organizations backend of the caller's organization."""
    management = org.management_account_of(caller)
    if management is None:
        raise OrgError(
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
        )
    return organizations_backends[management]["aws"]


def _require_management(caller: str) -> Any:
    backend = _backend(caller)
    if org.management_account_of(caller) != caller:
        raise OrgError(
            "AccessDeniedException",
            "You don't have permissions to access this resource: only the management account can call this operation.",
        )
    return backend


def has_all_features(backend: Any) -> bool:
    return backend.org is not None and backend.org.feature_set == "ALL"


def _require_all_features(backend: Any) -> None:
    if not has_all_features(backend):
        raise OrgError(
            "ConstraintViolationException",
            "The organization must have all features enabled for this operation.",
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
        )


def _state(backend: Any) -> dict[str, Any]:
    if not hasattr(backend, "lw_onboarding"):
        backend.lw_onboarding = {"handshakes": {}, "resource_policy": None}
    return backend.lw_onboarding  # type: ignore[no-any-return]


# --- Organizations: all features ------------------------------------------------------------


def _handshake_json(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "Id": h["Id"],
        "Arn": h["Arn"],
        "Parties": h["Parties"],
        "State": h["State"],
        "RequestedTimestamp": h["RequestedTimestamp"].timestamp(),
        "ExpirationTimestamp": h["ExpirationTimestamp"].timestamp(),
        "Action": h["Action"],
        "Resources": h["Resources"],
    }


def enable_all_features(self: OrganizationsResponse) -> str:
    backend = _require_management(self.current_account)
    state = _state(backend)
    if has_all_features(backend):
        raise OrgError(
            "HandshakeConstraintViolationException",
            "The organization has already enabled all features.",
            "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
        )
    if any(h["Action"] == "ENABLE_ALL_FEATURES" and h["State"] in ("REQUESTED", "OPEN") for h in state["handshakes"].values()):
        raise OrgError(
            "HandshakeConstraintViolationException",
            "The organization is already enabling all features.",
            "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
        )
    handshake_id = "h-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=10))
    organization_id = backend.org.id
    now = _now()
    handshake = {
        "Id": handshake_id,
        "Arn": f"arn:aws:organizations::{self.current_account}:handshake/{organization_id}/enable_all_features/{handshake_id}",
        "Parties": [
            {"Id": organization_id, "Type": "ORGANIZATION"},
            {"Id": self.current_account, "Type": "ACCOUNT"},
        ],
        # Every account of the stand-in's organization was created by it: no invited account
        # has to approve, so the management account may finalize at once.
        "State": "OPEN",
        "RequestedTimestamp": now,
        "ExpirationTimestamp": now + timedelta(days=90),
        "Action": "ENABLE_ALL_FEATURES",
        "Resources": [{"Value": organization_id, "Type": "ORGANIZATION"}],
    }
    state["handshakes"][handshake_id] = handshake
    return json.dumps({"Handshake": _handshake_json(handshake)})


def handshake_arn(caller: str, handshake_id: str) -> str:
    """The ARN of a handshake of the caller's organization (for IAM), or `*` when unknown."""
    try:
        found = _state(_backend(caller))["handshakes"].get(handshake_id)
    except JsonError:
        return "*"
    return found["Arn"] if found else "*"


def accept_handshake(self: OrganizationsResponse) -> str:
    handshake_id = self._get_param("HandshakeId")
    backend = _backend(self.current_account)
    handshake = _state(backend)["handshakes"].get(handshake_id)
    if handshake is None:
        raise OrgError("HandshakeNotFoundException", f"Handshake {handshake_id} not found.")
    if handshake["Action"] == "ENABLE_ALL_FEATURES":
        if org.management_account_of(self.current_account) != self.current_account:
            raise OrgError(
                "AccessDeniedException",
                "Only the management account can finalize enabling all features.",
            )
        if handshake["State"] == "ACCEPTED":
            raise OrgError("HandshakeAlreadyInStateException", "The handshake is already ACCEPTED.")
        if handshake["State"] != "OPEN":
            raise OrgError(
                "InvalidHandshakeTransitionException",
                f"A handshake in state {handshake['State']} cannot be accepted.",
            )
        handshake["State"] = "ACCEPTED"
        backend.org.feature_set = "ALL"
    return json.dumps({"Handshake": _handshake_json(handshake)})


def _needs_all_features(original: Callable[[OrganizationsResponse], str]) -> Callable[..., str]:
    def wrapped(self: OrganizationsResponse) -> str:
        _require_all_features(_backend(self.current_account))
        return original(self)

    wrapped.__name__ = original.__name__
    return wrapped


def _needs_service_access(original: Callable[[OrganizationsResponse], str]) -> Callable[..., str]:
    def wrapped(self: OrganizationsResponse) -> str:
        principal = self._get_param("ServicePrincipal")
        if org.management_account_of(self.current_account) == self.current_account and not org.trusted_access_enabled(
            self.current_account, principal
        ):
            raise OrgError(
                "ConstraintViolationException",
                "You attempted to register a delegated administrator before you enabled service access. "
                "Call the EnableAWSServiceAccess API first.",
                "SERVICE_ACCESS_NOT_ENABLED",
            )
        return original(self)

    wrapped.__name__ = original.__name__
    return wrapped


def _needs_policy_type_available(original: Callable[[OrganizationsResponse], str]) -> Callable[..., str]:
    """EnablePolicyType: "You can enable a policy type in a root only if that policy type is
    available in the organization" (Organizations API Reference); SCPs are not with consolidated
    billing only (botocore PolicyTypeNotAvailableForOrganizationException: "you can enable SCPs
    only after you enable all features in the organization"). moto enables any type."""

    def wrapped(self: OrganizationsResponse) -> str:
        if not has_all_features(_backend(self.current_account)):
            raise OrgError(
                "PolicyTypeNotAvailableForOrganizationException",
                "You can't use the specified policy type with the feature set currently enabled for "
                "this organization. For example, you can enable SCPs only after you enable all "
                "features in the organization.",
            )
        return original(self)

    wrapped.__name__ = original.__name__
    return wrapped


# --- Organizations: the resource-based delegation policy ----------------------------------------


def put_resource_policy(self: OrganizationsResponse) -> str:
    backend = _require_management(self.current_account)
    _require_all_features(backend)
    content = self._get_param("Content")
    try:
        parsed = json.loads(content or "")
        if not isinstance(parsed, dict) or "Statement" not in parsed:
            raise ValueError("no Statement")
    except ValueError as err:
        raise OrgError("InvalidInputException", f"The policy content is not a valid policy: {err}", "INVALID_SYNTAX_POLICY")
    state = _state(backend)
    existing = state["resource_policy"]
    policy_id = existing["Id"] if existing else "rp-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=8))
    state["resource_policy"] = {
        "Id": policy_id,
        "Arn": f"arn:aws:organizations::{self.current_account}:resourcepolicy/{backend.org.id}/{policy_id}",
        "Content": content,
    }
    return json.dumps({"ResourcePolicy": _policy_json(state["resource_policy"])})


def _policy_json(p: dict[str, str]) -> dict[str, Any]:
    return {"ResourcePolicySummary": {"Id": p["Id"], "Arn": p["Arn"]}, "Content": p["Content"]}


def describe_resource_policy(self: OrganizationsResponse) -> str:
    caller = self.current_account
    backend = _backend(caller)
    if org.management_account_of(caller) != caller and not any(a.account.id == caller for a in backend.admins):
        raise OrgError("AccessDeniedException", "You don't have permissions to access this resource.")
    policy = _state(backend)["resource_policy"]
    if policy is None:
        raise OrgError("ResourcePolicyNotFoundException", "The organization has no resource policy.")
    return json.dumps({"ResourcePolicy": _policy_json(policy)})


def delete_resource_policy(self: OrganizationsResponse) -> str:
    backend = _require_management(self.current_account)
    state = _state(backend)
    if state["resource_policy"] is None:
        raise OrgError("ResourcePolicyNotFoundException", "The organization has no resource policy.")
    state["resource_policy"] = None
    return "{}"


def resource_policy_allows(caller: str, action: str) -> bool:
    """Whether the organization's resource policy allows `action` to the caller's account."""
    from . import policy as evaluator

    try:
        backend = _backend(caller)
    except JsonError:
        return False
    found = _state(backend)["resource_policy"]
    if found is None:
        return False
    who = evaluator.Caller(account=caller, arn=f"arn:aws:iam::{caller}:root", principal_arns=[f"arn:aws:iam::{caller}:root"])
    return evaluator.evaluate([found["Content"]], action, "*", {}, who).effect == evaluator.ALLOW


# --- CloudFormation StackSets ---------------------------------------------------------------


def _cfn_error(message: str) -> Exception:
    return protocol_error("query", "InvalidOperationException", message, 400)


def activate_organizations_access(self: CloudFormationResponse) -> ActionResult:
    caller = self.current_account
    try:
        backend = _require_management(caller)
        _require_all_features(backend)
    except JsonError as err:
        raise _cfn_error(f"Trusted access cannot be activated from {caller}: {err.message}")
    backend.enable_aws_service_access(ServicePrincipal=STACKSETS)
    return EmptyResult()


def describe_organizations_access(self: CloudFormationResponse) -> ActionResult:
    caller = self.current_account
    call_as = self._get_param("CallAs") or "SELF"
    management = org.management_account_of(caller)
    if management is None:
        raise _cfn_error(f"Account {caller} is not in an organization.")
    if call_as == "DELEGATED_ADMIN":
        if not org.is_delegated_admin(caller, STACKSETS):
            raise _cfn_error(f"Account {caller} is not a delegated administrator for StackSets.")
    elif caller != management:
        raise _cfn_error(
            f"Account {caller} is not the management account: a delegated administrator calls with CallAs DELEGATED_ADMIN."
        )
    enabled = org.trusted_access_enabled(caller, STACKSETS)
    return ActionResult({"Status": "ENABLED" if enabled else "DISABLED"})


# --- CloudTrail -----------------------------------------------------------------------------


def register_organization_delegated_admin(self: CloudTrailResponse) -> str:
    caller = self.current_account
    member = self._get_param("MemberAccountId")
    management = org.management_account_of(caller)
    if management is None:
        raise JsonError("OrganizationsNotInUseException", "This account is not a member of an organization.")
    if caller != management:
        raise JsonError("NotOrganizationManagementAccountException", "The request must come from the organization's management account.")
    backend = organizations_backends[management]["aws"]
    if not has_all_features(backend):
        raise JsonError("OrganizationNotInAllFeaturesModeException", "All features must be enabled in Organizations.")
    if not org.trusted_access_enabled(caller, CLOUDTRAIL):
        raise JsonError(
            "CloudTrailAccessNotEnabledException",
            f"Trusted access has not been enabled between CloudTrail and Organizations "
            f"(aws organizations enable-aws-service-access --service-principal {CLOUDTRAIL}).",
        )
    if member == management:
        raise JsonError("CannotDelegateManagementAccountException", "The management account cannot be the delegated administrator.")
    if not member or not org.is_member(member, management):
        raise JsonError("AccountNotFoundException", f"Account {member} is not a member of the organization.")
    if org.is_delegated_admin(member, CLOUDTRAIL):
        raise JsonError("AccountRegisteredException", f"Account {member} is already the CloudTrail delegated administrator.")
    backend.register_delegated_administrator(AccountId=member, ServicePrincipal=CLOUDTRAIL)
    roles = iam_backends[management]["aws"]
    if not any(r.name == CLOUDTRAIL_ROLE for r in roles.roles.values()):
        # The service-linked role CloudTrail creates ("Using service-linked roles for AWS
        # CloudTrail": AWSServiceRoleForCloudTrail, trusted by cloudtrail.amazonaws.com).
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": CLOUDTRAIL}, "Action": "sts:AssumeRole"}],
        }
        roles.create_role(
            CLOUDTRAIL_ROLE,
            json.dumps(trust),
            f"/aws-service-role/{CLOUDTRAIL}/",
            permissions_boundary=None,
            description="",
            tags=[],
            max_session_duration="3600",
            linked_service=CLOUDTRAIL,
        )
    return "{}"


# --- GuardDuty ------------------------------------------------------------------------------


def list_organization_admin_accounts(self: GuardDutyResponse) -> str:
    caller = self.current_account
    if org.management_account_of(caller) != caller:
        from .errors import GuardDutyBadRequest

        raise GuardDutyBadRequest(
            "The request failed because only the organization's management account can list the GuardDuty delegated administrators."
        )
    admin = gd.delegated_admin(caller, self.region)
    accounts = [{"adminAccountId": admin, "adminStatus": "ENABLED"}] if admin else []
    return json.dumps({"adminAccounts": accounts})


_enable_guardduty_admin = gd.enable_organization_admin_account


def enable_organization_admin_account(self: GuardDutyResponse) -> str:
    from .errors import GuardDutyBadRequest

    caller = self.current_account
    management = org.management_account_of(caller)
    if management is not None and not has_all_features(organizations_backends[management]["aws"]):
        raise GuardDutyBadRequest("The request failed because the organization does not have all features enabled.")
    answer = _enable_guardduty_admin(self)
    # GuardDuty becomes a trusted service and the administrator is registered with Organizations.
    backend = organizations_backends[caller]["aws"]
    backend.enable_aws_service_access(ServicePrincipal=GUARDDUTY)
    admin = self._get_param("adminAccountId")
    if not org.is_delegated_admin(admin, GUARDDUTY):
        backend.register_delegated_administrator(AccountId=admin, ServicePrincipal=GUARDDUTY)
    return answer


# --- IAM: what these requests are authorized as ----------------------------------------------


def _role(p: dict[str, Any], c: Any) -> str:
    return f"arn:aws:iam::{c.account}:role/{p.get('RoleName')}"


def _parameter(p: dict[str, Any], c: Any) -> str:
    return c.arn("ssm", f"parameter/{str(p.get('Name') or '').lstrip('/')}")


MAPPINGS: dict[str, Any] = {
    "organizations:EnableAllFeatures": iam._star("organizations:EnableAllFeatures"),
    "organizations:AcceptHandshake": lambda p, c: [
        ("organizations:AcceptHandshake", handshake_arn(c.account, str(p.get("HandshakeId"))))
    ],
    "organizations:PutResourcePolicy": iam._star("organizations:PutResourcePolicy"),
    "organizations:DescribeResourcePolicy": iam._star("organizations:DescribeResourcePolicy"),
    "organizations:DeleteResourcePolicy": iam._star("organizations:DeleteResourcePolicy"),
    "cloudformation:ActivateOrganizationsAccess": iam._star("cloudformation:ActivateOrganizationsAccess"),
    "cloudformation:DescribeOrganizationsAccess": iam._star("cloudformation:DescribeOrganizationsAccess"),
    "cloudtrail:RegisterOrganizationDelegatedAdmin": iam._star("cloudtrail:RegisterOrganizationDelegatedAdmin"),
    "iam:GetRole": iam._one("iam:GetRole", _role),
    "iam:CreateRole": iam._one("iam:CreateRole", _role),
    "iam:AttachRolePolicy": iam._one("iam:AttachRolePolicy", _role),
    # The trail's CloudWatch Logs role, created with its inline policy by the management account.
    "iam:PutRolePolicy": iam._one("iam:PutRolePolicy", _role),
    "ssm:GetParameter": iam._one("ssm:GetParameter", _parameter),
    "ssm:PutParameter": iam._one("ssm:PutParameter", _parameter),
}


def install() -> None:
    for name, fn in {
        "enable_all_features": enable_all_features,
        "accept_handshake": accept_handshake,
        "put_resource_policy": put_resource_policy,
        "describe_resource_policy": describe_resource_policy,
        "delete_resource_policy": delete_resource_policy,
    }.items():
        setattr(OrganizationsResponse, name, fn)
    OrganizationsResponse.register_delegated_administrator = _needs_service_access(  # type: ignore[method-assign]
        OrganizationsResponse.register_delegated_administrator
    )
    OrganizationsResponse.enable_policy_type = _needs_policy_type_available(  # type: ignore[method-assign]
        OrganizationsResponse.enable_policy_type
    )
    # All features is checked first: it is what any delegation needs.
    for name in ("enable_aws_service_access", "register_delegated_administrator"):
        setattr(OrganizationsResponse, name, _needs_all_features(getattr(OrganizationsResponse, name)))
    CloudFormationResponse.activate_organizations_access = activate_organizations_access  # type: ignore[attr-defined]
    CloudFormationResponse.describe_organizations_access = describe_organizations_access  # type: ignore[attr-defined]
    CloudTrailResponse.register_organization_delegated_admin = register_organization_delegated_admin  # type: ignore[attr-defined]
    GuardDutyResponse.list_organization_admin_accounts = list_organization_admin_accounts  # type: ignore[method-assign]
    GuardDutyResponse.enable_organization_admin_account = enable_organization_admin_account  # type: ignore[method-assign]
    iam.MAPPINGS.update(MAPPINGS)
    iam.check_mappings()
