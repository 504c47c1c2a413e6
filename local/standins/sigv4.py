"""SigV4 verification of a request to another local endpoint (the OpenSearch domain's signing
gateway, local/opensearch-gateway.ts), against the credentials this stand-in issued: IAM users'
access keys and STS sessions, the same the functions get. The secret never leaves this process;
the caller gets the principal back, as an AWS service endpoint learns it from IAM.

Written from the IAM User Guide, "Create a signed AWS API request" (Signature Version 4):
  - CanonicalRequest = Method \\n CanonicalURI \\n CanonicalQueryString \\n CanonicalHeaders \\n
    SignedHeaders \\n HashedPayload;
  - CanonicalURI: "the URI-encoded version of the absolute path component URI ... normalized";
    "each path segment must be URI-encoded twice (except for Amazon S3 which only gets
    URI-encoded once)" — the path arrives encoded once, so it is encoded once more here;
  - CanonicalQueryString: names and values URI-encoded, sorted by name;
  - CanonicalHeaders: the headers named in SignedHeaders, lower-case names, values trimmed and
    sequential spaces converted to one;
  - HashedPayload: hex SHA-256 of the body (compared with x-amz-content-sha256 when sent);
  - StringToSign = "AWS4-HMAC-SHA256" \\n RequestDateTime \\n CredentialScope \\n
    Hex(SHA256(CanonicalRequest)); CredentialScope = date/region/service/aws4_request;
  - SigningKey = HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
A request older or newer than 15 minutes is refused ("Signature expired"), as AWS does.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from calendar import timegm
from typing import Any
from urllib.parse import quote, unquote_plus

from moto.iam.access_control import AssumedRoleAccessKey, CreateAccessKeyFailure, create_access_key
from moto.iam.models import get_account_id_from, iam_backends

MAX_SKEW_SECONDS = 15 * 60
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."


class Refused(PermissionError):
    """A request AWS would refuse before any permission is looked at (HTTP 403)."""


def _encode(text: str) -> str:
    # RFC 3986 unreserved characters stay; everything else is %XX with capitals.
    return quote(text, safe="-_.~")


def canonical_uri(raw_path: str) -> str:
    segments: list[str] = []
    for segment in raw_path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    path = "/" + "/".join(_encode(s) for s in segments)
    if segments and raw_path.endswith("/"):
        path += "/"
    return path


def canonical_query(raw_query: str) -> str:
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((_encode(unquote_plus(name)), _encode(unquote_plus(value))))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signature(secret: str, scope: list[str], amz_date: str, canonical_request: str) -> str:
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            "/".join(scope),
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    key = ("AWS4" + secret).encode("utf-8")
    for part in scope:
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _authorization(value: str) -> tuple[list[str], list[str], str]:
    if not value.startswith("AWS4-HMAC-SHA256 "):
        raise Refused("Authorization header requires the AWS4-HMAC-SHA256 algorithm.")
    fields: dict[str, str] = {}
    for item in value[len("AWS4-HMAC-SHA256 ") :].split(","):
        name, _, content = item.strip().partition("=")
        fields[name] = content
    try:
        credential = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        given = fields["Signature"]
    except KeyError as err:
        raise Refused(f"Authorization header requires '{err.args[0]}' parameter.") from err
    if len(credential) != 5 or credential[4] != "aws4_request":
        raise Refused("Credential should be scoped with a valid terminator: 'aws4_request'.")
    return credential, signed, given


def _principal(key: Any, account: str) -> dict[str, Any]:
    """The principal as fine-grained access control sees it: an IAM role's ARN (with its path)
    is the user name and the one backend role; an IAM user's ARN is the user name."""
    if isinstance(key, AssumedRoleAccessKey):
        role = iam_backends[account]["aws"].get_role(key._owner_role_name)
        return {"arn": key.arn, "account": account, "userName": role.arn, "backendRoles": [role.arn]}
    return {"arn": key.arn, "account": account, "userName": key.arn, "backendRoles": []}


def verify(body: dict[str, Any]) -> dict[str, Any]:
    """`body`: method, path (raw, with its query), headers (lower-case names), bodySha256 (hex of
    what the caller received), service and region the endpoint serves. Returns the principal;
    raises Refused with AWS's message otherwise."""
    headers: dict[str, str] = {str(k).lower(): str(v) for k, v in body["headers"].items()}
    authorization = headers.get("authorization")
    if not authorization:
        raise Refused("Missing Authentication Token")
    credential, signed, given = _authorization(authorization)
    access_key, date, region, service = credential[:4]
    if service != body["service"]:
        raise Refused(f"Credential should be scoped to correct service: '{body['service']}'.")
    if region != body["region"]:
        raise Refused(f"Credential should be scoped to a valid region, not '{region}'.")
    amz_date = headers.get("x-amz-date", "")
    try:
        at = timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError as err:
        raise Refused("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.") from err
    if amz_date[:8] != date:
        raise Refused(f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{amz_date[:8]}'.")
    if abs(time.time() - at) > MAX_SKEW_SECONDS:
        raise Refused(f"Signature expired: {amz_date} is now earlier or later than the allowed 15 minutes.")
    if "host" not in signed:
        raise Refused("'Host' must be a signed header.")
    payload = str(body["bodySha256"])
    claimed = headers.get("x-amz-content-sha256")
    if claimed is not None and claimed != payload:
        raise Refused("The provided 'x-amz-content-sha256' header does not match what was computed.")
    missing = [h for h in signed if h not in headers]
    if missing:
        raise Refused(SIGNATURE_MISMATCH)
    raw_path, _, raw_query = str(body["path"]).partition("?")
    canonical_request = "\n".join(
        [
            str(body["method"]).upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            "".join(f"{h}:{' '.join(headers[h].split())}\n" for h in signed),
            ";".join(signed),
            payload,
        ]
    )
    account = get_account_id_from(access_key)
    # moto's own lookup: an IAM user's key, or an STS session (its token must match).
    wsgi_headers = {"X-Amz-Security-Token": headers["x-amz-security-token"]} if "x-amz-security-token" in headers else {}
    try:
        key = create_access_key(account, "aws", access_key, wsgi_headers)
    except CreateAccessKeyFailure as err:
        raise Refused(INVALID_TOKEN) from err
    secret = key.create_credentials().secret_key
    expected = signature(secret, [date, region, service, "aws4_request"], amz_date, canonical_request)
    if not hmac.compare_digest(expected, given):
        raise Refused(SIGNATURE_MISMATCH)
    return _principal(key, account)


__all__ = ["Refused", "verify", "signature", "canonical_uri", "canonical_query"]
