"""Organization trail ownership, which moto 5.2 does not model.

Reference: CloudTrail user guide, "Organization delegated administrator": "The management
account remains the owner of any CloudTrail organization resources the delegated administrator
creates", and a delegated administrator manages the organization trail by its ARN. DescribeTrails
(API reference): "trailNameList ... If you specify a trail name, the trail is in the current
Region and current account; to return a trail of another account, specify its ARN".

So: CreateTrail of an organization trail by the delegated administrator creates it in the
management account; a name always means the caller's own trail; an ARN of the management
account's organization trail works for its delegated administrator and for nobody else.

Event selectors, which moto leaves empty on a new trail and never reports as custom: "By
default, trails created without specific event selectors will be configured to log all read
and write management events, and no data events" (CloudTrail API Reference, EventSelector), so
GetEventSelectors of such a trail answers that default selector; `HasCustomEventSelectors`
(Trail, "specifies if the trail has custom event selectors") turns true once PutEventSelectors
has set basic or advanced selectors. PutEventSelectorsRequest.EventSelectors: "If you apply
EventSelectors to a trail, any existing AdvancedEventSelectors are overwritten" (and
AdvancedEventSelectors likewise the basic ones): moto keeps the advanced selectors a basic put
should overwrite, so the put here replaces both.

CloudWatch Logs delivery in GetTrailStatus, which moto never reports: events.py delivers each
call the trail logs into its group and keeps the outcome on the trail's status;
GetTrailStatusResponse.LatestCloudWatchLogsDeliveryError "Displays any CloudWatch Logs error that
CloudTrail encountered when attempting to deliver logs to CloudWatch Logs" and
LatestCloudWatchLogsDeliveryTime "Displays the most recent date and time when CloudTrail delivered
logs to CloudWatch Logs". The model gives the error no time; the stand-in reports the error of
the latest attempt, so a delivery that succeeds again clears it.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from moto.cloudtrail.exceptions import TrailNotFoundException
from moto.cloudtrail.models import Trail, TrailStatus, cloudtrail_backends
from moto.cloudtrail.responses import CloudTrailResponse

from . import organization as org
from .errors import JsonError

SERVICE_PRINCIPAL = "cloudtrail.amazonaws.com"


def _parse_arn(name: str | None) -> tuple[str, str, str] | None:
    """(region, account, trail name) of a trail ARN, None for a plain name."""
    if not name or not name.startswith("arn:"):
        return None
    parts = name.split(":", 5)
    if len(parts) != 6 or parts[2] != "cloudtrail" or not parts[5].startswith("trail/"):
        raise JsonError("CloudTrailARNInvalidException", f"Invalid trail ARN: {name}")
    return parts[3], parts[4], parts[5][len("trail/") :]


def _may_manage(caller: str, owner: str, trail: Any) -> bool:
    if caller == owner:
        return True
    return bool(
        trail.is_org_trail
        and org.management_account_of(caller) == owner
        and org.is_delegated_admin(caller, SERVICE_PRINCIPAL)
    )


def _may_read(caller: str, owner: str, trail: Any) -> bool:
    """GetTrailStatusRequest.Name: "If the trail is an organization trail and you are a member
    account in the organization in Organizations, you must provide the full ARN of that trail"."""
    return _may_manage(caller, owner, trail) or bool(
        trail.is_org_trail and org.management_account_of(caller) == owner
    )


# What a member account may do with the organization trail by its ARN: read it.
READS = {"get_trail", "get_trail_status", "get_event_selectors", "get_insight_selectors"}


def _resolve(self: CloudTrailResponse, name: str | None, read: bool = False) -> None:
    """Points the request at the trail's owner and home Region when the caller may manage it
    (or, for a read, may read it)."""
    arn = _parse_arn(name)
    if arn is None:
        return
    region, owner, trail_name = arn
    trail = cloudtrail_backends[owner][region].trails.get(trail_name)
    allowed = _may_read if read else _may_manage
    if trail is None or not allowed(self.current_account, owner, trail):
        raise TrailNotFoundException(account_id=self.current_account, name=name or "")
    self.current_account = owner
    self.region = region


def _by(param: str, original: Callable[[CloudTrailResponse], Any]) -> Callable[..., Any]:
    read = original.__name__ in READS

    def wrapped(self: CloudTrailResponse) -> Any:
        _resolve(self, self._get_param(param), read)
        return original(self)

    wrapped.__name__ = original.__name__
    return wrapped


_original_create = CloudTrailResponse.create_trail


def create_trail(self: CloudTrailResponse) -> Any:
    if self._get_bool_param("IsOrganizationTrail", False):
        caller = self.current_account
        management = org.management_account_of(caller)
        if management is None:
            raise JsonError(
                "OrganizationsNotInUseException",
                "This account is not a member of an organization.",
            )
        if caller != management:
            if not org.is_delegated_admin(caller, SERVICE_PRINCIPAL):
                raise JsonError(
                    "NotOrganizationMasterAccountException",
                    f"Account {caller} is neither the management account nor a delegated "
                    f"administrator for {SERVICE_PRINCIPAL}.",
                )
            # The management account owns what the delegated administrator creates.
            self.current_account = management
    # CloudTrail API reference, CreateTrail: TrailAlreadyExistsException. A multi-region trail
    # has a shadow in every region, so its name is taken in all of them.
    name = self._get_param("Name")
    for region, backend in cloudtrail_backends[self.current_account].items():
        existing = backend.trails.get(name)
        if existing is not None and (region == self.region or existing.is_multi_region):
            raise JsonError(
                "TrailAlreadyExistsException",
                f"Trail {name} already exists for customer: {self.current_account}",
            )
    return _original_create(self)


def describe_trails(self: CloudTrailResponse) -> str:
    names = self._get_param("trailNameList") or []
    include_shadow = self._get_bool_param("includeShadowTrails", True)
    caller, region = self.current_account, self.region
    own = cloudtrail_backends[caller][region]
    found: list[Any] = []
    if not names:
        found.extend(own.describe_trails(include_shadow))
        management = org.management_account_of(caller)
        if include_shadow and management and management != caller:
            for backend in cloudtrail_backends[management].values():
                found.extend(t for t in backend.trails.values() if t.is_org_trail)
    for name in names:
        arn = _parse_arn(name)
        if arn is None:
            trail = next(
                (t for t in own.describe_trails(include_shadow) if t.trail_name == name), None
            )
            if trail is not None:
                found.append(trail)
            continue
        t_region, owner, trail_name = arn
        trail = cloudtrail_backends[owner][t_region].trails.get(trail_name)
        if trail is not None and _may_read(caller, owner, trail):
            found.append(trail)
    return json.dumps({"trailList": [t.description(include_region=True) for t in found]})


def delete_trail(self: CloudTrailResponse) -> str:
    """DeleteTrailRequest.Name: "Specifies the name or the CloudTrail ARN of the trail to be
    deleted" (CloudTrail API Reference); a trail that is not there is TrailNotFoundException
    ("This exception is thrown when the trail with the given name is not found"). moto 5.2
    deleted only by name and answered success for an ARN or an unknown name, deleting nothing."""
    backend = self.cloudtrail_backend
    trail = backend.get_trail(self._get_param("Name") or "")
    backend.delete_trail(trail.trail_name)
    return json.dumps({})


def list_tags(self: CloudTrailResponse) -> str:
    """ListTags by ARN. The delegated administrator "has administrative permissions on all
    organization trails" (CloudTrail User Guide, "Organization delegated administrator"), whose
    tags are kept by their owner, the management account: an ARN of a trail the caller may manage
    reads that owner's tags (moto 5.2 looked only in the caller's own account and answered none)."""
    out: list[dict[str, Any]] = []
    for resource in json.loads(self.body).get("ResourceIdList") or []:
        backend = self.cloudtrail_backend
        arn = _parse_arn(resource) if ":trail/" in resource else None
        if arn is not None:
            region, owner, trail_name = arn
            trail = cloudtrail_backends[owner][region].trails.get(trail_name)
            if owner != self.current_account and trail is not None and _may_manage(self.current_account, owner, trail):
                backend = cloudtrail_backends[owner][region]
        out.extend(backend.list_tags([resource]))
    return json.dumps({"ResourceTagList": out})


_DEFAULT_SELECTOR = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [],
    "ExcludeManagementEventSources": [],
}

_original_put_selectors = Trail.put_event_selectors
_original_get_selectors = Trail.get_event_selectors
_original_description = Trail.description
_original_status_description = TrailStatus.description


def put_event_selectors(
    self: Trail, event_selectors: list[dict[str, Any]] | None, advanced_event_selectors: list[dict[str, Any]] | None
) -> None:
    # One kind replaces the other (cloudtrail_rules.py refuses both in one call, and neither).
    self.event_selectors = list(event_selectors or [])
    self.advanced_event_selectors = [] if event_selectors else list(advanced_event_selectors or [])
    self.lw_custom_selectors = True  # type: ignore[attr-defined]


def delivered_to_cloudwatch_logs(trail: Trail, error: str | None) -> None:
    """The outcome of one delivery into the trail's group (events.py)."""
    if error is None:
        trail.status.lw_cloudwatch_logs_time = time.time()  # type: ignore[attr-defined]
    trail.status.lw_cloudwatch_logs_error = error  # type: ignore[attr-defined]


def status_description(self: TrailStatus) -> dict[str, Any]:
    desc = _original_status_description(self)
    delivered = getattr(self, "lw_cloudwatch_logs_time", None)
    if delivered is not None:
        desc["LatestCloudWatchLogsDeliveryTime"] = delivered
    error = getattr(self, "lw_cloudwatch_logs_error", None)
    if error:
        desc["LatestCloudWatchLogsDeliveryError"] = error
    return desc


def get_event_selectors(self: Trail) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if not getattr(self, "lw_custom_selectors", False):
        return [dict(_DEFAULT_SELECTOR)], []
    return _original_get_selectors(self)


def description(self: Trail, include_region: bool = False) -> dict[str, Any]:
    desc = _original_description(self, include_region)
    desc["HasCustomEventSelectors"] = bool(getattr(self, "lw_custom_selectors", False))
    return desc


def install() -> None:
    Trail.put_event_selectors = put_event_selectors  # type: ignore[method-assign]
    Trail.get_event_selectors = get_event_selectors  # type: ignore[method-assign]
    Trail.description = description  # type: ignore[method-assign]
    TrailStatus.description = status_description  # type: ignore[method-assign]
    CloudTrailResponse.create_trail = create_trail  # type: ignore[method-assign]
    CloudTrailResponse.describe_trails = describe_trails  # type: ignore[method-assign]
    CloudTrailResponse.list_tags = list_tags  # type: ignore[method-assign]
    CloudTrailResponse.delete_trail = delete_trail  # type: ignore[method-assign]
    for method, param in {
        "get_trail": "Name",
        "get_trail_status": "Name",
        "start_logging": "Name",
        "stop_logging": "Name",
        "delete_trail": "Name",
        "update_trail": "Name",
        "put_event_selectors": "TrailName",
        "get_event_selectors": "TrailName",
        "put_insight_selectors": "TrailName",
        "get_insight_selectors": "TrailName",
        "add_tags": "ResourceId",
        "remove_tags": "ResourceId",
    }.items():
        setattr(CloudTrailResponse, method, _by(param, getattr(CloudTrailResponse, method)))
