"""KMS on the delivery path: a service that encrypts with a customer managed key on the caller's
behalf needs the caller to be allowed to use that key, and AWS decides it as KMS authorizes any
request: the key policy, and (same account, when the key policy lets IAM policies grant) the
caller's identity-based policies, with the conditions of both evaluated (iam.authorize).

- Kinesis Data Streams with server-side encryption by a KMS key (Kinesis Data Streams Developer
  Guide, "Permissions to use user-generated KMS keys": "Your Kinesis stream producers must have
  the kms:GenerateDataKey permission", "Your Kinesis stream consumers must have the kms:Decrypt
  permission"; "Kinesis Data Streams uses the stream ARN as the encryption context in all AWS KMS
  calls", `aws:kinesis:arn`): PutRecord and PutRecords need kms:GenerateDataKey, GetRecords
  kms:Decrypt, on the stream's key. A refusal is the operation's modeled
  `KMSAccessDeniedException` (`KMSNotFoundException`, `KMSDisabledException`,
  `KMSInvalidStateException` for a key that is gone, disabled or pending deletion), as botocore's
  kinesis model lists them for these operations.
- S3 objects encrypted with SSE-KMS, by the request's headers or the bucket's default encryption
  (S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)": to upload an object
  encrypted with a KMS key the requester needs kms:GenerateDataKey on it, to download it
  kms:Decrypt; "Multipart upload API and permissions": a multipart upload with a KMS key needs
  kms:GenerateDataKey and kms:Decrypt). PutObject and CreateMultipartUpload need
  kms:GenerateDataKey, GetObject and UploadPart kms:Decrypt. The encryption context is
  `aws:s3:arn`: the object's ARN, or the bucket's with an S3 Bucket Key (S3 User Guide, "Reducing
  the cost of SSE-KMS with Amazon S3 Bucket Keys": "S3 Bucket Keys use the bucket ARN as
  encryption context"). S3 answers a refusal 403 AccessDenied with KMS's message.

The request context of these KMS calls (KMS Developer Guide, "AWS KMS condition keys"):
`kms:ViaService` `<service>.<region>.amazonaws.com` of the service making the call on the
caller's behalf, `kms:CallerAccount` the caller's account, `kms:ResourceAliases` the aliases of the
key (set-valued: ForAnyValue / ForAllValues), `kms:EncryptionContext:<key>` and
`kms:EncryptionContextKeys`, and `aws:ViaAWSService` true (IAM User Guide, "AWS global condition
context keys": "The request context key returns true when a service uses the credentials of an
IAM principal to make a request on behalf of the principal"). The AWS managed keys (`alias/aws/...`) are not evaluated:
their key policies allow the account's principals through the service (Kinesis guide: "The use of
the default service key for encryption does not require application of custom IAM permissions").
Only with IAM enforced, and only for a signed caller that is not a root user of the launcher.
"""

from __future__ import annotations

import json
from typing import Any

from . import events, iam, policy
from .errors import JsonError, protocol_error


class KeyRefused(Exception):
    """`code` is KMS's own: AccessDenied, NotFound, Disabled, InvalidState."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _key(reference: str, account: str, region: str) -> Any | None:
    """The key a stream or bucket names by id, ARN, alias name or alias ARN, in the account and
    region the ARN names, else the resource's own (KMS Developer Guide, "Key identifiers")."""
    from moto.kms.models import kms_backends

    if reference.startswith("arn:"):
        parts = reference.split(":")
        account, region = parts[4], parts[3]
    backend = kms_backends[account][region]
    name = backend.get_alias_name(reference)
    if name.startswith("alias/"):
        found = next((k for k in backend.keys.values() if name in k.aliases), None)
        return found
    return backend.keys.get(backend.get_key_id(reference))


def aws_managed(reference: str | None) -> bool:
    return bool(reference) and "alias/aws/" in str(reference)


def require(
    caller: policy.Caller,
    identity: list[Any],
    action: str,
    reference: str,
    resource_account: str,
    resource_region: str,
    service: str,
    encryption_context: dict[str, str],
) -> None:
    """Raises KeyRefused unless `caller` may `action` the key `reference` through `service`."""
    key = _key(reference, resource_account, resource_region)
    if key is None:
        raise KeyRefused("NotFound", f"Key '{reference}' does not exist")
    if key.key_state != "Enabled":
        # KMS Developer Guide, "Key states of AWS KMS keys": a key in any other state cannot be
        # used in cryptographic operations (DisabledException, KMSInvalidStateException).
        raise KeyRefused("Disabled" if key.key_state == "Disabled" else "InvalidState", f"{key.arn} is {key.key_state}.")
    region = key.arn.split(":")[3]
    context: dict[str, list[str]] = {
        "kms:ViaService": [f"{service}.{region}.amazonaws.com"],
        "kms:CallerAccount": [caller.account],
        "kms:EncryptionContextKeys": sorted(encryption_context),
        "aws:ViaAWSService": ["true"],
        **{f"kms:EncryptionContext:{k}": [v] for k, v in encryption_context.items()},
    }
    aliases = sorted(key.aliases)
    if aliases:
        context["kms:ResourceAliases"] = aliases
    message = iam.authorize(caller, identity, [(action, key.arn, context)], region)
    if message:
        iam.DENIALS.append(
            {"action": action, "caller": caller.arn, "code": "AccessDenied", "message": message, "at": iam._now_ms()}
        )
        raise KeyRefused("AccessDenied", message)


def _signed_caller() -> tuple[policy.Caller, list[Any]] | None:
    """The caller iam.check authorized for this request, with its identity policies."""
    if not iam.SETTINGS["enforce"]:
        return None
    caller = getattr(events.CURRENT, "caller", None)
    if caller is None:
        return None
    return caller, list(getattr(events.CURRENT, "identity", None) or [])


# --- Kinesis -------------------------------------------------------------------------------


def _kinesis_refusal(err: KeyRefused) -> JsonError:
    code = {
        "AccessDenied": "KMSAccessDeniedException",
        "NotFound": "KMSNotFoundException",
        "Disabled": "KMSDisabledException",
    }.get(err.code, "KMSInvalidStateException")
    return JsonError(code, str(err), 400)


def require_stream_key(stream: Any, caller: policy.Caller, identity: list[Any], action: str) -> None:
    """`action` (kms:GenerateDataKey to write, kms:Decrypt to read) on the stream's key, if the
    stream is encrypted with a customer managed key; raises the Kinesis error."""
    if getattr(stream, "encryption_type", "NONE") != "KMS" or not stream.key_id or aws_managed(stream.key_id):
        return
    parts = stream.arn.split(":")
    try:
        require(caller, identity, action, stream.key_id, parts[4], parts[3], "kinesis", {"aws:kinesis:arn": stream.arn})
    except KeyRefused as err:
        raise _kinesis_refusal(err) from err


def _kinesis_handler(original: Any, action: str) -> Any:
    def handler(self: Any) -> Any:
        signed = _signed_caller()
        if signed is not None:
            from moto.kinesis.utils import decompose_shard_iterator

            body = json.loads(self.body or "{}") if isinstance(self.body, (str, bytes)) else {}
            backend = self.kinesis_backend
            name = body.get("StreamName")
            if not name and not body.get("StreamARN") and body.get("ShardIterator"):
                name = decompose_shard_iterator(str(body["ShardIterator"]))[0]
            stream = backend.describe_stream(stream_arn=body.get("StreamARN"), stream_name=name)
            require_stream_key(stream, signed[0], signed[1], action)
        return original(self)

    return handler


# --- S3 ----------------------------------------------------------------------------------


def _s3_refusal(err: KeyRefused) -> Exception:
    if err.code == "AccessDenied":
        return protocol_error("rest-xml", "AccessDenied", str(err), 403)
    code = {"NotFound": "KMS.NotFoundException", "Disabled": "KMS.DisabledException"}.get(
        err.code, "KMS.KMSInvalidStateException"
    )
    return protocol_error("rest-xml", code, str(err), 400)


def _bucket_default(bucket: Any) -> tuple[str | None, str | None, bool]:
    rule = ((getattr(bucket, "encryption", None) or {}).get("Rule") or {})
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    enabled = str(rule.get("BucketKeyEnabled", "false")).lower() == "true"
    return default.get("SSEAlgorithm"), default.get("KMSMasterKeyID"), enabled


def _require_object_key(
    bucket: Any,
    key_name: str,
    algorithm: str | None,
    key_id: str | None,
    bucket_key: bool,
    action: str,
) -> None:
    signed = _signed_caller()
    if signed is None or algorithm not in ("aws:kms", "aws:kms:dsse") or not key_id or aws_managed(key_id):
        return
    arn = f"arn:aws:s3:::{bucket.name}" if bucket_key else f"arn:aws:s3:::{bucket.name}/{key_name}"
    try:
        require(signed[0], signed[1], action, key_id, bucket.account_id, bucket.region_name, "s3", {"aws:s3:arn": arn})
    except KeyRefused as err:
        raise _s3_refusal(err) from err


def _written_encryption(headers: Any, bucket: Any) -> tuple[str | None, str | None, bool]:
    """The encryption an object written now gets: the request's headers, else the bucket's
    default (S3 User Guide, "Setting default server-side encryption behavior")."""
    algorithm, key_id, bucket_key = _bucket_default(bucket)
    asked = headers.get("x-amz-server-side-encryption")
    if asked:
        algorithm = asked
        key_id = headers.get("x-amz-server-side-encryption-aws-kms-key-id")
    asked_bucket_key = headers.get("x-amz-server-side-encryption-bucket-key-enabled")
    if asked_bucket_key is not None:
        bucket_key = str(asked_bucket_key).lower() == "true"
    return algorithm, key_id, bucket_key


def _s3_put_object(original: Any) -> Any:
    def handler(self: Any) -> Any:
        bucket = self.backend.get_bucket(self.bucket_name)
        algorithm, key_id, bucket_key = _written_encryption(self.headers, bucket)
        _require_object_key(bucket, self.parse_key_name(), algorithm, key_id, bucket_key, "kms:GenerateDataKey")
        return original(self)

    return handler


# GET requests on an object's sub-resources that read no object data: its ACL, tags, Object Lock
# retention and legal hold, and the parts of an upload (ListParts). KMS decrypts the data key
# only to return the object's data ("To download an object encrypted with an AWS KMS key, the
# requester needs kms:Decrypt", S3 User Guide, SSE-KMS): these need no key.
_NO_DATA_SUBRESOURCES = ("acl", "tagging", "retention", "legal-hold", "uploadId")


def _s3_get_object(original: Any) -> Any:
    def handler(self: Any) -> Any:
        if any(sub in self.querystring for sub in _NO_DATA_SUBRESOURCES):
            return original(self)
        bucket = self.backend.get_bucket(self.bucket_name)
        version = self.querystring.get("versionId", [None])[0]
        stored = self.backend.get_object(self.bucket_name, self.parse_key_name(), version_id=version)
        if stored is not None:
            bucket_key = str(getattr(stored, "bucket_key_enabled", None) or "false").lower() == "true"
            _require_object_key(
                bucket, stored.name, stored.encryption, stored.kms_key_id, bucket_key, "kms:Decrypt"
            )
        return original(self)

    return handler


def _s3_upload_part(original: Any) -> Any:
    def handler(self: Any) -> Any:
        bucket = self.backend.get_bucket(self.bucket_name)
        upload = bucket.multiparts.get(self._get_param("uploadId"))
        if upload is not None:
            algorithm, key_id, bucket_key = _bucket_default(bucket)
            if upload.sse_encryption:
                algorithm, key_id = upload.sse_encryption, upload.kms_key_id
            _require_object_key(bucket, upload.key_name, algorithm, key_id, bucket_key, "kms:Decrypt")
        return original(self)

    return handler


def _s3_create_multipart(original: Any) -> Any:
    def create(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        bucket = self.get_bucket(bucket_name)
        algorithm, key_id, bucket_key = _bucket_default(bucket)
        sse = kwargs.get("sse_encryption", args[5] if len(args) > 5 else None)
        if sse:
            algorithm, key_id = sse, kwargs.get("kms_key_id", args[6] if len(args) > 6 else None)
        _require_object_key(bucket, key_name, algorithm, key_id, bucket_key, "kms:GenerateDataKey")
        return original(self, bucket_name, key_name, *args, **kwargs)

    return create


def install() -> None:
    from moto.kinesis.responses import KinesisResponse
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    KinesisResponse.put_record = _kinesis_handler(KinesisResponse.put_record, "kms:GenerateDataKey")  # type: ignore[method-assign]
    KinesisResponse.put_records = _kinesis_handler(KinesisResponse.put_records, "kms:GenerateDataKey")  # type: ignore[method-assign]
    KinesisResponse.get_records = _kinesis_handler(KinesisResponse.get_records, "kms:Decrypt")  # type: ignore[method-assign]
    S3Response.put_object = _s3_put_object(S3Response.put_object)  # type: ignore[method-assign]
    S3Response.get_object = _s3_get_object(S3Response.get_object)  # type: ignore[method-assign]
    S3Response.upload_part = _s3_upload_part(S3Response.upload_part)  # type: ignore[method-assign]
    S3Backend.create_multipart_upload = _s3_create_multipart(S3Backend.create_multipart_upload)  # type: ignore[method-assign]
