"""EC2 idempotency tokens for CreateFlowLogs, which moto 5.2 ignores, pagination of
DescribeVpcs and DescribeFlowLogs, which moto answers in one page whatever MaxResults says, and
DeleteFlowLogs' per-item answer for an unknown id, which moto refuses whole.

Reference: EC2 API reference, "Ensuring idempotency": a retried request with the same client
token and the same parameters returns the result of the first request and creates nothing; the
same token with different parameters fails with `IdempotentParameterMismatch`; "You should not
reuse the same client token" for a new request. The token is scoped to the account and Region.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.responses.flow_logs import FlowLogs
from moto.ec2.responses.vpcs import VPCs

from .errors import protocol_error

_original_create_flow_logs = FlowLogs.create_flow_logs


def _tokens(backend: Any) -> dict[str, tuple[tuple[Any, ...], Any]]:
    if not hasattr(backend, "lw_client_tokens"):
        backend.lw_client_tokens = {}
    return backend.lw_client_tokens  # type: ignore[no-any-return]


_FIREHOSE_ARN = re.compile(r"^arn:aws[a-z-]*:firehose:([a-z0-9-]+):(\d{12}):deliverystream/[A-Za-z0-9_.-]{1,64}$")


def _check_firehose_destination(self: FlowLogs) -> None:
    """CreateFlowLogs to Firehose (EC2 API Reference, CreateFlowLogs), which moto 5.2 takes without
    looking: LogDestination "If the destination type is kinesis-data-firehose, specify the ARN of a
    Kinesis Data Firehose delivery stream"; LogGroupName "is valid only if the destination type is
    cloud-watch-logs"; DeliverLogsPermissionArn "is required ... if the destination type is
    kinesis-data-firehose and the delivery stream and the resources to monitor are in different
    accounts". AWS does not name the errors: InvalidParameterValue, as for a client token."""
    if self._get_param("LogDestinationType") != "kinesis-data-firehose":
        return
    destination = self._get_param("LogDestination") or ""
    match = _FIREHOSE_ARN.match(destination)
    if not match:
        raise protocol_error(
            "ec2", "InvalidParameterValue", f"LogDestination {destination!r} is not a Firehose delivery stream ARN.", 400
        )
    if self._get_param("LogGroupName"):
        raise protocol_error(
            "ec2", "InvalidParameterValue", "LogGroupName is valid only if the destination type is cloud-watch-logs.", 400
        )
    if match.group(2) != self.current_account and not self._get_param("DeliverLogsPermissionArn"):
        raise protocol_error(
            "ec2",
            "InvalidParameterValue",
            "DeliverLogsPermissionArn is required when the delivery stream is in another account.",
            400,
        )


_TRANSIT_GATEWAY_TYPES = ("TransitGateway", "TransitGatewayAttachment")


def _check_traffic_type(self: FlowLogs) -> None:
    """CreateFlowLogsRequest.TrafficType: "This parameter is not supported for transit gateway
    resource types. It is required for the other resource types." The model marks it optional, so
    moto took a VPC flow log without it. A missing parameter is EC2's MissingParameter ("The
    request is missing a required parameter", EC2 common client errors)."""
    resource_type = self._get_param("ResourceType")
    if resource_type not in _TRANSIT_GATEWAY_TYPES and not self._get_param("TrafficType"):
        raise protocol_error(
            "ec2",
            "MissingParameter",
            f"The request must contain the parameter TrafficType for resource type {resource_type}.",
            400,
        )


_LOG_FORMAT = re.compile(r"\$\{[a-z0-9-]+\}( \$\{[a-z0-9-]+\})*")


def _check_log_format(self: FlowLogs) -> None:
    """CreateFlowLogsRequest.LogFormat: "If you specify this parameter, you must include at least
    one field. ... Specify the fields using the ${field-id} format, separated by spaces." moto 5.2
    stores any text. Anything else, a trailing space included, AWS refuses: "1 validation error
    detected: Value '${version} ... ${log-status} ' at 'logFormat' has an invalid format" (HTTP
    400, aws-cloudformation/rain#288; the error code is not shown there: InvalidParameterValue, as
    for the other values this file checks). The field names are not checked against the VPC User
    Guide's table of available fields: it has grown past version 8 (`encryption-status`, "Enforce
    VPC encryption in transit") and its current rows cannot be read offline, so a list here would
    refuse fields AWS takes."""
    log_format = self._get_param("LogFormat")
    if log_format is None:
        return
    if not _LOG_FORMAT.fullmatch(log_format):
        raise protocol_error(
            "ec2",
            "InvalidParameterValue",
            f"1 validation error detected: Value '{log_format}' at 'logFormat' has an invalid format",
            400,
        )


def _group_of(log_group_name: str | None, log_destination: str | None) -> str | None:
    """The log group a CloudWatch Logs flow log writes to, named or given as its ARN."""
    if log_group_name:
        return log_group_name
    parts = (log_destination or "").split(":")
    return parts[6] if len(parts) > 6 and parts[2] == "logs" and parts[5] == "log-group" else None


def _refuse_before_creating(self: FlowLogs) -> None:
    """Everything that refuses the call, checked before anything is created: moto refuses at the
    first resource that does not exist or already has the flow log, after creating flow logs for
    the resources before it, a state AWS would not leave. FlowLogAlreadyExists ("A flow log with
    the specified configuration already exists", EC2 API Reference, "Error codes"); no source
    found says whether AWS answers a call that names both kinds of resource with that error or
    with `Unsuccessful` items (CreateFlowLogsResult.Unsuccessful: "Information about the flow logs
    that could not be created successfully"): the stricter answer, the whole call refused. A
    resource named twice in one call would duplicate its own flow log: refused the same way. The
    destination is compared as the group it names, whether given by name or by ARN."""
    ids = list(self._get_param("ResourceIds", []))
    lookup = {
        "VPC": self.ec2_backend.get_vpc,
        "Subnet": self.ec2_backend.get_subnet,
        "NetworkInterface": self.ec2_backend.get_network_interface,
    }.get(self._get_param("ResourceType"))
    if lookup is not None:
        for resource_id in ids:
            lookup(resource_id)  # moto's own NotFound error, before anything is created
    destination_type = self._get_param("LogDestinationType") or "cloud-watch-logs"
    if destination_type == "cloud-watch-logs":
        wanted = _group_of(self._get_param("LogGroupName"), self._get_param("LogDestination"))
        same = lambda fl: _group_of(fl.log_group_name, fl.log_destination) == wanted  # noqa: E731
    else:
        wanted = self._get_param("LogDestination")
        same = lambda fl: fl.log_destination == wanted  # noqa: E731
    already = any(fl.resource_id in ids and same(fl) for fl in self.ec2_backend.flow_logs.values())
    if already or len(set(ids)) != len(ids):
        raise protocol_error(
            "ec2",
            "FlowLogAlreadyExists",
            "Error. There is an existing Flow Log with the same configuration and log destination.",
            400,
        )


def _create_and_keep_cross_account_role(self: FlowLogs) -> Any:
    """moto drops DeliverCrossAccountRole; EC2 keeps it on the flow log ("DeliverCrossAccountRole:
    The ARN of the IAM role that allows the service to publish flow logs across accounts", FlowLog)."""
    _check_traffic_type(self)
    _check_log_format(self)
    _check_firehose_destination(self)
    _refuse_before_creating(self)
    before = set(self.ec2_backend.flow_logs)
    result = _original_create_flow_logs(self)
    role = self._get_param("DeliverCrossAccountRole")
    if role:
        for flow_log_id in set(self.ec2_backend.flow_logs) - before:
            self.ec2_backend.flow_logs[flow_log_id].deliver_cross_account_role = role
    return result


def create_flow_logs(self: FlowLogs) -> Any:
    token = self._get_param("ClientToken")
    if not token:
        return _create_and_keep_cross_account_role(self)
    if len(token) > 64 or not token.isascii():
        # "A client token is a unique, case-sensitive string of up to 64 ASCII characters."
        raise protocol_error(
            "ec2", "InvalidParameterValue", f"The client token {token} is not up to 64 ASCII characters.", 400
        )
    fingerprint = tuple(
        sorted(
            (k, tuple(v) if isinstance(v, list) else v)
            for k, v in self.querystring.items()
            if k not in ("Action", "Version", "ClientToken")
        )
    )
    tokens = _tokens(self.ec2_backend)
    if token in tokens:
        first_fingerprint, first_result = tokens[token]
        if first_fingerprint != fingerprint:
            raise protocol_error(
                "ec2",
                "IdempotentParameterMismatch",
                f"The client token {token} was already used with different parameters.",
                400,
            )
        return first_result
    result = _create_and_keep_cross_account_role(self)
    tokens[token] = (fingerprint, result)
    return result


# Pagination (EC2 API Reference, DescribeVpcs and DescribeFlowLogs: "MaxResults: the maximum
# number of items to return for this request. To get the next page of items, make another
# request with the token returned in the output"). DescribeVpcs bounds MaxResults to 5..1000
# (botocore's model, DescribeVpcsMaxResults); DescribeFlowLogs is given the same upper bound, the
# most IDs the EC2 Developer Guide says a describe call should carry. Without MaxResults every
# item comes in one answer. The token is opaque to the client: here the offset of the next item.


def _page(self: Any, items: list[Any], min_results: int) -> tuple[list[Any], str | None]:
    raw_max = self._get_param("MaxResults")
    token = self._get_param("NextToken")
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError:
            raise protocol_error("ec2", "InvalidNextToken", f"The token '{token}' is invalid.", 400)
    if raw_max is None:
        return items[start:], None
    max_results = int(raw_max)
    if not min_results <= max_results <= 1000:
        raise protocol_error(
            "ec2",
            "InvalidParameterValue",
            f"Value ( {max_results} ) for parameter maxResults is invalid. Expecting a value between {min_results} and 1000.",
            400,
        )
    end = start + max_results
    nxt = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], nxt


def describe_vpcs(self: VPCs) -> ActionResult:
    self.error_on_dryrun()
    vpcs = self.ec2_backend.describe_vpcs(
        vpc_ids=self._get_param("VpcIds", []), filters=self._filters_from_querystring()
    )
    page, nxt = _page(self, sorted(vpcs, key=lambda v: v.id), 5)
    return ActionResult({"Vpcs": page, **({"NextToken": nxt} if nxt else {})})


# DescribeFlowLogsRequest.Filter lists the filters DescribeFlowLogs takes; any other name is a
# client error (EC2 API Reference, "Error codes": client errors come with a 400-series code),
# where moto answered HTTP 500 (FilterNotImplementedError).
_FLOW_LOG_FILTERS = (
    "deliver-log-status",
    "log-destination-type",
    "flow-log-id",
    "log-group-name",
    "resource-id",
    "traffic-type",
    "tag-key",
)


def describe_flow_logs(self: FlowLogs) -> ActionResult:
    filters = self._filters_from_querystring()
    for name in filters:
        if name not in _FLOW_LOG_FILTERS and not name.startswith("tag:"):
            raise protocol_error("ec2", "InvalidParameterValue", f"The filter '{name}' is invalid", 400)
    flow_logs = self.ec2_backend.describe_flow_logs(self._get_param("FlowLogIds", []), filters)
    self.error_on_dryrun()
    page, nxt = _page(self, sorted(flow_logs, key=lambda f: f.id), 1)
    return ActionResult({"FlowLogs": page, **({"NextToken": nxt} if nxt else {})})


# DeleteFlowLogs answers per flow log: DeleteFlowLogsResult.Unsuccessful, "Information about the
# flow logs that could not be deleted successfully" (botocore's ec2 model), each an UnsuccessfulItem
# with the error's code and message. An id that does not exist is such an item
# (InvalidFlowLogId.NotFound, "The specified flow log does not exist", EC2 error codes) and the
# others are deleted, as the Terraform AWS provider reads it (internal/service/ec2/vpc_flow_log.go:
# `unsuccessfulItemsError(output.Unsuccessful)`, then InvalidFlowLogId.NotFound means gone). moto
# 5.2 refused the whole call with that error, deleting nothing.


def delete_flow_logs(self: FlowLogs) -> ActionResult:
    ids = self._get_param("FlowLogIds", [])
    self.error_on_dryrun()
    unknown = [i for i in ids if i not in self.ec2_backend.flow_logs]
    known = [i for i in ids if i in self.ec2_backend.flow_logs]
    if known:
        self.ec2_backend.delete_flow_logs(known)
    return ActionResult(
        {
            "Unsuccessful": [
                {
                    "ResourceId": i,
                    "Error": {
                        "Code": "InvalidFlowLogId.NotFound",
                        "Message": f"These flow log ids in the input list are not found: [TotalCount: 1] {i}",
                    },
                }
                for i in unknown
            ]
        }
    )


def install() -> None:
    FlowLogs.create_flow_logs = create_flow_logs  # type: ignore[method-assign]
    FlowLogs.describe_flow_logs = describe_flow_logs  # type: ignore[method-assign]
    FlowLogs.delete_flow_logs = delete_flow_logs  # type: ignore[method-assign]
    VPCs.describe_vpcs = describe_vpcs  # type: ignore[method-assign]
