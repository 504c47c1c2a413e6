"""Every request to the stand-in, validated against its service's botocore model before moto or
the extension sees it, and refused in the shape that service answers with.

moto parses what it needs and ignores the rest, so a request AWS refuses (a required member
missing, a value outside its enum, a string over its length, a number out of range, a pattern not
matched, at any depth of structures, lists and maps) used to be answered as if it were valid. Here
the request is routed to its operation and parsed by the protocol's own parser (moto's router and
parsers, over the pinned botocore `service-2.json`), then checked against the operation's input
shape: `required`, `enum`, `min`/`max` (length of strings, lists, maps and blobs; value of
numbers), and `pattern` (matched against the whole value, as AWS's Java validators do); and
the wire type of every member as its protocol reads it (`strict_parser`, below), which moto's
parsers coerce: a JSON value of another type is answered `SerializationException`.

The answer is the service's own:
- EC2 (EC2 API Reference, "Error codes", common client errors): `MissingParameter` ("The request
  must contain the parameter ...") for a required member, `InvalidParameterValue` for any other;
- an operation whose model lists `ValidationException` answers with it (Account, Step
  Functions, ...);
- services that name another error for invalid input: CloudWatch Logs `InvalidParameterException`
  ("A parameter is specified incorrectly", Logs API Reference; its answers to model violations
  read "1 validation error detected: Value ... at 'logEvents' failed to satisfy constraint"),
  GuardDuty `BadRequestException` ("The request is rejected because an invalid or out-of-range
  value is specified as an input parameter."), Organizations `InvalidInputException` with its
  `Reason` (INPUT_REQUIRED, INVALID_ENUM, INVALID_PATTERN, MAX_LENGTH_EXCEEDED, ..., the model's
  InvalidInputExceptionReason), S3 `InvalidArgument` ("Invalid Argument", S3 API Reference,
  "Error codes");
- otherwise the protocol's common error (AWS "Common Errors", ValidationError: "The input fails
  to satisfy the constraints specified by an AWS service"): `ValidationError` for query
  services (IAM, STS, SNS), `ValidationException` for JSON ones.
The message is AWS's: "2 validation errors detected: Value 'x' at 'policyType' failed to satisfy
constraint: Member must satisfy enum value set: [...]; Value null at ...".

AWS documents no order between authorization and input validation; here validation comes
first, before moto's authentication and logwarden's IAM evaluation.

`GET /logwarden-standins/validation` reports, per `service:Operation`, how many requests were
validated, refused, or could not be validated (and why), so a run shows any gap.
"""

from __future__ import annotations

import gzip
import io
import json
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import regex
from werkzeug.exceptions import NotFound

from . import events
from .errors import RawError as _RawError


class RawError(_RawError):
    """An error body in the protocol's shape, with the headers AWS sends along with it."""

    def __init__(self, status: int, body: str, content_type: str, headers: list[tuple[str, str]] | None = None):
        super().__init__(status, body, content_type)
        self.extra_headers = headers or []

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return super().get_headers(*args, **kwargs) + self.extra_headers

# --- which model a request belongs to ---------------------------------------------------

# SigV4 signing names that are not botocore service names (the model's `signingName`).
SIGNING_ALIASES = {"states": "stepfunctions", "monitoring": "cloudwatch"}


@lru_cache(maxsize=None)
def service_for_signing_name(signing_name: str) -> str | None:
    """The botocore service whose model signs requests with `signing_name`, or None."""
    from moto.core.utils import get_service_model

    name = SIGNING_ALIASES.get(signing_name, signing_name)
    try:
        model = get_service_model(name)
    except Exception:
        return None
    signs_as = model.metadata.get("signingName") or model.metadata.get("endpointPrefix")
    return name if signs_as == signing_name else None


def _signing_name(environ: dict[str, Any]) -> str | None:
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    scope = auth.partition("Credential=")[2].partition(",")[0].split("/")
    return scope[3] if len(scope) >= 5 else None


# --- the wire types ----------------------------------------------------------------------
#
# moto's parsers coerce what they read: a JSON "true" (a string) or 1 for a boolean passes
# through as sent, a JSON "30" or 1.5 for an integer becomes 30 or 1, a JSON string for a list is
# read character by character, a query boolean other than "true" becomes false. AWS's protocols
# name one wire type per model type (Smithy, "AWS JSON 1.0/1.1 protocol", "Shape
# serialization": boolean "JSON boolean", integer/long "JSON number", blob "JSON string value
# that is base64 encoded", timestamp "JSON number (default) ... epoch-seconds", list "JSON
# array", map and structure "JSON object"; restJson1 the same for its body; "AWS query
# protocol", "x-www-form-urlencoded shape serialization": boolean "Text value of either "true"
# or "false"", numbers "Text value of the number"). The parsers below keep a value of another
# wire type as it was sent (`Mistyped`), so `_check` refuses it.

INT_RANGES = {  # Smithy, "Simple types": byte 8-bit, short 16-bit, integer 32-bit, long 64-bit signed
    "byte": 2**7,
    "short": 2**15,
    "integer": 2**31,
    "long": 2**63,
}
_INTEGER_TEXT = regex.compile(r"-?[0-9]+")
_FLOAT_TEXT = regex.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|NaN|-?Infinity")


@dataclass(frozen=True)
class Mistyped:
    """A value sent with another wire type than its shape's."""

    value: Any
    expected: str


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # a modeled default
    return value == "true" if value in ("true", "false") else Mistyped(value, "a boolean")


def _text_integer(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value) else Mistyped(value, "an integer")


def _text_float(value: Any) -> Any:
    if _number(value):
        return float(value)
    return float(value) if isinstance(value, str) and _FLOAT_TEXT.fullmatch(value) else Mistyped(value, "a number")


@lru_cache(maxsize=None)
def strict_parser(protocol: str) -> Any:
    """The protocol's moto parser, reading each scalar only from its own wire type."""
    from moto.core import parse

    base = parse.PROTOCOL_PARSERS[protocol]

    if protocol in ("query", "ec2"):

        class StrictQuery(base):  # type: ignore[misc, valid-type]
            def _parse_boolean(self, shape: Any, query_params: Any, prefix: str = "") -> Any:
                value = self._default_handle(shape, query_params, prefix)
                return value if value is parse.UNDEFINED else _text_boolean(value)

            def _parse_integer(self, shape: Any, query_params: Any, prefix: str = "") -> Any:
                value = self._default_handle(shape, query_params, prefix)
                return value if value is parse.UNDEFINED else _text_integer(value)

            def _parse_float(self, shape: Any, query_params: Any, prefix: str = "") -> Any:
                value = self._default_handle(shape, query_params, prefix)
                return value if value is parse.UNDEFINED else _text_float(value)

            _parse_long = _parse_integer
            _parse_double = _parse_float

        return StrictQuery

    if protocol == "rest-xml":

        class StrictXml(base):  # type: ignore[misc, valid-type]
            @parse._text_content
            def _parse_boolean(self, shape: Any, text: Any) -> Any:
                return _text_boolean(text)

        return StrictXml

    class StrictJson(base):  # type: ignore[misc, valid-type]
        # restJson1 binds members to headers, the query string and the URI too, as text.
        _text = False

        def _parse_non_payload_attrs(self, *args: Any) -> Any:
            self._text = True
            try:
                return super()._parse_non_payload_attrs(*args)
            finally:
                self._text = False

        def _parse_host_labels(self, *args: Any) -> Any:
            self._text = True
            try:
                return super()._parse_host_labels(*args)
            finally:
                self._text = False

        def _parse_boolean(self, shape: Any, value: Any) -> Any:
            if self._text:
                return _text_boolean(value)
            return value if isinstance(value, bool) else Mistyped(value, "a boolean")

        def _parse_integer(self, shape: Any, value: Any) -> Any:
            if self._text:
                return _text_integer(value)
            return value if isinstance(value, int) and not isinstance(value, bool) else Mistyped(value, "an integer")

        def _parse_float(self, shape: Any, value: Any) -> Any:
            if self._text:
                return _text_float(value)
            if _number(value):
                return float(value)
            # "JSON strings for NaN, Infinity, and -Infinity"
            return float(value) if value in ("NaN", "Infinity", "-Infinity") else Mistyped(value, "a number")

        _parse_byte = _parse_short = _parse_long = _parse_integer
        _parse_double = _parse_float

        def _parse_timestamp(self, shape: Any, value: Any) -> Any:
            form = shape.serialization.get("timestampFormat")
            if self._text or (form in ("iso8601", "rfc822") and isinstance(value, str)):
                return super()._parse_timestamp(shape, value)
            if form in (None, "unixTimestamp") and _number(value):
                return super()._parse_timestamp(shape, value)
            return Mistyped(value, "a timestamp")

        def _parse_blob(self, shape: Any, value: Any) -> Any:
            return super()._parse_blob(shape, value) if isinstance(value, str) else Mistyped(value, "a blob")

        def _parse_string(self, shape: Any, value: Any) -> Any:
            if not self._text and not isinstance(value, str):
                return Mistyped(value, "a string")
            parent = getattr(super(), "_parse_string", None)  # JSONParser has none: a string as read
            return parent(shape, value) if parent is not None else value

        def _parse_list(self, shape: Any, node: Any) -> Any:
            if not isinstance(node, list) and not (self._text or shape.serialization.get("location")):
                return Mistyped(node, "a list")
            return super()._parse_list(shape, node)

        def _parse_map(self, shape: Any, value: Any) -> Any:
            if not isinstance(value, dict):
                return Mistyped(value, "a map")
            return super()._parse_map(shape, value)

        def _parse_structure(self, shape: Any, value: Any) -> Any:
            if value is not None and not shape.is_document_type and not isinstance(value, dict):
                return Mistyped(value, "a structure")
            return super()._parse_structure(shape, value)

    return StrictJson


# --- the constraints --------------------------------------------------------------------


@dataclass
class Violation:
    path: str  # AWS's member path: logEvents.1.member.timestamp
    wire: str  # the parameter as the request names it (EC2's messages use it)
    value: Any
    constraint: str  # "Member must not be null"
    kind: str  # required | enum | min_length | max_length | pattern | min_value | max_value | type | union
    sensitive: bool = False


def _java_regex(pattern: str) -> str:
    """A model pattern (Java syntax) for the `regex` module: Java's \\w and \\d are ASCII, and a
    range of UTF-16 surrogate pairs (Glue's `\\uD800\\uDC00-\\uDBFF\\uDFFF`) is the code points
    above the Basic Multilingual Plane, which is what Java's regex matches with it."""
    pattern = pattern.replace("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010FFFF")
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            ascii_class = {"w": "A-Za-z0-9_", "d": "0-9"}.get(nxt)
            if ascii_class:
                out.append(ascii_class if in_class else f"[{ascii_class}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=None)
def compiled(pattern: str) -> Any:
    """The compiled pattern, or None when it is not a regular expression this module reads (the
    gap is reported: GET /logwarden-standins/validation, `patterns not checked`)."""
    try:
        return regex.compile(_java_regex(pattern))
    except regex.error:
        UNCHECKED_PATTERNS.add(pattern)
        return None


def _java_length(value: str) -> int:
    """String length as AWS's Java validators count it: UTF-16 code units."""
    return len(value.encode("utf-16-le")) // 2


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _member_path(path: str, name: str) -> str:
    name = name[:1].lower() + name[1:]
    return f"{path}.{name}" if path else name


def _wire_name(member: Any, name: str, protocol: str) -> str:
    ser = member.serialization
    if protocol == "ec2":
        if "queryName" in ser:
            return str(ser["queryName"])
        if "name" in ser:
            return str(ser["name"])[:1].upper() + str(ser["name"])[1:]
        return name
    return str(ser.get("name", name))


def violations(shape: Any, value: Any, protocol: str) -> list[Violation]:
    out: list[Violation] = []
    _check(shape, value, "", "", protocol, out, False)
    return out


def _check(
    shape: Any, value: Any, path: str, wire: str, protocol: str, out: list[Violation], sensitive: bool
) -> None:
    meta = shape.metadata
    sensitive = sensitive or bool(meta.get("sensitive"))
    kind = shape.type_name

    def add(constraint: str, what: str) -> None:
        out.append(Violation(path, wire, value, constraint, what, sensitive))

    if isinstance(value, Mistyped):
        out.append(Violation(path, wire, value.value, f"Member must be {value.expected}", "type", sensitive))
        return
    if kind == "structure":
        if shape.is_document_type:
            return  # any JSON value
        if not isinstance(value, dict):
            add("Member must be a structure", "type")
            return
        if shape.is_tagged_union and sum(1 for v in value.values() if v is not None) != 1:
            # Smithy, "union": "only a single member can be set to a non-null value" (AWS
            # documents no error for another count: the model's validation error).
            add("Member must have exactly one member set", "union")
        for name in shape.required_members:
            if value.get(name) is None:
                member = shape.members[name]
                out.append(
                    Violation(
                        _member_path(path, name),
                        _join(wire, _wire_name(member, name, protocol)),
                        None,
                        "Member must not be null",
                        "required",
                        sensitive or bool(member.metadata.get("sensitive")),
                    )
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(
                    member,
                    value[name],
                    _member_path(path, name),
                    _join(wire, _wire_name(member, name, protocol)),
                    protocol,
                    out,
                    sensitive,
                )
        return
    if kind == "list":
        if not isinstance(value, list):
            add("Member must be a list", "type")
            return
        _length(len(value), meta, add)
        for i, item in enumerate(value, 1):
            if item is not None:
                _check(shape.member, item, f"{path}.{i}.member", f"{wire}.{i}", protocol, out, sensitive)
        return
    if kind == "map":
        if not isinstance(value, dict):
            add("Member must be a map", "type")
            return
        _length(len(value), meta, add)
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}.key", wire, protocol, out, sensitive)
            if item is not None:
                _check(shape.value, item, f"{path}.{key}.value", wire, protocol, out, sensitive)
        return
    if kind == "string":
        if not isinstance(value, str):
            add("Member must be a string", "type")
            return
        enum = meta.get("enum")
        if enum and value not in enum:
            add(f"Member must satisfy enum value set: [{', '.join(enum)}]", "enum")
        _length(_java_length(value), meta, add)
        pattern = meta.get("pattern")
        if pattern is not None:
            rx = compiled(pattern)
            if rx is not None and rx.fullmatch(value) is None:
                add(f"Member must satisfy regular expression pattern: {pattern}", "pattern")
        return
    if kind == "blob":
        if not isinstance(value, (bytes, bytearray, str)):
            add("Member must be a blob", "type")
            return
        _length(len(value), meta, add)
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            add("Member must be a boolean", "type")
        return
    if kind == "timestamp":
        if not isinstance(value, datetime):
            add("Member must be a timestamp", "type")
        return
    if kind in INT_RANGES:
        if not isinstance(value, int) or isinstance(value, bool):
            add("Member must be an integer", "type")
            return
        bound = INT_RANGES[kind]
        if not -bound <= value < bound:
            add(f"Member must be a {bound.bit_length()}-bit signed integer", "type")
            return
    if kind in ("integer", "long", "byte", "short", "float", "double", "bigInteger", "bigDecimal"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            add("Member must be a number", "type")
            return
        if "min" in meta and value < meta["min"]:
            add(f"Member must have value greater than or equal to {meta['min']}", "min_value")
        if "max" in meta and value > meta["max"]:
            add(f"Member must have value less than or equal to {meta['max']}", "max_value")


def _join(wire: str, name: str) -> str:
    return f"{wire}.{name}" if wire else name


def _length(length: int, meta: dict[str, Any], add: Any) -> None:
    if "min" in meta and length < meta["min"]:
        add(f"Member must have length greater than or equal to {meta['min']}", "min_length")
    if "max" in meta and length > meta["max"]:
        add(f"Member must have length less than or equal to {meta['max']}", "max_length")


def message(found: list[Violation]) -> str:
    parts = []
    for v in found:
        if v.value is None:
            shown = "Value null at"
        elif v.sensitive:
            shown = "Value at"
        else:
            shown = f"Value '{_shown(v.value)}' at"
        parts.append(f"{shown} '{v.path}' failed to satisfy constraint: {v.constraint}")
    n = len(found)
    return f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(parts)


# --- the answer, as the service gives it --------------------------------------------------

# Services that answer invalid input with an error of their own (module docstring).
SERVICE_VALIDATION_ERRORS = {
    "logs": "InvalidParameterException",
    "guardduty": "BadRequestException",
    "organizations": "InvalidInputException",
}
GUARDDUTY_MESSAGE = (
    "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
)
ORGANIZATIONS_REASONS = {
    "required": "INPUT_REQUIRED",
    "enum": "INVALID_ENUM",
    "pattern": "INVALID_PATTERN",
    "max_length": "MAX_LENGTH_EXCEEDED",
    "min_length": "MIN_LENGTH_EXCEEDED",
    "max_value": "MAX_VALUE_EXCEEDED",
    "min_value": "MIN_VALUE_EXCEEDED",
    "type": "INVALID_LIST_MEMBER",
    "union": "INVALID_LIST_MEMBER",
}


def error_code(service: str, operation: Any, protocol: str, found: list[Violation]) -> str:
    if protocol == "ec2":
        return "MissingParameter" if found[0].kind == "required" else "InvalidParameterValue"
    if protocol == "rest-xml":
        return "InvalidArgument"
    modeled = {e.name for e in operation.error_shapes}
    if "ValidationException" in modeled:
        return "ValidationException"
    if service in SERVICE_VALIDATION_ERRORS:
        return SERVICE_VALIDATION_ERRORS[service]
    return "ValidationError" if protocol == "query" else "ValidationException"


def refusal(service: str, service_model: Any, operation: Any, protocol: str, found: list[Violation]) -> RawError:
    code = error_code(service, operation, protocol, found)
    text = message(found)
    if protocol == "ec2":
        first = found[0]
        if first.kind == "required":
            text = f"The request must contain the parameter {first.wire}"
        else:
            text = f"Value ({_shown(first.value)}) for parameter {first.wire} is invalid. {message(found)}"
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error>"
            f"<Code>{code}</Code><Message>{escape(text)}</Message>"
            "</Error></Errors><RequestID>logwarden-standins</RequestID></Response>"
        )
        return RawError(400, body, "text/xml")
    if protocol == "query":
        shape = service_model.shape_for(code) if code in service_model.shape_names else None
        code = str((shape.metadata.get("error") or {}).get("code", code)) if shape is not None else code
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{code}</Code><Message>{escape(text)}</Message>"
            "</Error><RequestId>logwarden-standins</RequestId></ErrorResponse>"
        )
        return RawError(400, body, "text/xml")
    if protocol == "rest-xml":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Error>"
            f"<Code>{code}</Code><Message>{escape(text)}</Message>"
            f"<ArgumentName>{escape(found[0].wire)}</ArgumentName>"
            "<RequestId>logwarden-standins</RequestId></Error>"
        )
        return RawError(400, body, "application/xml")
    shape = service_model.shape_for(code) if code in service_model.shape_names else None
    status = int(shape.metadata.get("error", {}).get("httpStatusCode", 400)) if shape is not None else 400
    fields: dict[str, Any] = {}
    if code == "BadRequestException":
        text = f"{GUARDDUTY_MESSAGE} {text}"
    members = dict(shape.members) if shape is not None else {}
    for name, member in members.items():
        key = str(member.serialization.get("name", name))
        lowered = name.lower()
        if lowered == "message":
            fields[key] = text
        elif lowered == "reason" and code == "InvalidInputException":
            fields[key] = ORGANIZATIONS_REASONS[found[0].kind]
        elif lowered == "reason" and "fieldValidationFailed" in (getattr(member, "enum", None) or []):
            fields[key] = "fieldValidationFailed"
        elif lowered == "fieldlist":
            fields[key] = [{"name": v.path, "message": v.constraint} for v in found]
    if not any(k.lower() == "message" for k in fields):
        fields["message"] = text
    fields["__type"] = code
    content_type = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
    return RawError(status, json.dumps(fields), content_type, [("x-amzn-ErrorType", code)])


# --- the hook ----------------------------------------------------------------------------

_lock = threading.Lock()
STATS: dict[str, Counter[str]] = {"validated": Counter(), "refused": Counter(), "not validated": Counter()}
UNCHECKED_PATTERNS: set[str] = set()


def _count(kind: str, key: str) -> None:
    with _lock:
        STATS[kind][key] += 1


def report() -> dict[str, Any]:
    with _lock:
        out: dict[str, Any] = {k: dict(v) for k, v in STATS.items()}
    out["patterns not checked"] = sorted(UNCHECKED_PATTERNS)
    return out


def _read_body(environ: dict[str, Any]) -> bytes:
    """The whole body, put back so moto reads it again."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def _operation(service: str, service_model: Any, request: Any) -> tuple[Any, dict[str, Any]]:
    """The operation and URI labels of a request. A JSON request's `X-Amz-Target` may carry the
    short prefix (the JS SDK's `CloudTrail_20131101.GetTrailStatus`, where the model's
    targetPrefix is `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`): AWS reads the
    operation after the last dot, and so does moto."""
    from moto.core.routing import get_service_router

    try:
        return get_service_router(service).match(request)  # type: ignore[no-any-return]
    except NotFound:
        target = request.headers.get("X-Amz-Target") or ""
        name = target.rsplit(".", 1)[-1]
        if name and name in service_model.operation_names:
            return service_model.operation_model(name), {}
        raise


def check(environ: dict[str, Any]) -> RawError | None:
    """None when the request is valid (or not an AWS API request), else the refusal."""
    events.CURRENT.call = None
    signing_name = _signing_name(environ)
    if signing_name is None or environ.get("PATH_INFO", "").startswith("/moto-api"):
        return None
    service = service_for_signing_name(signing_name)
    if service is None:
        _count("not validated", f"{signing_name}: no botocore model signs as {signing_name}")
        return None

    from moto.core.request import Request, determine_request_protocol
    from moto.core.utils import get_service_model

    body = _read_body(environ)
    service_model = get_service_model(service)
    scratch = dict(environ)
    scratch["wsgi.input"] = io.BytesIO(body)
    request = Request(scratch)
    try:
        protocol = determine_request_protocol(service_model, request.content_type)
        operation, uri_params = _operation(service, service_model, request)
    except (NotFound, NotImplementedError) as err:
        _count("not validated", f"{service}: no operation of the model matches ({type(err).__name__})")
        return None
    # Named as the counting proxy names calls: SigV4 signing name, then the operation.
    key = f"{signing_name}:{operation.name}"
    parse_body = body
    if (environ.get("HTTP_CONTENT_ENCODING") or "").lower() == "gzip":
        parse_body = gzip.decompress(body)
    try:
        parsed = strict_parser(protocol)(operation).parse(
            {
                "method": request.method,
                "values": request.values,
                "headers": request.headers,
                "body": parse_body,
                "url_path": request.path,
                "url_params": uri_params,
            }
        )
    except Exception as err:  # a body the protocol's parser cannot read
        _count("refused", key)
        if protocol in ("json", "rest-json"):
            return serialization_error(f"could not read the request: {err}")
        found = [Violation("", "", None, f"the request could not be read: {err}", "type")]
        return refusal(service, service_model, operation, protocol, found)
    shape = operation.input_shape
    found = violations(shape, parsed, protocol) if shape is not None else []
    if not found:
        _count("validated", key)
        # What CloudTrail records of the call once moto has answered it (events.py).
        events.CURRENT.call = (service, operation, parsed, protocol)
        return None
    _count("refused", key)
    mistyped = [v for v in found if v.kind == "type"]
    if mistyped and protocol in ("json", "rest-json"):
        # A JSON value of another type than its shape's is not read at all: the request fails
        # before its constraints are checked, as a body that is not JSON does.
        return serialization_error(message(mistyped))
    return refusal(service, service_model, operation, protocol, found)


def serialization_error(text: str) -> RawError:
    """What AWS's JSON services answer a request they cannot deserialize: `SerializationException`
    (HTTP 400). No botocore model lists it; it is the JSON protocols' answer to a value of the
    wrong type (e.g. amazon-cognito-identity-js issue #485, "I triggered this exception by
    submitting a boolean instead of a string")."""
    return RawError(
        400,
        json.dumps({"__type": "SerializationException", "message": text}),
        "application/json",
        [("x-amzn-ErrorType", "SerializationException")],
    )
