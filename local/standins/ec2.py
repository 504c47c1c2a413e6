"""EC2 idempotency tokens for CreateFlowLogs, which moto 5.2 ignores.

Reference: EC2 API reference, "Ensuring idempotency": a retried request with the same client
token and the same parameters returns the result of the first request and creates nothing; the
same token with different parameters fails with `IdempotentParameterMismatch`; "You should not
reuse the same client token" for a new request. The token is scoped to the account and Region.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.responses.flow_logs import FlowLogs

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


def install() -> None:
    FlowLogs.create_flow_logs = create_flow_logs  # type: ignore[method-assign]
