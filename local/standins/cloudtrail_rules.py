"""CloudTrail rules beyond the request's shape that moto does not keep (cloudtrail.py keeps
ownership of the organization trail). Each rule quotes the CloudTrail API Reference (botocore
`cloudtrail/2013-11-01/service-2.json`, the operation's or member's documentation):

- Home Region. StartLogging: "For a trail that is enabled in all Regions, this operation must be
  called from the Region in which the trail was created. This operation cannot be called on the
  shadow trails"; StopLogging: "... or an InvalidHomeRegionException will occur"; UpdateTrail:
  "UpdateTrail must be called from the Region in which the trail was created; otherwise, an
  InvalidHomeRegionException is thrown."; PutEventSelectors: "must be called from the Region in
  which the trail was created; otherwise, an InvalidHomeRegionException exception is thrown";
  DeleteTrail: "must be called from the Region in which the trail was created". By name or by
  ARN alike.
- GetTrailStatusRequest.Name: "To get the status of a shadow trail (a replication of the trail
  in another Region), you must specify its ARN." A name outside the home Region finds nothing.
- UpdateTrailRequest.IsOrganizationTrail: "Only the management account for the organization can
  convert an organization trail to a non-organization trail, or convert a non-organization trail
  to an organization trail." Anyone else (a delegated administrator included):
  NotOrganizationMasterAccountException.
- Organization trails need trusted access: CloudTrailAccessNotEnabledException, "thrown when
  trusted access has not been enabled between CloudTrail and Organizations", whoever creates
  (or converts) the trail, however its delegated administrator was registered; and
  OrganizationNotInAllFeaturesModeException: "All features must be enabled in Organizations to
  support creating an organization trail".
- PutEventSelectors: "You can configure up to five event selectors for each trail."
  (InvalidEventSelectorsException: "Specify a valid number of event selectors (1 to 5) for a
  trail", so none is refused too); "You can use either AdvancedEventSelectors or EventSelectors,
  but not both" (PutEventSelectorsRequest), refused as InvalidEventSelectorsException: "The
  combination of event selectors or advanced event selectors and data resources is not valid."
- A multi-region trail must include global service events: CreateTrail or UpdateTrail leaving a
  trail multi-region without them is InvalidParameterCombinationException "Multi-Region trail
  must include global service events." (AWS's answer as users report it: hashicorp/terraform#4723,
  cloudconformity/auto-remediate#4, awsdocs/aws-cloudformation-user-guide#908; the model says
  only "the combination of parameters provided is not valid"). Both settings are judged as the
  call would leave them: CreateTrailRequest.IsMultiRegionTrail "The default is false";
  IncludeGlobalServiceEvents is true unless given (moto's default, as AWS's console and CLI).
- CreateTrail and UpdateTrail with CloudWatch Logs delivery: "Both the CloudWatch Logs log group
  and log role must exist in the calling account." (CloudTrail User Guide, "Organization
  delegated administrator", footnote 1); IAM passes only a role of the caller's own account.
  A group of another account, or one that does not exist: InvalidCloudWatchLogsLogGroupArnException
  ("thrown when the provided CloudWatch Logs log group is not valid"); a role of another account:
  InvalidCloudWatchLogsRoleArnException ("thrown when the provided role is not valid"). A role
  without a log group: InvalidCloudWatchLogsLogGroupArnException (CreateTrailRequest and
  UpdateTrailRequest .CloudWatchLogsLogGroupArn: "Not required unless you specify
  CloudWatchLogsRoleArn.").
- CloudTrail tries that role before it takes it (as users report AWS's answers), whoever calls
  and whether or not the stand-in enforces the caller's IAM: a role whose trust does not let
  cloudtrail.amazonaws.com in for the trail (or that does not exist) is
  InvalidCloudWatchLogsRoleArnException "Access denied. Check the trust relationships for your
  role."; one without logs:CreateLogStream and logs:PutLogEvents on the trail's stream is
  InvalidCloudWatchLogsLogGroupArnException "Access denied. Check the permissions for your
  role." (`_require_cloudtrail_may_deliver`, with its sources).
"""

from __future__ import annotations

from typing import Any, Callable

from moto.cloudtrail.exceptions import TrailNotFoundException
from moto.cloudtrail.models import cloudtrail_backends
from moto.cloudtrail.responses import CloudTrailResponse
from moto.organizations.models import organizations_backends

from . import organization as org
from .cloudtrail import SERVICE_PRINCIPAL, _may_manage, _parse_arn
from .errors import JsonError
from .onboarding import has_all_features

# Operations that change a trail: only in its home Region.
HOME_REGION_ONLY = {
    "start_logging": "Name",
    "stop_logging": "Name",
    "update_trail": "Name",
    "put_event_selectors": "TrailName",
    "put_insight_selectors": "TrailName",
    "delete_trail": "Name",
}
MAX_EVENT_SELECTORS = 5


def _trail(caller: str, region: str, name: str | None) -> tuple[str, Any] | None:
    """(owner, trail) that `name` designates for `caller` calling in `region`: an ARN names its
    trail; a name, the caller's own trail of this Region or its multi-region trail elsewhere."""
    if not name:
        return None
    arn = _parse_arn(name)
    if arn is not None:
        t_region, owner, trail_name = arn
        found = cloudtrail_backends[owner][t_region].trails.get(trail_name)
        return (owner, found) if found is not None else None
    own = cloudtrail_backends[caller]
    if name in own[region].trails:
        return caller, own[region].trails[name]
    for backend in own.values():
        found = backend.trails.get(name)
        if found is not None and found.is_multi_region:
            return caller, found
    return None


def _home_region_only(method: str, param: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(self: CloudTrailResponse) -> Any:
        found = _trail(self.current_account, self.region, self._get_param(param))
        if found is not None:
            owner, trail = found
            if trail.region_name != self.region and _may_manage(self.current_account, owner, trail):
                raise JsonError(
                    "InvalidHomeRegionException",
                    f"The trail {trail.arn} was created in {trail.region_name}: "
                    f"{''.join(w.capitalize() for w in method.split('_'))} must be called from there, not from {self.region}.",
                )
        return original(self)

    wrapped.__name__ = original.__name__
    return wrapped


def _status_of_shadow_by_name(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_trail_status(self: CloudTrailResponse) -> Any:
        name = self._get_param("Name")
        if name and _parse_arn(name) is None and name not in cloudtrail_backends[self.current_account][self.region].trails:
            raise TrailNotFoundException(account_id=self.current_account, name=name)
        return original(self)

    get_trail_status.__name__ = original.__name__
    return get_trail_status


def _require_organization_ready(caller: str) -> None:
    management = org.management_account_of(caller)
    if management is None:
        return  # OrganizationsNotInUseException is create_trail's own answer
    if not has_all_features(organizations_backends[management]["aws"]):
        raise JsonError(
            "OrganizationNotInAllFeaturesModeException",
            "All features must be enabled in Organizations to create an organization trail.",
        )
    if not org.trusted_access_enabled(caller, SERVICE_PRINCIPAL):
        raise JsonError(
            "CloudTrailAccessNotEnabledException",
            f"Trusted access for {SERVICE_PRINCIPAL} is not enabled in the organization "
            f"(aws organizations enable-aws-service-access --service-principal {SERVICE_PRINCIPAL}).",
        )


def _require_own_cloudwatch_logs(self: CloudTrailResponse, trail_arn: str | None) -> None:
    """`trail_arn`: the trail CloudTrail would deliver for (None for an UpdateTrail of a trail
    that does not exist: TrailNotFoundException is moto's answer)."""
    group = self._get_param("CloudWatchLogsLogGroupArn")
    role = self._get_param("CloudWatchLogsRoleArn")
    caller = self.current_account
    if role and not group:
        # CreateTrailRequest and UpdateTrailRequest .CloudWatchLogsLogGroupArn: "Not required unless
        # you specify CloudWatchLogsRoleArn."
        raise JsonError(
            "InvalidCloudWatchLogsLogGroupArnException",
            "CloudWatchLogsLogGroupArn is required when CloudWatchLogsRoleArn is specified.",
        )
    if group:
        parts = group.split(":")
        if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group" or parts[4] != caller:
            raise JsonError(
                "InvalidCloudWatchLogsLogGroupArnException",
                f"The CloudWatch Logs log group {group} must exist in the calling account {caller}.",
            )
        from moto.logs.models import logs_backends

        if parts[6] not in logs_backends[caller][parts[3]].groups:
            raise JsonError(
                "InvalidCloudWatchLogsLogGroupArnException",
                f"The CloudWatch Logs log group {group} does not exist.",
            )
    if role:
        parts = role.split(":")
        if len(parts) < 6 or parts[2] != "iam" or parts[4] != caller or not parts[5].startswith("role/"):
            raise JsonError(
                "InvalidCloudWatchLogsRoleArnException",
                f"The CloudWatch Logs role {role} must exist in the calling account {caller}.",
            )
        if group and trail_arn:
            _require_cloudtrail_may_deliver(caller, self.region, group, role, trail_arn)


def _require_cloudtrail_may_deliver(caller: str, region: str, group: str, role: str, trail_arn: str) -> None:
    """CloudTrail tries the role before it takes it, as users report AWS's answers (no AWS text
    says what CreateTrail and UpdateTrail check): aws/aws-cdk#1963, InvalidCloudWatchLogsLogGroupArnException
    "Access denied. Check the permissions for your role." (cloudposse/terraform-aws-cloudwatch-logs#38
    quotes a newer "Access denied. Verify in IAM that the role has adequate permissions.");
    cloudposse/terraform-aws-cloudtrail-cloudwatch-alarms#2 and awslabs/dynamodb-continuous-backup#2,
    InvalidCloudWatchLogsRoleArnException "Access denied. Check the trust relationships for your
    role.". What the role must allow: CloudTrail User Guide, "Role policy document for CloudTrail
    to use CloudWatch Logs for monitoring": "the permissions required to create a CloudWatch log
    stream in the log group that you specify and to deliver CloudTrail events to that log stream"
    (logs:CreateLogStream and logs:PutLogEvents); the stream is "account_ID_CloudTrail_trail_region"
    ("CloudWatch log group and log stream naming for CloudTrail"). Whether CloudTrail names
    aws:SourceArn and aws:SourceAccount when it assumes the role is not documented: the stand-in
    names them (the trail and its owner), so a trust that requires them holds and a trust for
    another trail fails. A role that does not exist cannot be assumed either: the trust answer."""
    from . import iam

    parts = group.replace(":*", "").split(":")
    stream = f"arn:aws:logs:{parts[3]}:{parts[4]}:log-group:{parts[6]}:log-stream:{caller}_CloudTrail_{region}"
    # The trail's owner, as delivery names it (events.py): the management account for an
    # organization trail a delegated administrator created.
    owner = trail_arn.split(":")[4]
    refusal = iam.role_refusal(
        role,
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        stream,
        SERVICE_PRINCIPAL,
        {"aws:SourceAccount": [owner], "aws:SourceArn": [trail_arn]},
    )
    if refusal is None:
        return
    stage, why = refusal
    if stage == "trust":
        raise JsonError(
            "InvalidCloudWatchLogsRoleArnException", f"Access denied. Check the trust relationships for your role. ({why})"
        )
    raise JsonError(
        "InvalidCloudWatchLogsLogGroupArnException", f"Access denied. Check the permissions for your role. ({why})"
    )


def _require_global_events_if_multi_region(multi_region: bool, global_events: bool) -> None:
    if multi_region and not global_events:
        raise JsonError(
            "InvalidParameterCombinationException", "Multi-Region trail must include global service events."
        )


def _create_trail(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_trail(self: CloudTrailResponse) -> Any:
        _require_global_events_if_multi_region(
            bool(self._get_bool_param("IsMultiRegionTrail", False)),
            bool(self._get_bool_param("IncludeGlobalServiceEvents", True)),
        )
        organization_trail = self._get_bool_param("IsOrganizationTrail", False)
        # The management account owns what a delegated administrator creates (cloudtrail.py), so
        # the role's aws:SourceArn names the trail there.
        owner = (org.management_account_of(self.current_account) if organization_trail else None) or self.current_account
        _require_own_cloudwatch_logs(self, f"arn:aws:cloudtrail:{self.region}:{owner}:trail/{self._get_param('Name')}")
        if organization_trail:
            management = org.management_account_of(self.current_account)
            if management == self.current_account or org.is_delegated_admin(self.current_account, SERVICE_PRINCIPAL):
                _require_organization_ready(self.current_account)
        return original(self)

    create_trail.__name__ = original.__name__
    return create_trail


def _update_trail(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_trail(self: CloudTrailResponse) -> Any:
        found = _trail(self.current_account, self.region, self._get_param("Name"))
        if found is not None:
            multi_region = self._get_bool_param("IsMultiRegionTrail")
            global_events = self._get_bool_param("IncludeGlobalServiceEvents")
            _require_global_events_if_multi_region(
                bool(found[1].is_multi_region if multi_region is None else multi_region),
                bool(found[1].include_global_service_events if global_events is None else global_events),
            )
        _require_own_cloudwatch_logs(self, found[1].arn if found is not None else None)
        wanted = self._get_bool_param("IsOrganizationTrail")
        if wanted is not None and found is not None and bool(found[1].is_org_trail) != wanted:
            owner, trail = found
            if _may_manage(self.current_account, owner, trail):
                if org.management_account_of(self.current_account) != self.current_account:
                    raise JsonError(
                        "NotOrganizationMasterAccountException",
                        f"Only the management account of the organization can convert {trail.arn} "
                        f"{'to' if wanted else 'from'} an organization trail; {self.current_account} is not it.",
                    )
                if wanted:
                    _require_organization_ready(self.current_account)
        return original(self)

    update_trail.__name__ = original.__name__
    return update_trail


def _put_event_selectors(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_event_selectors(self: CloudTrailResponse) -> Any:
        basic = self._get_param("EventSelectors")
        advanced = self._get_param("AdvancedEventSelectors")
        if basic is not None and advanced is not None:
            raise JsonError(
                "InvalidEventSelectorsException",
                "You can use either EventSelectors or AdvancedEventSelectors in a PutEventSelectors request, but not both.",
            )
        if not basic and not advanced:
            raise JsonError(
                "InvalidEventSelectorsException",
                "Specify a valid number of event selectors (1 to 5) for a trail.",
            )
        selectors = basic or []
        if len(selectors) > MAX_EVENT_SELECTORS:
            raise JsonError(
                "InvalidEventSelectorsException",
                f"{len(selectors)} event selectors: a trail can have up to {MAX_EVENT_SELECTORS}.",
            )
        return original(self)

    put_event_selectors.__name__ = original.__name__
    return put_event_selectors


def install() -> None:
    """After cloudtrail.install(): wraps what it installed."""
    CloudTrailResponse.create_trail = _create_trail(CloudTrailResponse.create_trail)  # type: ignore[method-assign]
    CloudTrailResponse.update_trail = _update_trail(CloudTrailResponse.update_trail)  # type: ignore[method-assign]
    CloudTrailResponse.put_event_selectors = _put_event_selectors(  # type: ignore[method-assign]
        CloudTrailResponse.put_event_selectors
    )
    for method, param in HOME_REGION_ONLY.items():
        setattr(CloudTrailResponse, method, _home_region_only(method, param, getattr(CloudTrailResponse, method)))
    CloudTrailResponse.get_trail_status = _status_of_shadow_by_name(CloudTrailResponse.get_trail_status)  # type: ignore[method-assign]
