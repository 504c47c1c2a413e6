"""CloudWatch Logs account-level subscription filter policies and delivery to destinations.

Reference: botocore `logs/2014-03-28/service-2.json` and the CloudWatch Logs API reference:
- PutAccountPolicy: a SUBSCRIPTION_FILTER_POLICY holds `DestinationArn`, `RoleArn` (the
  sender's role, required when the destination grants an organization: logs_rules.py),
  `FilterPattern`, `Distribution`; `selectionCriteria` only supports `LogGroupName NOT IN []`
  (its size, 25 KB, is logs_rules.py's; no AWS text bounds the number of names); "Each account
  can have one account-level subscription filter policy per Region".
- Cross-account subscriptions (Logs user guide, "Cross-account cross-Region subscriptions"): the
  sender may subscribe only if the destination's access policy allows `logs:PutSubscriptionFilter`
  for it, naming its own role when that policy grants an organization (logs_rules.py); the
  destination's role puts the records into its Kinesis stream; each record is a
  gzip-compressed JSON with `messageType`, `owner`, `logGroup`, `logStream`,
  `subscriptionFilters` and `logEvents`, and a `CONTROL_MESSAGE` checks the destination is
  reachable when the subscription is created.

moto 5.2 reads a `logs` destination ARN as a log group and ignores account policies; here the
selection criteria decide which groups deliver and a destination forwards into its stream.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import time
from base64 import b64encode
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.kinesis.models import kinesis_backends
from moto.logs import models as logs_models
from moto.logs.models import LogsBackend, logs_backends
from moto.logs.responses import LogsResponse
from moto.moto_api._internal import mock_random

from . import filter_pattern, organization as org, policy
from .errors import JsonError
from .logs_rules import check_organization_role

POLICY_TYPE = "SUBSCRIPTION_FILTER_POLICY"
_CRITERIA = re.compile(r"^\s*LogGroupName\s+NOT\s+IN\s+(\[.*\])\s*$", re.DOTALL)


def _policies(backend: LogsBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "lw_account_policies"):
        backend.lw_account_policies = {}  # type: ignore[attr-defined]
    return backend.lw_account_policies  # type: ignore[attr-defined,no-any-return]


def excluded_groups(criteria: str | None) -> list[str]:
    if not criteria:
        return []
    m = _CRITERIA.match(criteria)
    if not m:
        raise JsonError(
            "InvalidParameterException",
            "selectionCriteria for a SUBSCRIPTION_FILTER_POLICY must be LogGroupName NOT IN [...]",
        )
    try:
        names = json.loads(m.group(1))
    except json.JSONDecodeError as err:
        raise JsonError(
            "InvalidParameterException", f"selectionCriteria is not a list of quoted names: {err}"
        ) from err
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise JsonError("InvalidParameterException", "selectionCriteria must list log group names")
    return names


def destination_of(arn: str) -> Any:
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "destination":
        return None
    backend = logs_backends[parts[4]][parts[3]]
    return backend.destinations.get(arn)


def check_destination(sender: str, destination_arn: str, action: str) -> Any:
    """The destination exists and its access policy lets `sender` subscribe to it with `action`:
    logs:PutSubscriptionFilter for a log group's filter, logs:PutAccountPolicy for an account
    policy (Logs User Guide, account-level subscriptions, "Step 2: ... destination policy": the
    example grants "logs:PutSubscriptionFilter","logs:PutAccountPolicy")."""
    parts = destination_arn.split(":")
    if action == "logs:PutAccountPolicy" and len(parts) > 5 and parts[2] != "logs":
        # The model also allows a same-account Kinesis stream, Firehose stream or Lambda function
        # (PutAccountPolicyRequest.policyDocument, DestinationArn); logwarden uses a logical
        # destination only, and the stand-in does not deliver to those: said, not faked.
        raise JsonError(
            "InvalidParameterException",
            f"DestinationArn {destination_arn}: a same-account {parts[2]} destination is valid in AWS "
            "but not emulated by logwarden's stand-in (only CloudWatch Logs destinations)",
        )
    dest = destination_of(destination_arn)
    if dest is None:
        raise JsonError(
            "InvalidParameterException",
            f"Could not deliver test message to specified destination {destination_arn}: it does not exist.",
        )
    owner = parts[4]
    if owner != sender:
        caller = policy.Caller(account=sender, arn=f"arn:aws:iam::{sender}:root")
        org_id = org.organization_id_of(sender)
        context = {"aws:PrincipalAccount": [sender]}
        if org_id:
            context["aws:PrincipalOrgID"] = [org_id]
        decision = policy.evaluate(
            [dest.access_policy] if dest.access_policy else [],
            action,
            destination_arn,
            context,
            caller,
        )
        if decision.effect != policy.ALLOW:
            raise JsonError(
                "AccessDeniedException",
                f"User with accountId: {sender} is not authorized to perform: "
                f"{action} on resource: {destination_arn}",
            )
    return dest


def _payload(body: dict[str, Any]) -> str:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="w") as f:
        f.write(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return b64encode(out.getvalue()).decode("ascii")


def _into_stream(dest: Any, payload: str, sender: str) -> None:
    from . import iam, kms_use

    target = dest.target_arn
    parts = target.split(":")
    # CloudWatch Logs assumes the destination's role to write into the stream (Logs user guide:
    # the role trusts logs.amazonaws.com and allows kinesis:PutRecord on the stream).
    region = dest.arn.split(":")[3]
    source = {
        "aws:SourceArn": [f"arn:aws:logs:{region}:{sender}:*"],
        "aws:SourceAccount": [sender],
    }
    session = iam.require_role_allows(dest.role_arn, "kinesis:PutRecord", target, "logs.amazonaws.com", source)
    stream = kinesis_backends[parts[4]][parts[3]].describe_stream(
        stream_arn=target, stream_name=None
    )
    if session is not None:
        # The role's PutRecord into a stream encrypted with a customer managed key needs
        # kms:GenerateDataKey on that key, through Kinesis (kms_use.py).
        try:
            kms_use.require_stream_key(stream, session[0], session[1], "kms:GenerateDataKey")
        except JsonError as err:
            raise JsonError(
                "AccessDeniedException", f"CloudWatch Logs could not deliver to {target}: {err.message}"
            ) from err
    stream.put_record(
        partition_key=mock_random.get_random_string(length=32, lower_case=True),
        data=payload,
        explicit_hash_key="",
    )


# Deliveries CloudWatch Logs could not make (GET /logwarden-standins/deliveries): AWS delivers
# apart from the write and never fails PutLogEvents for it. Subscriptions User Guide: "CloudWatch
# Logs doesn't try to re-deliver if the error is a non-retryable error, such as
# AccessDeniedException ... the subscription filter is disabled for up to 10 minutes ... During
# this disabled period, logs are skipped".
DELIVERY_FAILURES: list[dict[str, str]] = []


def deliver(
    sender: str,
    dest: Any,
    filter_name: str,
    group: str,
    stream: str,
    events: list[dict[str, Any]],
) -> None:
    body = {
        "messageType": "DATA_MESSAGE",
        "owner": sender,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": [filter_name],
        "logEvents": events,
    }
    try:
        _into_stream(dest, _payload(body), sender)
    except JsonRESTError as err:
        DELIVERY_FAILURES.append(
            {"destination": dest.arn, "owner": sender, "logGroup": group, "filter": filter_name, "error": err.message}
        )


def control_message(sender: str, dest: Any, filter_name: str) -> None:
    """The test message CloudWatch Logs sends when a subscription is made. When it cannot be
    delivered, AWS answers InvalidParameterException "Could not deliver test message to specified
    destination. Check if the destination is valid." (the answer terraform-provider-aws quotes for
    destinations and retries for PutSubscriptionFilter; awsdocs/amazon-cloudwatch-logs-user-guide#47
    reports it for a destination role without kms:GenerateDataKey)."""
    try:
        _control_message(sender, dest, filter_name)
    except JsonRESTError as err:
        raise JsonError(
            "InvalidParameterException",
            f"Could not deliver test message to specified destination. Check if the destination is valid. ({err.message})",
        ) from err


def _control_message(sender: str, dest: Any, filter_name: str) -> None:
    now = int(time.time() * 1000)
    _into_stream(
        dest,
        _payload(
            {
                "messageType": "CONTROL_MESSAGE",
                "owner": "CloudwatchLogs",
                "logGroup": "",
                "logStream": "",
                "subscriptionFilters": [],
                "logEvents": [
                    {
                        "id": str(mock_random.uuid4().int)[:56],
                        "timestamp": now,
                        "message": f"CWL CONTROL MESSAGE: Checking health of destination {dest.arn} for {sender}/{filter_name}",
                    }
                ],
            }
        ),
        sender,
    )


# --- responses --------------------------------------------------------------------------


def put_account_policy(self: LogsResponse) -> str:
    name = self._get_param("policyName")
    doc_text = self._get_param("policyDocument")
    policy_type = self._get_param("policyType")
    scope = self._get_param("scope") or "ALL"
    criteria = self._get_param("selectionCriteria")
    if policy_type != POLICY_TYPE:
        raise JsonError(
            "InvalidParameterException",
            f"policyType {policy_type} is not emulated by logwarden's stand-in (only {POLICY_TYPE})",
        )
    if not name or not doc_text:
        raise JsonError("InvalidParameterException", "policyName and policyDocument are required")
    try:
        doc = json.loads(doc_text)
    except json.JSONDecodeError as err:
        raise JsonError("InvalidParameterException", f"policyDocument is not JSON: {err}") from err
    if not isinstance(doc, dict):
        raise JsonError("InvalidParameterException", "policyDocument must be a JSON object")
    destination_arn = doc.get("DestinationArn")
    if not destination_arn:
        raise JsonError("InvalidParameterException", "policyDocument needs a DestinationArn")
    if doc.get("Distribution", "ByLogStream") not in ("Random", "ByLogStream"):
        raise JsonError("InvalidParameterException", "Distribution must be Random or ByLogStream")
    excluded_groups(criteria)
    sender = self.current_account
    policies = _policies(self.logs_backend)
    others = [n for n, p in policies.items() if n != name and p["policyType"] == policy_type]
    if others:
        raise JsonError(
            "LimitExceededException",
            f"Account {sender} already has a {policy_type} ({others[0]}) in {self.region}",
        )
    dest = check_destination(sender, destination_arn, "logs:PutAccountPolicy")
    is_new = name not in policies
    entry = {
        "policyName": name,
        "policyDocument": doc_text,
        "lastUpdatedTime": int(time.time() * 1000),
        "policyType": policy_type,
        "scope": scope,
        "accountId": sender,
    }
    if criteria:
        entry["selectionCriteria"] = criteria
    if is_new:
        control_message(sender, dest, name)
    policies[name] = entry
    return json.dumps({"accountPolicy": entry})


def describe_account_policies(self: LogsResponse) -> str:
    policy_type = self._get_param("policyType")
    name = self._get_param("policyName")
    found = [
        p
        for p in _policies(self.logs_backend).values()
        if p["policyType"] == policy_type and (name is None or p["policyName"] == name)
    ]
    return json.dumps({"accountPolicies": found})


def delete_account_policy(self: LogsResponse) -> str:
    name = self._get_param("policyName")
    policy_type = self._get_param("policyType")
    policies = _policies(self.logs_backend)
    if name not in policies or policies[name]["policyType"] != policy_type:
        raise JsonError("ResourceNotFoundException", f"Policy with name [{name}] does not exist")
    policies.pop(name)
    return ""


# --- delivery hooks on moto's models ----------------------------------------------------

_original_put_log_events = logs_models.LogStream.put_log_events
_original_send = logs_models.LogStream._send_log_events
_original_put_filter = LogsBackend.put_subscription_filter


def _put_log_events(self: Any, log_events: list[dict[str, Any]]) -> str:
    before = len(self.events)
    token = _original_put_log_events(self, log_events)
    events = [
        {"id": str(e.event_id), "timestamp": e.timestamp, "message": e.message}
        for e in self.events[before:]
    ]
    group = self.log_group
    backend = logs_backends[group.account_id][group.region]
    for p in _policies(backend).values():
        if p["policyType"] != POLICY_TYPE or group.name in excluded_groups(
            p.get("selectionCriteria")
        ):
            continue
        doc = json.loads(p["policyDocument"])
        # The policy's FilterPattern decides which events are delivered (filter_pattern.py).
        matcher = filter_pattern.parse(doc.get("FilterPattern"))
        selected = [e for e in events if matcher(e["message"])]
        dest = destination_of(doc["DestinationArn"])
        if dest is not None and selected:
            deliver(group.account_id, dest, p["policyName"], group.name, self.log_stream_name, selected)
    return token  # type: ignore[no-any-return]


def _send_log_events(
    self: Any, service: str, destination_arn: str, filter_name: str, log_events: list[dict[str, Any]]
) -> None:
    if service == "logs" and ":destination:" in destination_arn:
        dest = destination_of(destination_arn)
        if dest is not None:
            # moto hands the event ids over as numbers; CloudWatch Logs sends them as strings
            # (the subscription payload's logEvents[].id, as the account policy path sends them).
            deliver(
                self.log_group.account_id,
                dest,
                filter_name,
                self.log_group.name,
                self.log_stream_name,
                [{**e, "id": str(e["id"])} for e in log_events],
            )
        return
    _original_send(self, service, destination_arn, filter_name, log_events)


def _put_subscription_filter(
    self: LogsBackend,
    log_group_name: str,
    filter_name: str,
    filter_pattern: str,
    destination_arn: str,
    role_arn: str,
) -> None:
    if ":destination:" not in destination_arn:
        return _original_put_filter(  # type: ignore[no-any-return]
            self, log_group_name, filter_name, filter_pattern, destination_arn, role_arn
        )
    group = self.groups.get(log_group_name)
    if not group:
        raise JsonError("ResourceNotFoundException", "The specified log group does not exist.")
    dest = check_destination(self.account_id, destination_arn, "logs:PutSubscriptionFilter")
    # After the access check (the sender may not use the destination at all): the role an
    # organization-wide grant needs (logs_rules.py).
    check_organization_role(self.account_id, dest.access_policy, role_arn)
    if filter_name not in group.subscription_filters:
        control_message(self.account_id, dest, filter_name)
    group.put_subscription_filter(filter_name, filter_pattern, destination_arn, role_arn)
    return None


def install() -> None:
    LogsResponse.put_account_policy = put_account_policy  # type: ignore[attr-defined]
    LogsResponse.describe_account_policies = describe_account_policies  # type: ignore[attr-defined]
    LogsResponse.delete_account_policy = delete_account_policy  # type: ignore[attr-defined]
    logs_models.LogStream.put_log_events = _put_log_events  # type: ignore[method-assign]
    logs_models.LogStream._send_log_events = _send_log_events  # type: ignore[method-assign]
    LogsBackend.put_subscription_filter = _put_subscription_filter  # type: ignore[method-assign]
