"""CloudWatch Logs rules beyond the request's shape, where moto (and logs.py's delivery) accept
what AWS refuses, or refuse what AWS accepts. Each rule names its source:

- PutSubscriptionFilter and PutAccountPolicy to a destination: "The sender account's log groups
  and the destination must be in the same AWS Region. However, the AWS resource that the
  destination points to can be located in a different Region." (Logs User Guide, "Step 3:
  Create an account-level subscription filter policy"; likewise "Step 4: Create a subscription
  filter"). Refused with InvalidParameterException.
- PutSubscriptionFilter: "Each log group can have up to two subscription filters associated with
  it. If you are updating an existing filter, you must specify the correct name in filterName."
  (API Reference). moto counts before it looks for the name, so updating one of two filters failed.
- PutDestinationPolicy: `accessPolicy` "can be up to 5120 bytes" (PutDestinationPolicyRequest
  .accessPolicy), and its `Principal` names sender accounts by account ID or `*` (the user guide's
  examples); AWS answers an ARN principal with "Principal section of policy contains ARN instead
  of account ID" (InvalidParameterException, as reported in aws/aws-cdk#14578; aws-cdk PR
  #19640: "Cloudwatch logs resource policies do not accept ARNs of any kind as principals"). A
  role or user cannot be named, so neither can an account's root ARN.
- PutAccountPolicy: "The selectionCriteria string can be up to 25KB in length. The length is
  determined by using its UTF-8 bytes." (PutAccountPolicyRequest.selectionCriteria). AWS does not
  say whether a KB is 1,000 or 1,024 bytes: the stricter 25,000 is enforced.
- PutAccountPolicy of a SUBSCRIPTION_FILTER_POLICY to a destination whose access policy grants a
  whole organization (aws:PrincipalOrgID or aws:PrincipalOrgPaths): "If you are granting
  permissions for the subscription filter to an entire organization, you will need to use the ARN
  of the IAM role that you created in Step 2." (Logs User Guide, account-level subscriptions,
  "Step 3: Create an account-level subscription filter policy"); that role is created in the
  sending account ("Step 2: (Only if using an organization) Create an IAM role"). Refused with
  InvalidParameterException when RoleArn is absent or names a role of another account, in AWS's
  words "Role ARN is required when creating subscription filter against destination with
  Organization access policy" (PutAccountPolicy, as reported in aws/aws-cli#9474). The same for
  PutSubscriptionFilter: the log-group-level guide's "Step 4: Create a subscription filter" has
  the same sentence, and AWS answers it the same way ("An error occurred
  (InvalidParameterException) when calling the PutSubscriptionFilter operation: Role ARN is
  required ...", cloud-custodian/cloud-custodian#8246), although the model's roleArn says "You don't need to provide the ARN when
  you are working with a logical destination for cross-account delivery".
- PutSubscriptionFilter's `distribution` is kept and described: "The method used to distribute
  log data to the destination. By default, log data is grouped by log stream, but the grouping
  can be set to random for a more even distribution." (PutSubscriptionFilterRequest.distribution;
  DescribeSubscriptionFilters answers SubscriptionFilter.distribution). moto answered ByLogStream
  for every filter, so a filter put with Random never matched what was asked for. A put that
  leaves it out is a put of the default.
- DescribeSubscriptionFilters answers only the filters whose name starts with `filterNamePrefix`:
  "The prefix to match. If you don't specify a value, no prefix filter is applied."
  (DescribeSubscriptionFiltersRequest.filterNamePrefix); moto answered every filter of the group.
- PutRetentionPolicy: retentionInDays is a `Days`, "Possible values are: 1, 3, 5, 7, 14, 30, 60,
  90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653." (botocore
  logs model, Days; the shape itself is a bare integer, so the model validator lets any through).
  moto kept any number. Refused with InvalidParameterException.
- PutAccountPolicy: "The JSON specified in policyDocument can be up to 30,720 characters long."
  (PutAccountPolicyRequest.policyDocument; the shape has no max). Refused with
  InvalidParameterException. (Its `scope` enum, ["ALL"], is the model validator's.)
- CreateLogGroup: "Log group names can't start with the string aws/" (API Reference,
  CreateLogGroup's naming guidelines; the model's pattern allows it). Refused with
  InvalidParameterException.
- Filter patterns (filter_pattern.py): a pattern AWS cannot read is refused when the filter or
  policy is put; a valid one decides which events are delivered, for subscription filters and
  account policies alike.
"""

from __future__ import annotations

import json
from typing import Any

from moto.logs import models as logs_models
from moto.logs.models import LogsBackend
from moto.logs.responses import LogsResponse

from . import filter_pattern
from .errors import JsonError

DESTINATION_POLICY_MAX_BYTES = 5120
SELECTION_CRITERIA_MAX_BYTES = 25_000


def _invalid(message: str) -> JsonError:
    return JsonError("InvalidParameterException", message)


def check_destination_region(region: str, destination_arn: str | None) -> None:
    parts = (destination_arn or "").split(":")
    if len(parts) >= 6 and parts[2] == "logs" and parts[5] == "destination" and parts[3] != region:
        raise _invalid(
            f"The destination {destination_arn} is in {parts[3]}, not in {region}: the log group "
            "and the destination must be in the same AWS Region."
        )


def check_access_policy(text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > DESTINATION_POLICY_MAX_BYTES:
        raise _invalid(
            f"The access policy is {size} bytes; a destination access policy can be up to "
            f"{DESTINATION_POLICY_MAX_BYTES} bytes."
        )
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise _invalid(f"The access policy is not valid JSON: {err}") from err
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _invalid("The access policy has no Statement.")
    for statement in statements:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if principal == "*":
            continue
        aws = principal.get("AWS") if isinstance(principal, dict) and set(principal) == {"AWS"} else None
        if aws is None:
            raise _invalid(
                "The Principal section of the access policy must name AWS account IDs (or *), "
                f"not {json.dumps(principal)}."
            )
        for value in aws if isinstance(aws, list) else [aws]:
            if value == "*" or (isinstance(value, str) and value.isdigit() and len(value) == 12):
                continue
            raise _invalid("Principal section of policy contains ARN instead of account ID")


ORGANIZATION_KEYS = ("aws:principalorgid", "aws:principalorgpaths")


def grants_organization(access_policy: str | None) -> bool:
    """An Allow statement of the destination's access policy conditioned on the organization."""
    try:
        doc = json.loads(access_policy or "{}")
    except ValueError:
        return False
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        for keys in (statement.get("Condition") or {}).values():
            if isinstance(keys, dict) and any(k.lower() in ORGANIZATION_KEYS for k in keys):
                return True
    return False


def check_organization_role(sender: str, access_policy: str | None, role_arn: Any) -> None:
    if not grants_organization(access_policy):
        return
    if not isinstance(role_arn, str) or not role_arn:
        # AWS's own words for PutAccountPolicy (aws/aws-cli#9474); the guide's sentence covers a
        # subscription filter too.
        raise _invalid(
            "Role ARN is required when creating subscription filter against destination with "
            "Organization access policy (RoleArn, roleArn: the IAM role created in the sending account)."
        )
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[2] != "iam" or parts[4] != sender or not parts[5].startswith("role/"):
        raise _invalid(
            f"RoleArn {role_arn} is not an IAM role of the sending account {sender}: the destination "
            "grants an entire organization, so the policy names the role created in the sender."
        )


# --- responses -------------------------------------------------------------------------------

_put_destination_policy = LogsResponse.put_destination_policy


def put_destination_policy(self: LogsResponse) -> str:
    check_access_policy(self._get_param("accessPolicy") or "")
    return _put_destination_policy(self)  # type: ignore[no-any-return]


RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
POLICY_DOCUMENT_MAX_CHARACTERS = 30_720


def _wrap_put_retention_policy(original: Any) -> Any:
    def put_retention_policy(self: LogsResponse) -> str:
        days = self._get_param("retentionInDays")
        if days not in RETENTION_DAYS:
            raise _invalid(
                f"retentionInDays {days} is not one of the possible values: "
                f"{', '.join(str(d) for d in RETENTION_DAYS)}."
            )
        return original(self)  # type: ignore[no-any-return]

    return put_retention_policy


def _wrap_put_account_policy(original: Any) -> Any:
    def put_account_policy(self: LogsResponse) -> str:
        document = self._get_param("policyDocument")
        if isinstance(document, str) and len(document) > POLICY_DOCUMENT_MAX_CHARACTERS:
            raise _invalid(
                f"policyDocument is {len(document):,} characters; it can be up to 30,720 characters long."
            )
        criteria = self._get_param("selectionCriteria")
        if criteria is not None and len(criteria.encode("utf-8")) > SELECTION_CRITERIA_MAX_BYTES:
            raise _invalid(
                f"selectionCriteria is {len(criteria.encode('utf-8'))} bytes; it can be up to 25KB "
                f"({SELECTION_CRITERIA_MAX_BYTES} bytes here: AWS does not say which KB)."
            )
        try:
            doc = json.loads(self._get_param("policyDocument") or "{}")
        except ValueError:
            doc = {}
        if isinstance(doc, dict):
            check_destination_region(self.region, doc.get("DestinationArn"))
            filter_pattern.parse(doc.get("FilterPattern"))
            if self._get_param("policyType") == "SUBSCRIPTION_FILTER_POLICY":
                from .logs import destination_of

                dest = destination_of(str(doc.get("DestinationArn") or ""))
                if dest is not None:
                    check_organization_role(self.current_account, dest.access_policy, doc.get("RoleArn"))
        return original(self)  # type: ignore[no-any-return]

    return put_account_policy


def _wrap_backend_put_subscription_filter(original: Any) -> Any:
    def put_subscription_filter(
        self: LogsBackend,
        log_group_name: str,
        filter_name: str,
        filter_pattern_text: str,
        destination_arn: str,
        role_arn: str,
    ) -> None:
        check_destination_region(self.region_name, destination_arn)
        filter_pattern.parse(filter_pattern_text)
        return original(self, log_group_name, filter_name, filter_pattern_text, destination_arn, role_arn)  # type: ignore[no-any-return]

    return put_subscription_filter


def _wrap_put_subscription_filter(original: Any) -> Any:
    def put_subscription_filter(self: LogsResponse) -> str:
        # moto's backend takes no distribution: it is kept on the filter once put.
        out = original(self)
        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        found = group.subscription_filters.get(self._get_param("filterName")) if group else None
        if found is not None:
            found.distribution = self._get_param("distribution") or "ByLogStream"
        return out  # type: ignore[no-any-return]

    return put_subscription_filter


def _wrap_create_log_group(original: Any) -> Any:
    def create_log_group(self: LogsResponse) -> str:
        name = self._get_param("logGroupName") or ""
        if name.startswith("aws/"):
            raise _invalid(f"Log group names can't start with the string aws/: {name}")
        return original(self)  # type: ignore[no-any-return]

    return create_log_group


def _wrap_describe_subscription_filters(original: Any) -> Any:
    def describe_subscription_filters(self: LogsResponse) -> str:
        out = json.loads(original(self))
        prefix = self._get_param("filterNamePrefix")
        if prefix:
            out["subscriptionFilters"] = [
                f for f in out.get("subscriptionFilters", []) if str(f.get("filterName", "")).startswith(prefix)
            ]
        return json.dumps(out)

    return describe_subscription_filters


# --- models ------------------------------------------------------------------------------------

_filter_to_json = logs_models.SubscriptionFilter.to_json


def _subscription_filter_to_json(self: Any) -> dict[str, Any]:
    out: dict[str, Any] = _filter_to_json(self)
    out["distribution"] = getattr(self, "distribution", "ByLogStream")
    return out


_group_put_filter = logs_models.LogGroup.put_subscription_filter


def _group_put_subscription_filter(
    self: Any, filter_name: str, filter_pattern_text: str, destination_arn: str, role_arn: str
) -> None:
    existing = self.subscription_filters.get(filter_name)
    if existing is not None:
        existing.update(filter_pattern_text, destination_arn, role_arn)
        return
    _group_put_filter(self, filter_name, filter_pattern_text, destination_arn, role_arn)


def _wrap_send_log_events(original: Any) -> Any:
    def send_log_events(
        self: Any, service: str, destination_arn: str, filter_name: str, log_events: list[dict[str, Any]]
    ) -> None:
        found = self.log_group.subscription_filters.get(filter_name)
        pattern = getattr(found, "filter_pattern", "") if found is not None else ""
        matcher = filter_pattern.parse(pattern)
        selected = [e for e in log_events if matcher(str(e.get("message", "")))]
        if selected:
            original(self, service, destination_arn, filter_name, selected)

    return send_log_events


def install() -> None:
    """After logs.install(): wraps what it installed."""
    LogsResponse.put_destination_policy = put_destination_policy  # type: ignore[method-assign]
    LogsResponse.put_account_policy = _wrap_put_account_policy(LogsResponse.put_account_policy)  # type: ignore[attr-defined]
    LogsBackend.put_subscription_filter = _wrap_backend_put_subscription_filter(  # type: ignore[method-assign]
        LogsBackend.put_subscription_filter
    )
    logs_models.LogGroup.put_subscription_filter = _group_put_subscription_filter  # type: ignore[method-assign]
    LogsResponse.put_subscription_filter = _wrap_put_subscription_filter(  # type: ignore[method-assign]
        LogsResponse.put_subscription_filter
    )
    logs_models.SubscriptionFilter.to_json = _subscription_filter_to_json  # type: ignore[method-assign]
    LogsResponse.create_log_group = _wrap_create_log_group(LogsResponse.create_log_group)  # type: ignore[method-assign]
    LogsResponse.put_retention_policy = _wrap_put_retention_policy(LogsResponse.put_retention_policy)  # type: ignore[method-assign]
    LogsResponse.describe_subscription_filters = _wrap_describe_subscription_filters(  # type: ignore[method-assign]
        LogsResponse.describe_subscription_filters
    )
    logs_models.LogStream._send_log_events = _wrap_send_log_events(  # type: ignore[method-assign]
        logs_models.LogStream._send_log_events
    )
