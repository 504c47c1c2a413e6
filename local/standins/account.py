"""The Account API's Region opt-in operations (ListRegions, GetRegionOptStatus, EnableRegion,
DisableRegion), which moto 5.2 lacks.

Reference: botocore `account/2021-02-01/service-2.json` and the Account API reference, on
`AccountId`: "To use this parameter, the caller must be an identity in the organization's
management account or a delegated administrator account. The specified account ID must be a
member account in the same organization. The organization must have all features enabled, and
the organization must have trusted access enabled for the Account Management service [...] The
management account can't specify its own AccountId." Regions that need no opt-in are
ENABLED_BY_DEFAULT and cannot be enabled or disabled (EnableRegion: ValidationException).

Opting in and out takes time: GetRegionOptStatus answers ENABLING (DISABLING) first and ENABLED
(DISABLED) once it is done, and a change cannot be reversed until it finishes
(EnableRegionRequest.RegionName: "This process takes a few minutes for most accounts, but it can
take several hours. You cannot use the Region until this process is complete. Furthermore, you
cannot disable the Region until the enabling process is fully completed."; DisableRegionRequest
.RegionName: "You cannot enable the Region until the disabling process is fully completed.").
The refusal is ConflictException (HTTP 409): "The request could not be processed because of a
conflict in the current status of the resource. For example, this happens if you try to enable a
Region that is currently being disabled (in a status of DISABLING)." Here a change settles after
LOGWARDEN_STANDINS_OPT_IN_SECONDS (default 2 s) so a run sees both states.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import moto.account.urls as account_urls
from moto.account.models import account_backends
from moto.account.responses import AccountResponse

from . import events, organization as org
from .errors import JsonError

SERVICE_PRINCIPAL = "account.amazonaws.com"

# Regions that must be opted into: contracts/regions.ts `optInRegions` ("Regions introduced after
# March 20, 2019 are disabled by default"), read from there so that the stand-in knows every
# opt-in Region the product governs (one list, no drift); every other commercial Region below is
# enabled by default.
_REGIONS_TS = Path(__file__).resolve().parents[2] / "contracts" / "regions.ts"


def _opt_in_regions() -> list[str]:
    found = re.search(r"export const optInRegions\b[^=]*=\s*\[(.*?)\]", _REGIONS_TS.read_text(), re.S)
    regions = re.findall(r"'([a-z]{2}-[a-z]+-\d)'", found.group(1)) if found else []
    if not regions:
        raise RuntimeError(f"{_REGIONS_TS}: no optInRegions list found")
    return regions


OPT_IN_REGIONS = _opt_in_regions()
DEFAULT_REGIONS = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
]


SETTLING = {"ENABLING": "ENABLED", "DISABLING": "DISABLED"}


def settle_seconds() -> float:
    return float(os.environ.get("LOGWARDEN_STANDINS_OPT_IN_SECONDS", "2"))


def _statuses(account: str) -> dict[str, str]:
    """Each Region's status, changes that have had their time settled."""
    backend = account_backends[account]["aws"]
    if not hasattr(backend, "lw_regions"):
        statuses = {r: "ENABLED_BY_DEFAULT" for r in DEFAULT_REGIONS}
        statuses.update({r: "DISABLED" for r in OPT_IN_REGIONS})
        backend.lw_regions = statuses  # type: ignore[attr-defined]
        backend.lw_settles_at = {}  # type: ignore[attr-defined]
        backend.lw_callers = {}  # type: ignore[attr-defined]
    statuses = backend.lw_regions  # type: ignore[attr-defined]
    now = time.monotonic()
    for region, at in list(backend.lw_settles_at.items()):  # type: ignore[attr-defined]
        if now >= at:
            statuses[region] = SETTLING.get(statuses[region], statuses[region])
            del backend.lw_settles_at[region]  # type: ignore[attr-defined]
            _opt_in_event(backend.lw_callers.pop(region), account, region, statuses[region])  # type: ignore[attr-defined]
    return statuses  # type: ignore[no-any-return]


def _opt_in_event(caller: str, account: str, region: str, status: str) -> None:
    """Account Management Reference, "Monitoring Account Management events with EventBridge":
    "an EventBridge event will be sent to the calling account when either the enable or disable
    process has started, and again once either process has completed" (us-east-1)."""
    events.emit(
        events.service_event(
            "Region Opt-In Status Change",
            "aws.account",
            caller,
            "us-east-1",
            [f"arn:aws:account::{caller}:account"],
            {"accountId": account, "regionName": region, "status": status},
        )
    )


def settle_all() -> None:
    """Every change whose time has come settles now (and sends its event)."""
    for account in list(account_backends.keys()):
        backend = account_backends[account]["aws"]
        if getattr(backend, "lw_settles_at", None):
            _statuses(account)


def _target(self: AccountResponse, operation: str) -> str:
    """The account the call acts on, after the checks AWS makes on `AccountId`."""
    caller = self.current_account
    account_id = self._get_param("AccountId")
    if not account_id:
        return caller
    management = org.management_account_of(caller)
    if management is None:
        raise JsonError(
            "AccessDeniedException",
            f"Account {caller} is not in an organization, so it cannot specify an AccountId for account:{operation}.",
            403,
        )
    if account_id == management and caller == management:
        # AccountId: "The management account can't specify its own AccountId. It must call the
        # operation in standalone context by not including the AccountId parameter." AWS answers
        # AccessDeniedException (403) "... (The management account can only be managed using the
        # standalone context from the management account)", as quoted for account:ListRegions
        # called by the management account with its own AccountId in
        # aws-samples/data-perimeter-helper#8.
        raise JsonError(
            "AccessDeniedException",
            f"User is not authorized to perform: account:{operation} (The management account can only "
            "be managed using the standalone context from the management account)",
            403,
        )
    if account_id == management:
        # Another account naming the management account: AccountId, "The specified account ID
        # must be a member account in the same organization", and the management account is not
        # one. AWS documents no error code for it: refused as AccessDeniedException, the
        # stricter answer.
        raise JsonError(
            "AccessDeniedException",
            f"The specified account ID must be a member account in the same organization: {account_id} "
            "is the management account.",
            403,
        )
    if caller != management and not org.is_delegated_admin(caller, SERVICE_PRINCIPAL):
        raise JsonError(
            "AccessDeniedException",
            f"Account {caller} is neither the management account nor a delegated administrator for {SERVICE_PRINCIPAL}.",
            403,
        )
    if not org.trusted_access_enabled(caller, SERVICE_PRINCIPAL):
        raise JsonError(
            "AccessDeniedException",
            f"Trusted access for {SERVICE_PRINCIPAL} is not enabled in the organization "
            f"(aws organizations enable-aws-service-access --service-principal {SERVICE_PRINCIPAL}).",
            403,
        )
    if not org.is_member(account_id, management):
        raise JsonError(
            "AccessDeniedException",
            f"Account {account_id} is not a member of the organization of {caller}.",
            403,
        )
    return account_id  # type: ignore[no-any-return]


def _region(self: AccountResponse, statuses: dict[str, str]) -> str:
    region = self._get_param("RegionName")
    if region not in statuses:
        raise JsonError("ValidationException", f"Invalid Region: {region}")
    return region  # type: ignore[no-any-return]


def list_regions(self: AccountResponse) -> str:
    statuses = _statuses(_target(self, "ListRegions"))
    wanted = self._get_param("RegionOptStatusContains") or []
    max_results = int(self._get_param("MaxResults") or 20)
    if not 1 <= max_results <= 50:
        raise JsonError("ValidationException", "MaxResults must be between 1 and 50")
    token = self._get_param("NextToken") or "0"
    # ListRegions' errors are ValidationException, AccessDeniedException, TooManyRequestsException
    # and InternalServerException (model): a token this stand-in did not issue is the first.
    if not token.isdigit():
        raise JsonError("ValidationException", f"Invalid NextToken: {token}")
    start = int(token)
    rows = [
        {"RegionName": r, "RegionOptStatus": s}
        for r, s in sorted(statuses.items())
        if not wanted or s in wanted
    ]
    page = rows[start : start + max_results]
    body: dict[str, object] = {"Regions": page}
    if start + max_results < len(rows):
        body["NextToken"] = str(start + max_results)
    return json.dumps(body)


def get_region_opt_status(self: AccountResponse) -> str:
    statuses = _statuses(_target(self, "GetRegionOptStatus"))
    region = _region(self, statuses)
    return json.dumps({"RegionName": region, "RegionOptStatus": statuses[region]})


def _set(self: AccountResponse, operation: str, status: str) -> str:
    """Starts the change to `status` (ENABLING or DISABLING).

    A Region already there or on its way is refused, as AWS refuses it: EnableRegion of an
    ENABLED or ENABLING Region answers HTTP 400 ValidationException "Unable to switch region
    status because of its current opt-in status." (hashicorp/terraform-provider-aws#41430; PR
    #41678: "when attempting to enable a region that is already in the enabling or enabled
    status, an error occurs"). AWS documents nothing for DisableRegion of a DISABLED or DISABLING
    Region: refused the same way, by symmetry (the stricter answer)."""
    account = _target(self, operation)
    statuses = _statuses(account)
    region = _region(self, statuses)
    current = statuses[region]
    if current == "ENABLED_BY_DEFAULT":
        raise JsonError(
            "ValidationException", f"{region} is enabled by default and cannot be changed"
        )
    if current in (status, SETTLING[status]):
        raise JsonError(
            "ValidationException", "Unable to switch region status because of its current opt-in status."
        )
    if current in SETTLING:
        raise JsonError(
            "ConflictException",
            f"{region} is {current}: it cannot be {status.lower()[:-3]}ed until that finishes.",
            409,
        )
    statuses[region] = status
    backend = account_backends[account]["aws"]
    backend.lw_settles_at[region] = time.monotonic() + settle_seconds()
    if not hasattr(backend, "lw_callers"):
        backend.lw_callers = {}
    backend.lw_callers[region] = self.current_account
    _opt_in_event(self.current_account, account, region, status)
    return ""


def enable_region(self: AccountResponse) -> str:
    return _set(self, "EnableRegion", "ENABLING")


def disable_region(self: AccountResponse) -> str:
    return _set(self, "DisableRegion", "DISABLING")


def install() -> None:
    AccountResponse.list_regions = list_regions  # type: ignore[attr-defined]
    AccountResponse.get_region_opt_status = get_region_opt_status  # type: ignore[attr-defined]
    AccountResponse.enable_region = enable_region  # type: ignore[attr-defined]
    AccountResponse.disable_region = disable_region  # type: ignore[attr-defined]
    for op in ("listRegions", "getRegionOptStatus", "enableRegion", "disableRegion"):
        account_urls.url_paths["{0}/" + op + "$"] = AccountResponse.dispatch
