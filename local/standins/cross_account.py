"""Calls that name a resource of another account by its ARN, which moto 5.2 serves from the
caller's own account (and so answers ResourceNotFound).

Reference: Kinesis Data Streams API reference, PutRecord `StreamARN` ("The ARN of the stream"),
and the Developer Guide, "Resource-based policies": another account writes to a stream by its ARN
when the stream's policy lets it; EventBridge API reference, PutEventsRequestEntry
`EventBusName` ("If you're using a cross-account event bus, specify its ARN"). IAM decides
first (local/standins/iam.py: the identity policy of the caller and the resource policy of the
stream or bus); the request is then served by the backend of the account the ARN names.
"""

from __future__ import annotations

import json
from typing import Any

from moto.events.models import events_backends
from moto.events.responses import EventsHandler
from moto.kinesis.models import kinesis_backends
from moto.kinesis.responses import KinesisResponse


def _owner(arn: Any, service: str) -> tuple[str, str] | None:
    """(account, region) of an ARN of `service`, or None."""
    if not isinstance(arn, str) or not arn.startswith(f"arn:aws:{service}:"):
        return None
    parts = arn.split(":")
    return (parts[4], parts[3]) if len(parts) >= 6 and parts[4].isdigit() else None


def _body(self: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(self.body or "{}")
    except (ValueError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _kinesis_backend(self: KinesisResponse) -> Any:
    owner = _owner(_body(self).get("StreamARN"), "kinesis")
    account, region = owner or (self.current_account, self.region)
    return kinesis_backends[account][region]


def _events_backend(self: EventsHandler) -> Any:
    entries = _body(self).get("Entries") or []
    owners = {_owner(e.get("EventBusName"), "events") for e in entries if isinstance(e, dict)}
    # One bus per request is all logwarden sends; mixed requests stay with the caller's account.
    owner = next(iter(owners)) if len(owners) == 1 else None
    account, region = owner or (self.current_account, self.region)
    return events_backends[account][region]


def install() -> None:
    KinesisResponse.kinesis_backend = property(_kinesis_backend)  # type: ignore[assignment,method-assign]
    EventsHandler.events_backend = property(_events_backend)  # type: ignore[assignment,method-assign]
