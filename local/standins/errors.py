"""Errors in each protocol's own shape, so the SDK raises what it raises against AWS."""

import json
from typing import Any
from xml.sax.saxutils import escape

from moto.core.exceptions import JsonRESTError
from werkzeug.exceptions import HTTPException


class JsonError(JsonRESTError):
    """awsJson / restJson errors: `{"__type": code, "message": ...}` with the model's HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(code, message)
        self.code = status


class GuardDutyBadRequest(JsonRESTError):
    """GuardDuty's BadRequestException (guardduty service-2.json: `message`, `__type`), HTTP 400."""

    def __init__(self, message: str):
        super().__init__("BadRequestException", message)
        self.description = json.dumps({"__type": "BadRequestException", "message": message})


class RawError(HTTPException):
    """An error whose body is already in the protocol's shape (used where moto drops headers)."""

    def __init__(self, status: int, body: str, content_type: str):
        super().__init__()
        self.code = status
        self.description = body
        self.content_type = content_type

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("Content-Type", self.content_type)]

    def get_body(self, *args: Any, **kwargs: Any) -> str:
        return self.description or ""


def protocol_error(protocol: str, code: str, message: str, status: int) -> RawError:
    """`code` and `message` in the wire shape of `protocol` (botocore's metadata.protocol)."""
    if protocol in ("json", "rest-json"):
        return RawError(
            status, json.dumps({"__type": code, "message": message}), "application/json"
        )
    if protocol == "ec2":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error>"
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            "</Error></Errors><RequestID>logwarden-standins</RequestID></Response>"
        )
        return RawError(status, body, "text/xml")
    if protocol == "rest-xml":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Error>"
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            "<RequestId>logwarden-standins</RequestId></Error>"
        )
        return RawError(status, body, "application/xml")
    body = (
        "<?xml version='1.0' encoding='UTF-8'?><ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        "</Error><RequestId>logwarden-standins</RequestId></ErrorResponse>"
    )
    return RawError(status, body, "text/xml")
