"""GuardDuty organization administration on top of moto's detectors.

Reference: botocore `guardduty/2017-11-28/service-2.json` (paths, JSON member names) and the
GuardDuty API reference:
- EnableOrganizationAdminAccount: "Only the organization's management account can run this API
  operation."
- CreateMembers: "As a delegated administrator, using CreateMembers will enable GuardDuty in the
  added member accounts, with the exception of the organization delegated administrator account."
  and "GuardDuty applies your organization's auto-enable settings to the member accounts in this
  request, irrespective of the accounts being new or existing members."
- StopMonitoringMembers: "With autoEnableOrganizationMembers configuration for your organization
  set to ALL, you'll receive an error if you attempt to stop monitoring the member accounts in
  your organization." DisassociateMembers: "With autoEnableOrganizationMembers configuration for
  your organization set to ALL, you'll receive an error if you attempt to disassociate a member
  account before removing them from your organization." So each refuses only an account that is
  in the organization when the call is made: one that has left it since CreateMembers is not.
- StartMonitoringMembers: "restart monitoring of accounts that you stopped monitoring".
- DeleteMembers: "With autoEnableOrganizationMembers configuration for your organization set to
  ALL, you'll receive an error if you attempt to disable GuardDuty for a member account in your
  organization." DisassociateFromAdministratorAccount says the same of "disable GuardDuty in a
  member account", so a member's own UpdateDetector(enable=false) or DeleteDetector is refused
  under ALL as well (the stricter reading; AWS names no other way).
- Designating the delegated administrator "enables GuardDuty for the delegated GuardDuty
  administrator account ... in the current Region" (User Guide, "Permissions required to designate
  a delegated GuardDuty administrator account"): EnableOrganizationAdminAccount creates the
  administrator's detector in that Region when it has none (an existing one is kept as it is).
- CreateDetector: "You can have only one detector per account per Region." A second one is
  refused with BadRequestException, in AWS's words "The request is rejected because a detector
  already exists for the current account." (moto creates any number).
- UpdateOrganizationConfiguration: "You must provide a value for either
  autoEnableOrganizationMembers or autoEnable, but not both."
- One delegated administrator: "Each organization can have only one delegated GuardDuty
  administrator account per Region" (User Guide, consolidating administrator accounts), and
  changing it means removing the old one in each Region, then "To de-register existing delegated
  GuardDuty administrator account in AWS Organizations (One-time global action)" (User Guide,
  "Changing the delegated GuardDuty administrator account"): the registration is global, so
  another account while one is designated in any Region is refused.
- The management account as a member: "The management account must have the GuardDuty
  service-linked role (SLR) so that the delegated GuardDuty administrator account can enable and
  manage GuardDuty in that account. Once you enable GuardDuty in a Region for the management
  account, this SLR gets created automatically." (User Guide, designating a delegated
  administrator). Without it (no detector of its own in any Region, no
  AWSServiceRoleForAmazonGuardDuty role), CreateMembers leaves it unprocessed.

State lives on moto's own per-account, per-region backends, so `/moto-api/reset` clears it.
What AWS does later and asynchronously (auto-enable enrolling existing accounts within hours) is
not emulated: a member exists only once someone called CreateMembers.
"""

from datetime import datetime, timezone
from typing import Any

import moto.guardduty.urls as gd_urls
from moto.guardduty.models import GuardDutyBackend, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse

from . import organization as org
from .errors import GuardDutyBadRequest

ORG_PRINCIPAL = "guardduty.amazonaws.com"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _state(backend: GuardDutyBackend) -> dict[str, Any]:
    """logwarden's additions to one account's GuardDuty in one region."""
    if not hasattr(backend, "lw"):
        backend.lw = {  # type: ignore[attr-defined]
            # On the management account's backend: the delegated admin of this region.
            "org_admin": None,
            # On the admin's backend: the organization configuration and its members.
            "auto_enable_members": "NONE",
            "members": {},
            # On a member's backend: its administrator.
            "administrator": None,
        }
    return backend.lw  # type: ignore[attr-defined,no-any-return]


def _backend(account: str, region: str) -> GuardDutyBackend:
    return guardduty_backends[account][region]


def delegated_admin(account: str, region: str) -> str | None:
    management = org.management_account_of(account)
    if management is None:
        return None
    return _state(_backend(management, region))["org_admin"]  # type: ignore[no-any-return]


def _own_detector(self: GuardDutyResponse, detector_id: str) -> GuardDutyBackend:
    backend = self.guardduty_backend
    if detector_id not in backend.detectors:
        raise GuardDutyBadRequest(
            "The request is rejected because the input detectorId is not owned by the current account."
        )
    return backend


def _require_admin(self: GuardDutyResponse, detector_id: str) -> GuardDutyBackend:
    backend = _own_detector(self, detector_id)
    if delegated_admin(self.current_account, self.region) != self.current_account:
        raise GuardDutyBadRequest(
            "The request is rejected because the current account is not the delegated "
            "administrator of the organization for GuardDuty in this Region."
        )
    return backend


def _ensure_member_detector(account: str, region: str, enable: bool) -> str:
    member = _backend(account, region)
    for detector in member.detectors.values():
        detector.enabled = enable
        detector.updated_at = datetime.now()
        return detector.id
    return member.create_detector(enable, "SIX_HOURS", {}, {}, [])


def _member_json(admin: str, account: str, m: dict[str, Any]) -> dict[str, Any]:
    out = {
        "accountId": account,
        "masterId": admin,
        "administratorId": admin,
        "email": m["email"],
        "relationshipStatus": m["status"],
        "invitedAt": m["invitedAt"],
        "updatedAt": m["updatedAt"],
    }
    if m.get("detectorId"):
        out["detectorId"] = m["detectorId"]
    return out


def _account_ids(self: GuardDutyResponse) -> list[str]:
    ids = self._get_param("accountIds") or []
    if not ids or len(ids) > 50:
        raise GuardDutyBadRequest("accountIds must hold 1 to 50 account ids.")
    return list(ids)


# --- operations -------------------------------------------------------------------------


def enable_organization_admin_account(self: GuardDutyResponse) -> str:
    admin = self._get_param("adminAccountId")
    caller = self.current_account
    if org.management_account_of(caller) != caller:
        raise GuardDutyBadRequest(
            "The request failed because only the organization's management account can "
            "designate a GuardDuty delegated administrator."
        )
    if not admin or not org.is_member(admin, caller):
        raise GuardDutyBadRequest(
            f"The request failed because the account {admin} is not a member of the organization."
        )
    state = _state(self.guardduty_backend)
    elsewhere = {
        region: _state(backend)["org_admin"]
        for region, backend in guardduty_backends[caller].items()
        if _state(backend)["org_admin"] not in (None, admin)
    }
    if elsewhere:
        region, other = sorted(elsewhere.items())[0]
        raise GuardDutyBadRequest(
            "The request failed because another account is already enabled as the GuardDuty "
            f"delegated administrator for the organization ({other} in {region})."
        )
    state["org_admin"] = admin
    if admin not in self.guardduty_backend.admin_account_ids:
        self.guardduty_backend.enable_organization_admin_account(admin)
    # "It also enables GuardDuty for the delegated GuardDuty administrator account" (in this Region).
    admin_backend = _backend(admin, self.region)
    if not admin_backend.detectors:
        admin_backend.create_detector(True, "SIX_HOURS", {}, {}, [])
    return "{}"


def describe_organization_configuration(self: GuardDutyResponse) -> str:
    detector_id = self.path.split("/")[-2]
    backend = _require_admin(self, detector_id)
    mode = _state(backend)["auto_enable_members"]
    return self._json(
        {
            "autoEnable": mode != "NONE",
            "memberAccountLimitReached": False,
            "autoEnableOrganizationMembers": mode,
            "features": [],
        }
    )


def update_organization_configuration(self: GuardDutyResponse) -> str:
    detector_id = self.path.split("/")[-2]
    backend = _require_admin(self, detector_id)
    mode = self._get_param("autoEnableOrganizationMembers")
    auto_enable = self._get_param("autoEnable")
    if (mode is None) == (auto_enable is None):
        raise GuardDutyBadRequest(
            "You must provide a value for either autoEnableOrganizationMembers or autoEnable, but not both."
        )
    if mode is None:
        mode = "NEW" if auto_enable else "NONE"
    if mode not in ("NEW", "ALL", "NONE"):
        raise GuardDutyBadRequest(
            "autoEnableOrganizationMembers must be one of NEW, ALL, NONE."
        )
    _state(backend)["auto_enable_members"] = mode
    return "{}"


def create_members(self: GuardDutyResponse) -> str:
    detector_id = self.path.split("/")[-2]
    backend = _own_detector(self, detector_id)
    caller, region = self.current_account, self.region
    is_admin = delegated_admin(caller, region) == caller
    management = org.management_account_of(caller)
    details = self._get_param("accountDetails") or []
    if not details or len(details) > 50:
        raise GuardDutyBadRequest("accountDetails must hold 1 to 50 accounts.")
    members = _state(backend)["members"]
    unprocessed = []
    for detail in details:
        account = detail.get("accountId")
        email = detail.get("email") or ""
        if account == caller:
            unprocessed.append(
                {
                    "accountId": account,
                    "result": "The request is rejected because the given account ID is the delegated administrator account.",
                }
            )
            continue
        # The member's administrator record is {"accountId": ..., ...}: the caller adding its own
        # member again is not "another" administrator ("GuardDuty applies your organization's
        # auto-enable settings to the member accounts in this request, irrespective of the
        # accounts being new or existing members", CreateMembers).
        other_admin = (_state(_backend(account, region))["administrator"] or {}).get("accountId")
        if other_admin not in (None, caller):
            unprocessed.append(
                {
                    "accountId": account,
                    "result": f"The request is rejected because the account is already a member of {other_admin}.",
                }
            )
            continue
        now = _now()
        previous = members.get(account)
        in_org = bool(is_admin and management and org.is_member(account, management))
        if in_org and account == management and not _has_service_linked_role(account):
            unprocessed.append(
                {
                    "accountId": account,
                    "result": "The request is rejected because the management account does not have the "
                    "GuardDuty service-linked role AWSServiceRoleForAmazonGuardDuty: enable GuardDuty "
                    "in the management account once, then add it as a member.",
                }
            )
            continue
        if in_org:
            # An organization member: the admin's CreateMembers enables GuardDuty there.
            detector = _ensure_member_detector(account, region, True)
            members[account] = {
                "email": email or (previous or {}).get("email", ""),
                "status": "Enabled",
                "detectorId": detector,
                "invitedAt": (previous or {}).get("invitedAt", now),
                "updatedAt": now,
                "organization": True,
            }
            _state(_backend(account, region))["administrator"] = {
                "accountId": caller,
                "relationshipStatus": "Enabled",
                "invitedAt": members[account]["invitedAt"],
            }
        elif previous is None:
            # Outside the organization: an invitation-based member that must still be invited.
            members[account] = {
                "email": email,
                "status": "Created",
                "detectorId": None,
                "invitedAt": now,
                "updatedAt": now,
                "organization": False,
            }
    return self._json({"unprocessedAccounts": unprocessed})


def get_members(self: GuardDutyResponse) -> str:
    detector_id = self.path.split("/")[-3]
    backend = _own_detector(self, detector_id)
    members = _state(backend)["members"]
    found, unprocessed = [], []
    for account in _account_ids(self):
        if account in members:
            found.append(_member_json(self.current_account, account, members[account]))
        else:
            unprocessed.append(
                {
                    "accountId": account,
                    "result": "The request is rejected because the input account ID is not associated with the current account as a member.",
                }
            )
    return self._json({"members": found, "unprocessedAccounts": unprocessed})


def list_members(self: GuardDutyResponse) -> str:
    detector_id = self.path.split("/")[-2]
    backend = _own_detector(self, detector_id)
    only_associated = (self._get_param("onlyAssociated") or "true").lower() != "false"
    members = _state(backend)["members"]
    out = [
        _member_json(self.current_account, a, m)
        for a, m in sorted(members.items())
        if not only_associated or m["status"] in ("Enabled", "Disabled", "Invited")
    ]
    return self._json({"members": out})


def _change_members(self: GuardDutyResponse, verb: str) -> str:
    detector_id = self.path.split("/")[-3]
    backend = _own_detector(self, detector_id)
    state = _state(backend)
    members = state["members"]
    management = org.management_account_of(self.current_account)
    unprocessed = []
    for account in _account_ids(self):
        m = members.get(account)
        if m is None:
            unprocessed.append(
                {
                    "accountId": account,
                    "result": "The request is rejected because the input account ID is not associated with the current account as a member.",
                }
            )
            continue
        in_organization_now = (
            m["organization"] and management is not None and org.is_member(account, management)
        )
        if verb in ("stop", "disassociate", "delete") and in_organization_now and state["auto_enable_members"] == "ALL":
            raise GuardDutyBadRequest(
                f"The request is rejected because auto-enable is set to ALL for the organization: "
                f"{verb} is not allowed for organization member {account}."
            )
        now = _now()
        if verb == "start":
            if m["status"] not in ("Enabled", "Disabled"):
                unprocessed.append(
                    {
                        "accountId": account,
                        "result": f"The request is rejected because the member is {m['status']}; re-create it with CreateMembers.",
                    }
                )
                continue
            m["detectorId"] = _ensure_member_detector(account, self.region, True)
            m["status"] = "Enabled"
        elif verb == "stop":
            if m["detectorId"]:
                _ensure_member_detector(account, self.region, False)
            m["status"] = "Disabled"
        elif verb == "disassociate":
            m["status"] = "Removed"
            _state(_backend(account, self.region))["administrator"] = None
        elif verb == "delete":
            members.pop(account)
            _state(_backend(account, self.region))["administrator"] = None
            continue
        m["updatedAt"] = now
        admin_state = _state(_backend(account, self.region))["administrator"]
        if admin_state is not None:
            admin_state["relationshipStatus"] = m["status"]
    return self._json({"unprocessedAccounts": unprocessed})


def start_monitoring_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "start")


def stop_monitoring_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "stop")


def disassociate_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "disassociate")


def delete_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "delete")


def _has_service_linked_role(account: str) -> bool:
    from moto.iam.models import iam_backends

    if any(backend.detectors for backend in guardduty_backends[account].values()):
        return True
    roles = iam_backends[account]["aws"].roles.values()
    return any(r.name == "AWSServiceRoleForAmazonGuardDuty" for r in roles)


def auto_enabled_admin(account: str, region: str) -> str | None:
    """The administrator of `account` when it is an organization member under auto-enable ALL."""
    relation = _state(_backend(account, region))["administrator"]
    if not relation:
        return None
    admin_state = _state(_backend(relation["accountId"], region))
    m = admin_state["members"].get(account)
    if m and m["organization"] and admin_state["auto_enable_members"] == "ALL":
        return str(relation["accountId"])
    return None


def _refuse_disabling_under_all(self: GuardDutyResponse) -> None:
    admin = auto_enabled_admin(self.current_account, self.region)
    if admin:
        raise GuardDutyBadRequest(
            f"The request is rejected because the account is a member of the organization's "
            f"administrator {admin} with auto-enable set to ALL: GuardDuty cannot be disabled in it."
        )


def _refuse_disabling_with_members(self: GuardDutyResponse) -> None:
    """GuardDuty User Guide, "Suspending or disabling GuardDuty": "All member accounts must be
    disassociated or deleted before you can suspend or disable GuardDuty." A disassociated member
    is listed as Removed."""
    members = _state(self.guardduty_backend)["members"]
    associated = sorted(a for a, m in members.items() if m["status"] != "Removed")
    if associated:
        raise GuardDutyBadRequest(
            "The request is rejected because the detector has associated member accounts "
            f"({', '.join(associated)}): disassociate or delete them first."
        )


_original_create_detector = GuardDutyResponse.create_detector
_original_update_detector = GuardDutyResponse.update_detector
_original_delete_detector = GuardDutyResponse.delete_detector


def create_detector(self: GuardDutyResponse) -> str:
    if self.guardduty_backend.detectors:
        raise GuardDutyBadRequest(
            "The request is rejected because a detector already exists for the current account."
        )
    return _original_create_detector(self)  # type: ignore[no-any-return]


def update_detector(self: GuardDutyResponse) -> str:
    detector_id = self.path.split("/")[-1]
    _own_detector(self, detector_id)
    if self._get_param("enable") is False:
        _refuse_disabling_under_all(self)
        _refuse_disabling_with_members(self)
    return _original_update_detector(self)  # type: ignore[no-any-return]


def delete_detector(self: GuardDutyResponse) -> str:
    _own_detector(self, self.path.split("/")[-1])
    _refuse_disabling_under_all(self)
    _refuse_disabling_with_members(self)
    return _original_delete_detector(self)  # type: ignore[no-any-return]


def get_administrator_account(self: GuardDutyResponse) -> str:
    detector_id = self.path.split("/")[-2]
    backend = _own_detector(self, detector_id)
    administrator = _state(backend)["administrator"]
    return self._json({"administrator": dict(administrator)} if administrator else {})


def _json(self: GuardDutyResponse, body: dict[str, Any]) -> str:
    import json

    return json.dumps(body)


OPERATIONS = {
    "enable_organization_admin_account": enable_organization_admin_account,
    "describe_organization_configuration": describe_organization_configuration,
    "update_organization_configuration": update_organization_configuration,
    "create_members": create_members,
    "get_members": get_members,
    "list_members": list_members,
    "start_monitoring_members": start_monitoring_members,
    "stop_monitoring_members": stop_monitoring_members,
    "disassociate_members": disassociate_members,
    "delete_members": delete_members,
    "get_administrator_account": get_administrator_account,
    "create_detector": create_detector,
    "update_detector": update_detector,
    "delete_detector": delete_detector,
    "_json": _json,
}

PATHS = [
    "{0}/detector/(?P<detector_id>[^/]+)/admin$",
    "{0}/detector/(?P<detector_id>[^/]+)/member$",
    "{0}/detector/(?P<detector_id>[^/]+)/member/get$",
    "{0}/detector/(?P<detector_id>[^/]+)/member/start$",
    "{0}/detector/(?P<detector_id>[^/]+)/member/stop$",
    "{0}/detector/(?P<detector_id>[^/]+)/member/disassociate$",
    "{0}/detector/(?P<detector_id>[^/]+)/member/delete$",
]


def install() -> None:
    for name, fn in OPERATIONS.items():
        setattr(GuardDutyResponse, name, fn)
    for path in PATHS:
        gd_urls.url_paths[path] = GuardDutyResponse.dispatch
