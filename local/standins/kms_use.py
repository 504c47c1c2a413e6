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
  kms:GenerateDataKey, GetObject, UploadPart and UploadPartCopy kms:Decrypt (UploadPartCopy also
  kms:Decrypt on the source object's key when it is SSE-KMS, as reading it). The encryption context is
  `aws:s3:arn`: the object's ARN, or the bucket's with an S3 Bucket Key (S3 User Guide, "Reducing
  the cost of SSE-KMS with Amazon S3 Bucket Keys": "S3 Bucket Keys use the bucket ARN as
  encryption context"). S3 answers a refusal 403 AccessDenied with KMS's message.

- Amazon SNS topics encrypted with a customer managed key (SNS Developer Guide, "Key
  management", "Allow a user to send messages to a topic with SSE": "The publisher must have the
  kms:GenerateDataKey and kms:Decrypt permissions"): Publish and PublishBatch need both, through
  SNS, with the topic ARN as `aws:sns:topicArn` in the encryption context (the key policies AWS
  shows for encrypted topics condition on `kms:EncryptionContext:aws:sns:topicArn`, e.g. the
  GameLift FlexMatch Guide, "Set up an SNS topic with server-side encryption"). A refusal is the
  operation's modeled `KMSAccessDenied` (`KMSNotFound`, `KMSDisabled`, `KMSInvalidState`).
- Amazon SQS queues encrypted with a customer managed key (SQS Developer Guide, "Encryption at
  rest" FAQ: "To send messages to an encrypted queue, the producer must have the
  kms:GenerateDataKey and kms:Decrypt permissions"; "To receive messages from an encrypted queue,
  the consumer must have the kms:Decrypt permission"): SendMessage and SendMessageBatch need both,
  ReceiveMessage kms:Decrypt (also when the queue is empty: AWS documents nothing, the stricter
  answer), through SQS. No encryption context: AWS documents none for SQS (the SQS Developer
  Guide's "Encryption at rest" and "Key management" name none, unlike the Kinesis, S3, SNS,
  DynamoDB and CloudWatch Logs texts above; `aws:sqs:arn` is only seen in third-party
  policies), so a grant conditioned on one is not met (the stricter answer; no logwarden key
  policy conditions on it). Refused with the operations' modeled
  `KmsAccessDenied` (`KmsNotFound`, `KmsDisabled`, `KmsInvalidState`). SNS delivering into such
  a queue uses the key as sns.amazonaws.com, which only the key policy can allow (SQS Developer
  Guide, "Configure KMS permissions for AWS services"); refused, the message is not delivered.
- CloudWatch Logs log groups associated with a customer managed key (CloudWatch Logs User Guide,
  "Encrypt log data in CloudWatch Logs using AWS Key Management Service": "CloudWatch Logs now
  supports encryption context, using kms:EncryptionContext:aws:logs:arn as the key and the ARN of
  the log group as the value for that key"; the key policy lets the service principal
  `logs.<region>.amazonaws.com` use the key). CloudWatch Logs uses the key as itself, so only the
  key policy can allow it. CreateLogGroup with `kmsKeyId` needs the key to let CloudWatch Logs
  encrypt (kms:GenerateDataKey) and decrypt ("CloudWatch Logs must have permissions for the
  customer managed key whenever encrypted data is requested", kms:Decrypt): AWS answers
  AccessDeniedException "The specified KMS key does not exist or is not allowed to be used with
  Arn '<log group ARN>'" (a key that does not exist or is disabled: InvalidParameterException, the
  API reference's CreateLogGroup). Every write into such a group (PutLogEvents, and a trail's
  delivery) needs kms:GenerateDataKey on it: AWS documents no error for a key whose policy was
  changed after the association; the stand-in refuses the write with the same
  AccessDeniedException (the stricter answer), and a trail records it as its delivery error.

- DynamoDB tables encrypted with a customer managed key (KMS Developer Guide, "How Amazon
  DynamoDB uses AWS KMS", "Decrypt": "When you access an encrypted DynamoDB table, DynamoDB
  needs to decrypt the table key [...] DynamoDB sends a Decrypt request to AWS KMS that specifies
  the KMS key for the table [...] The user is the principal in your AWS account who is accessing
  the table"; "DynamoDB encryption context": `aws:dynamodb:tableName` the table's name,
  `aws:dynamodb:subscriberId` the account). Every item read or write (GetItem, PutItem,
  UpdateItem, DeleteItem, Query, Scan, the batch and transaction operations) needs kms:Decrypt
  through DynamoDB on each table it touches. DynamoDB caches the plaintext table key for five
  minutes ("Table key caching"); the stand-in asks on every request (the stricter answer). The
  DynamoDB model lists no KMS error for these operations: a refusal is AccessDeniedException
  (HTTP 400) with KMS's message. The table key itself is made under DynamoDB's grant when the
  table is created (GenerateDataKey as the DynamoDB service account): not evaluated here.

Grants (`CreateGrant`): a grant on the key whose grantee is the caller's user, role or role
session ARN and whose operations name the action allows it, within its encryption context
constraints (`_granted`); the request to create one is authorized as kms:CreateGrant with
kms:GrantOperations, kms:GranteePrincipal, kms:RetiringPrincipal and kms:GrantIsForAWSResource
(iam.py).

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
    if message and "explicit deny" not in message and _granted(key, caller, action, encryption_context):
        return
    if message:
        iam.DENIALS.append(
            {"action": action, "caller": caller.arn, "code": "AccessDenied", "message": message, "at": iam._now_ms()}
        )
        raise KeyRefused("AccessDenied", message)


def _granted(key: Any, caller: policy.Caller, action: str, encryption_context: dict[str, str]) -> bool:
    """A grant on the key lets the caller `action` (KMS Developer Guide, "Grants in AWS KMS": "the
    grant allows the grantee principal to call the specified grant operations on the KMS key
    provided that all conditions specified in the grant are met"; "A grant can allow access to a
    KMS key, but not deny access"). The grantee is the caller's user, role or role session ARN; a
    grant to an account is not taken to cover its principals (AWS documents no such reach: the
    stricter answer), nor does a grant override an explicit Deny (the stricter answer). Encryption
    context constraints ("Using grant constraints"): EncryptionContextEquals the request's context
    exactly, EncryptionContextSubset a subset of it."""
    operation = action.split(":", 1)[1]
    for grant in list(getattr(key, "grants", {}).values()):
        if grant.grantee_principal not in caller.principal_arns and grant.grantee_principal != caller.arn:
            continue
        if operation not in (grant.operations or []):
            continue
        constraints = grant.constraints or {}
        equals = constraints.get("EncryptionContextEquals")
        subset = constraints.get("EncryptionContextSubset")
        if equals is not None and dict(equals) != encryption_context:
            continue
        if subset is not None and any(encryption_context.get(k) != v for k, v in dict(subset).items()):
            continue
        return True
    return False


def require_service(
    service_principal: str,
    action: str,
    reference: str,
    resource_account: str,
    resource_region: str,
    encryption_context: dict[str, str],
    source: dict[str, list[str]] | None = None,
) -> None:
    """Raises KeyRefused unless the key policy of `reference` lets `service_principal` (a service
    using the key as itself, e.g. `logs.<region>.amazonaws.com`) `action` with
    `encryption_context`. A service principal has no identity-based policies: only the key policy
    can allow it (KMS Developer Guide, "Key policies in AWS KMS"), and an explicit Deny wins.
    `source`: the `aws:SourceArn` / `aws:SourceAccount` the service sends for the resource it
    acts for (a topic delivering into a queue)."""
    key = _key(reference, resource_account, resource_region)
    if key is None:
        raise KeyRefused("NotFound", f"Key '{reference}' does not exist")
    if key.key_state != "Enabled":
        raise KeyRefused("Disabled" if key.key_state == "Disabled" else "InvalidState", f"{key.arn} is {key.key_state}.")
    context: dict[str, list[str]] = {
        **(source or {}),
        "kms:EncryptionContextKeys": sorted(encryption_context),
        **{f"kms:EncryptionContext:{k}": [v] for k, v in encryption_context.items()},
    }
    aliases = sorted(key.aliases)
    if aliases:
        context["kms:ResourceAliases"] = aliases
    as_service = policy.Caller(account="", arn=service_principal, service=service_principal)
    decision = policy.evaluate([key.policy] if key.policy else [], action, key.arn, context, as_service)
    if decision.effect != policy.ALLOW:
        why = "with an explicit deny in the key policy" if decision.effect == policy.DENY else "because no key policy allows the action"
        message = f"Service: {service_principal} is not authorized to perform: {action} on resource: {key.arn} {why}"
        iam.DENIALS.append(
            {"action": action, "caller": service_principal, "code": "AccessDenied", "message": message, "at": iam._now_ms()}
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


def _s3_upload_part_copy(original: Any) -> Any:
    """UploadPartCopy: kms:Decrypt on the upload's key, as UploadPart (S3 API Reference,
    UploadPartCopy: "the requester needs permissions for the kms:Decrypt action on the UploadPart
    and UploadPartCopy APIs"), and reading the source object ("You must have READ access to the
    source object"): kms:Decrypt on its key when it is SSE-KMS, as GetObject."""

    def handler(self: Any) -> Any:
        from urllib.parse import parse_qs, unquote, urlparse

        source = self.headers.get("x-amz-copy-source")
        if isinstance(source, bytes):
            source = source.decode("utf-8")
        if source and _signed_caller() is not None:
            parsed = urlparse(str(source))
            bucket_name, _, key_name = unquote(parsed.path).lstrip("/").partition("/")
            version = parse_qs(parsed.query).get("versionId", [None])[0]
            stored = self.backend.get_object(bucket_name, key_name, version_id=version) if key_name else None
            if stored is not None:
                bucket = self.backend.get_bucket(bucket_name)
                bucket_key = str(getattr(stored, "bucket_key_enabled", None) or "false").lower() == "true"
                _require_object_key(bucket, stored.name, stored.encryption, stored.kms_key_id, bucket_key, "kms:Decrypt")
        return _s3_upload_part(original)(self)

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


# --- SNS ---------------------------------------------------------------------------------


def _sns_refusal(err: KeyRefused) -> Exception:
    code = {"AccessDenied": "KMSAccessDenied", "NotFound": "KMSNotFound", "Disabled": "KMSDisabled"}.get(
        err.code, "KMSInvalidState"
    )
    return protocol_error("query", code, str(err), 400)


def require_topic_key(topic_arn: str, caller: policy.Caller, identity: list[Any]) -> None:
    """A publisher's kms:GenerateDataKey and kms:Decrypt on the topic's customer managed key."""
    from moto.sns.models import sns_backends

    parts = topic_arn.split(":")
    if len(parts) < 6:
        return
    topic = sns_backends[parts[4]][parts[3]].topics.get(topic_arn)
    key_id = getattr(topic, "kms_master_key_id", "") if topic is not None else ""
    if not key_id or aws_managed(key_id):
        return
    try:
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            require(caller, identity, action, key_id, parts[4], parts[3], "sns", {"aws:sns:topicArn": topic_arn})
    except KeyRefused as err:
        raise _sns_refusal(err) from err


def _sns_publish(original: Any) -> Any:
    def handler(self: Any) -> Any:
        signed = _signed_caller()
        arn = self._get_param("TopicArn") or self._get_param("TargetArn")
        if signed is not None and arn:
            require_topic_key(str(arn), signed[0], signed[1])
        return original(self)

    return handler


def _sns_delivery(original: Any) -> Any:
    """SNS delivering a topic's message into a subscribed queue under a customer managed key
    does it as itself, sns.amazonaws.com: the queue's key policy must let it (SQS Developer
    Guide, "Key management", "Configure KMS permissions for AWS services": "To allow these event
    sources to work with encrypted queues, you must create a customer managed KMS key and add
    permissions in the key policy for the service to use the required AWS KMS API methods",
    kms:GenerateDataKey and kms:Decrypt for sns.amazonaws.com). Refused, the message does not
    reach the queue; the publisher is not told (its Publish succeeded)."""

    def publish(self: Any, message: str, message_id: str, *args: Any, **kwargs: Any) -> Any:
        if self.protocol == "sqs" and iam.SETTINGS["enforce"]:
            from moto.sqs.models import sqs_backends

            parts = self.endpoint.split(":")
            queue = sqs_backends[parts[4]][parts[3]].queues.get(parts[5]) if len(parts) > 5 else None
            key_id = getattr(queue, "kms_master_key_id", None) if queue is not None else None
            if key_id and not aws_managed(key_id):
                topic_arn = self.topic.arn
                try:
                    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                        require_service(
                            "sns.amazonaws.com",
                            action,
                            key_id,
                            parts[4],
                            parts[3],
                            SQS_ENCRYPTION_CONTEXT,
                            {"aws:SourceArn": [topic_arn], "aws:SourceAccount": [topic_arn.split(":")[4]]},
                        )
                except KeyRefused:
                    return None  # listed at /logwarden-standins/denials
        return original(self, message, message_id, *args, **kwargs)

    return publish


# --- SQS ---------------------------------------------------------------------------------

# AWS documents no encryption context for SQS's KMS requests (module docstring).
SQS_ENCRYPTION_CONTEXT: dict[str, str] = {}


def _sqs_refusal(err: KeyRefused) -> JsonError:
    code = {"AccessDenied": "KmsAccessDenied", "NotFound": "KmsNotFound", "Disabled": "KmsDisabled"}.get(
        err.code, "KmsInvalidState"
    )
    return JsonError(code, str(err), 400)


def require_queue_key(queue: Any, caller: policy.Caller, identity: list[Any], actions: tuple[str, ...]) -> None:
    key_id = getattr(queue, "kms_master_key_id", None)
    if not key_id or aws_managed(key_id):
        return
    parts = queue.queue_arn.split(":")
    try:
        for action in actions:
            require(caller, identity, action, key_id, parts[4], parts[3], "sqs", SQS_ENCRYPTION_CONTEXT)
    except KeyRefused as err:
        raise _sqs_refusal(err) from err


def _sqs_handler(original: Any, actions: tuple[str, ...]) -> Any:
    def handler(self: Any) -> Any:
        signed = _signed_caller()
        if signed is not None:
            from moto.sqs.exceptions import QueueDoesNotExist

            try:
                queue = self.sqs_backend.get_queue(self._get_queue_name())
            except QueueDoesNotExist:
                queue = None  # moto answers it
            if queue is not None:
                require_queue_key(queue, signed[0], signed[1], actions)
        return original(self)

    return handler


# --- DynamoDB ----------------------------------------------------------------------------


def _tables_of(operation: str, body: dict[str, Any]) -> list[str]:
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return sorted((body.get("RequestItems") or {}).keys())
    if operation in ("TransactGetItems", "TransactWriteItems"):
        names = set()
        for item in body.get("TransactItems") or []:
            for part in (item or {}).values():
                if isinstance(part, dict) and part.get("TableName"):
                    names.add(str(part["TableName"]))
        return sorted(names)
    return [str(body["TableName"])] if body.get("TableName") else []


def require_table_key(table: Any, caller: policy.Caller, identity: list[Any]) -> None:
    sse = getattr(table, "sse_specification", None) or {}
    key_id = sse.get("KMSMasterKeyId") if sse.get("Enabled") in (True, "true", "True") else None
    if not key_id or aws_managed(key_id):
        return
    parts = table.table_arn.split(":")
    key = _key(str(key_id), parts[4], parts[3])
    if key is not None and any(a.startswith("alias/aws/") for a in key.aliases):
        return  # the AWS managed key for DynamoDB (moto's default for SSEType KMS without a key)
    context = {"aws:dynamodb:tableName": table.name, "aws:dynamodb:subscriberId": parts[4]}
    try:
        require(caller, identity, "kms:Decrypt", str(key_id), parts[4], parts[3], "dynamodb", context)
    except KeyRefused as err:
        raise JsonError("AccessDeniedException", str(err), 400) from err


def _dynamodb_handler(original: Any, operation: str) -> Any:
    def handler(self: Any) -> Any:
        signed = _signed_caller()
        if signed is not None:
            from moto.dynamodb.exceptions import ResourceNotFoundException

            body = getattr(self, "params", None) or {}
            for name in _tables_of(operation, body):
                try:
                    table = self.dynamodb_backend.get_table(name)
                except ResourceNotFoundException:
                    continue  # moto answers it
                require_table_key(table, signed[0], signed[1])
        return original(self)

    return handler


# --- CloudWatch Logs ---------------------------------------------------------------------


def _logs_not_allowed(group_arn: str) -> JsonError:
    return JsonError(
        "AccessDeniedException",
        f"The specified KMS key does not exist or is not allowed to be used with Arn '{group_arn}'",
        400,
    )


def require_log_group_key(key_id: str, group_arn: str, actions: tuple[str, ...], on_create: bool) -> None:
    """CloudWatch Logs (logs.<region>.amazonaws.com) using the group's key as itself."""
    if not iam.SETTINGS["enforce"] or not key_id or aws_managed(key_id):
        return
    parts = group_arn.split(":")
    try:
        for action in actions:
            require_service(
                f"logs.{parts[3]}.amazonaws.com", action, key_id, parts[4], parts[3], {"aws:logs:arn": group_arn}
            )
    except KeyRefused as err:
        if on_create and err.code != "AccessDenied":
            # CreateLogGroup: "If you attempt to associate a KMS key with the log group but the
            # KMS key does not exist or the KMS key is disabled, you receive an
            # InvalidParameterException error."
            raise JsonError("InvalidParameterException", str(err), 400) from err
        raise _logs_not_allowed(group_arn) from err


def _logs_create_group(original: Any) -> Any:
    def handler(self: Any) -> Any:
        key_id = self._get_param("kmsKeyId")
        if key_id:
            name = self._get_param("logGroupName")
            group_arn = f"arn:aws:logs:{self.region}:{self.current_account}:log-group:{name}"
            require_log_group_key(str(key_id), group_arn, ("kms:GenerateDataKey", "kms:Decrypt"), True)
        return original(self)

    return handler


def _logs_put_events(original: Any) -> Any:
    def put(self: Any, log_events: list[dict[str, Any]]) -> Any:
        group = self.log_group
        require_log_group_key(group.kms_key_id or "", group.arn, ("kms:GenerateDataKey",), False)
        return original(self, log_events)

    return put


def install() -> None:
    from botocore import xform_name
    from moto.kinesis.responses import KinesisResponse
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    KinesisResponse.put_record = _kinesis_handler(KinesisResponse.put_record, "kms:GenerateDataKey")  # type: ignore[method-assign]
    KinesisResponse.put_records = _kinesis_handler(KinesisResponse.put_records, "kms:GenerateDataKey")  # type: ignore[method-assign]
    KinesisResponse.get_records = _kinesis_handler(KinesisResponse.get_records, "kms:Decrypt")  # type: ignore[method-assign]
    S3Response.put_object = _s3_put_object(S3Response.put_object)  # type: ignore[method-assign]
    S3Response.get_object = _s3_get_object(S3Response.get_object)  # type: ignore[method-assign]
    S3Response.upload_part = _s3_upload_part(S3Response.upload_part)  # type: ignore[method-assign]
    S3Response.upload_part_copy = _s3_upload_part_copy(S3Response.upload_part_copy)  # type: ignore[method-assign]
    S3Backend.create_multipart_upload = _s3_create_multipart(S3Backend.create_multipart_upload)  # type: ignore[method-assign]
    from moto.dynamodb.responses import DynamoHandler

    for operation in (
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    ):
        method = xform_name(operation)
        setattr(DynamoHandler, method, _dynamodb_handler(getattr(DynamoHandler, method), operation))
    from moto.logs import models as logs_models
    from moto.logs.responses import LogsResponse
    from moto.sns.responses import SNSResponse
    from moto.sqs.responses import SQSResponse

    SNSResponse.publish = _sns_publish(SNSResponse.publish)  # type: ignore[method-assign]
    SNSResponse.publish_batch = _sns_publish(SNSResponse.publish_batch)  # type: ignore[method-assign]
    from moto.sns.models import Subscription

    Subscription.publish = _sns_delivery(Subscription.publish)  # type: ignore[method-assign]
    producer = ("kms:GenerateDataKey", "kms:Decrypt")
    SQSResponse.send_message = _sqs_handler(SQSResponse.send_message, producer)  # type: ignore[method-assign]
    SQSResponse.send_message_batch = _sqs_handler(SQSResponse.send_message_batch, producer)  # type: ignore[method-assign]
    SQSResponse.receive_message = _sqs_handler(SQSResponse.receive_message, ("kms:Decrypt",))  # type: ignore[method-assign]
    LogsResponse.create_log_group = _logs_create_group(LogsResponse.create_log_group)  # type: ignore[method-assign]
    # After logs.py's hook (installed before this module), so a refused write delivers nothing.
    logs_models.LogStream.put_log_events = _logs_put_events(logs_models.LogStream.put_log_events)  # type: ignore[method-assign]
