"""EC2 idempotency tokens for CreateFlowLogs, which moto 5.2 ignores, and pagination of
DescribeVpcs and DescribeFlowLogs, which moto answers in one page whatever MaxResults says.

Reference: EC2 API reference, "Ensuring idempotency": a retried request with the same client
token and the same parameters returns the result of the first request and creates nothing; the
same token with different parameters fails with `IdempotentParameterMismatch`; "You should not
reuse the same client token" for a new request. The token is scoped to the account and Region.
"""

from __future__ import annotations

import base64
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


def create_flow_logs(self: FlowLogs) -> Any:
    token = self._get_param("ClientToken")
    if not token:
        return _original_create_flow_logs(self)
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
    result = _original_create_flow_logs(self)
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


def describe_flow_logs(self: FlowLogs) -> ActionResult:
    flow_logs = self.ec2_backend.describe_flow_logs(
        self._get_param("FlowLogIds", []), self._filters_from_querystring()
    )
    self.error_on_dryrun()
    page, nxt = _page(self, sorted(flow_logs, key=lambda f: f.id), 1)
    return ActionResult({"FlowLogs": page, **({"NextToken": nxt} if nxt else {})})


def install() -> None:
    FlowLogs.create_flow_logs = create_flow_logs  # type: ignore[method-assign]
    FlowLogs.describe_flow_logs = describe_flow_logs  # type: ignore[method-assign]
    VPCs.describe_vpcs = describe_vpcs  # type: ignore[method-assign]
